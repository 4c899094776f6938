"""Database connection: SQLite (WAL) in var/ by default, PostgreSQL when DATABASE_URL is set.

Several app instances may share one PostgreSQL database: nothing that matters is kept in a process. The schema
is created and upgraded by Alembic (`python -m ecosystem migrate`); `connect()` runs the upgrade too, which is
harmless when the schema is already current.
"""

from __future__ import annotations

import os
import sqlite3
import time
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_SQLITE = ROOT / "var" / "corrections.sqlite3"
MIGRATIONS = ROOT / "migrations"


def database_url() -> str:
    """DATABASE_URL if set (postgresql://… is read with psycopg 3), else the SQLite file (CORRECTIONS_DB)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
    path = Path(os.environ.get("CORRECTIONS_DB", DEFAULT_SQLITE))
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA foreign_keys=ON")
            _ensure_wal(cursor)
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _ensure_wal(cursor) -> None:
    """WAL (readers never wait for the writer) is a property of the file: set once, only read afterwards.

    Asking for it on every connection made a new connection fail with "database is locked" while another
    process held the write lock (SQLite does not call the busy handler for a journal-mode change), so it is
    asked only while the file is not yet in WAL, retried briefly if several processes race to do it.
    """
    for attempt in range(50):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() in ("wal", "memory"):
                return
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            time.sleep(0.05 * (attempt + 1))
    cursor.execute("PRAGMA journal_mode=WAL")  # last try: its error, if any, is the one to see


def migrate(url: str) -> None:
    """Bring the schema to the latest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


@lru_cache(maxsize=4)
def connect(url: str | None = None) -> sessionmaker[Session]:
    """A session factory on the configured database, its schema migrated (once per process and URL)."""
    url = url or database_url()
    migrate(url)
    return sessionmaker(make_engine(url), expire_on_commit=False)
