"""Alembic migrations of the SQL store's schema (run from code; no alembic.ini needed)."""
