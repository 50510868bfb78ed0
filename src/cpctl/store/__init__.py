"""The store: the tables, opening a SQLite or PostgreSQL database, migrations, the audit chain, settings."""
