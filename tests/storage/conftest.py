"""Fixtures of the storage tests: a real, throwaway PostgreSQL server for the session."""

from __future__ import annotations

from tests.storage.postgres_server import postgres_server_session, postgres_url

__all__ = ["postgres_server_session", "postgres_url"]
