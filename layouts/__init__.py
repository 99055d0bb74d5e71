"""Component builders. Layouts take plain data and return Dash components; they never query."""
