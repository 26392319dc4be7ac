"""The account store: SQLAlchemy models, migrations, queries and the data generators.

Importing this package is cheap; the modules below import SQLAlchemy when they are used.
"""
