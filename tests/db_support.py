"""Throw-away corrections databases on both backends, for the hardening tests (login throttle, two instances,
crash safety): SQLite in the test's temporary folder, PostgreSQL as a fresh database on TEST_POSTGRES_URL
(127.0.0.1:5432 with trust auth by default; never skipped)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid

import psycopg

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def postgres_database(prefix: str = "test_hardening"):
    """A new, empty PostgreSQL database; yields its libpq URL (postgresql://…), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlalchemy_url(libpq_url: str) -> str:
    return libpq_url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextlib.contextmanager
def database(backend: str, tmp_path):
    """SQLAlchemy URL of an empty database on `backend` ("sqlite" or "postgresql")."""
    from ecosystem.corrections.db import connect

    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'corrections.sqlite3'}"
        return
    with postgres_database() as url:
        try:
            yield sqlalchemy_url(url)
        finally:
            connect.cache_clear()  # its engine would hold connections to the database being dropped


class Clock:
    """An injectable clock for the time rules (throttle delays, session expiry): `now` until advanced."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)
