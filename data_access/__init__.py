"""The only package that touches the database: models, engine, loader and metric queries."""
