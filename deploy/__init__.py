"""Serving the dashboard: gunicorn settings, the nginx site, and the loopback stack."""
