"""Rate-limit counters every worker of a server shares: a `limits` storage kept in a database.

Flask-Limiter's default `memory://` store is per process, so gunicorn's workers each counted
their own tries and "10 wrong passwords a minute" meant 10 per worker. `database://` (the
default) keeps the counters in a table every worker reads:

- PostgreSQL: the application's database, table `rate_limit_counter` (UNLOGGED: counters are
  disposable, so they skip the write-ahead log).
- SQLite: a small file beside the database (`<name>.rate-limits.sqlite3`), so a burst of sign-in
  tries never queues behind trainees' writes for the main file's single write lock.

Each try is one atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING` that starts a fresh window
once the old one has expired, so parallel workers cannot both slip under a limit. Several app
servers can share the PostgreSQL table, or Redis (`LMS_RATELIMIT_STORAGE_URI=redis://…`).
"""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

from limits.storage import Storage
from sqlalchemy import DDL, Column, Float, Integer, String, Table, create_engine, delete, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from lms.extensions import db

rate_limit_counter = Table(
    "rate_limit_counter",
    db.metadata,
    Column("key", String(255), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False),  # seconds since the epoch
)
event.listen(rate_limit_counter, "after_create",
             DDL("ALTER TABLE rate_limit_counter SET UNLOGGED").execute_if(dialect="postgresql"))

STORAGE_URI = "database://"
# About one increment in this many also deletes expired counters: the table stays small for free.
_SWEEP_ONE_IN = 500
_SWEEP_GRACE_SECONDS = 60

_UPSERT = text(
    "INSERT INTO rate_limit_counter (key, count, expires_at) VALUES (:key, :amount, :now + :expiry) "
    "ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN rate_limit_counter.expires_at <= :now THEN :amount "
    "ELSE rate_limit_counter.count + :amount END, "
    "expires_at = CASE WHEN rate_limit_counter.expires_at <= :now THEN :now + :expiry "
    "ELSE rate_limit_counter.expires_at END "
    "RETURNING count"
)


def counters_url(database_url: str) -> str:
    """Where the counters of an application using `database_url` live."""
    if not database_url.startswith("sqlite"):
        return database_url
    path = database_url.split("///", 1)[1] if "///" in database_url else ""
    if not path or path == ":memory:":
        return "sqlite://"  # an in-memory application database: in-memory counters for this process
    return f"sqlite:///{Path(path).with_suffix('')}.rate-limits.sqlite3"


def _configure_counters_file(dbapi_connection, connection_record) -> None:
    """WAL, and commits that skip fsync: a power cut may lose the last counts, never the file."""
    dbapi_connection.isolation_level = None
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
        dbapi_connection.execute(f"PRAGMA {pragma}")


class DatabaseStorage(Storage):
    """A fixed-window counter store in SQL (the only strategy Cunke's limits use)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, database_url: str = "", **_):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        if not database_url:
            raise ValueError("database:// rate limits need the application's database_url")
        self.url = counters_url(database_url)
        self._engine: Engine | None = None
        self._engine_pid = 0
        self._lock = threading.Lock()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @property
    def engine(self) -> Engine:
        """One small engine per process: a connection made before gunicorn forks is never shared."""
        if self._engine is None or self._engine_pid != os.getpid():
            with self._lock:
                if self._engine is None or self._engine_pid != os.getpid():
                    self._engine = self._create_engine()
                    self._engine_pid = os.getpid()
        return self._engine

    def dispose(self, *, close: bool) -> None:
        if self._engine is not None:
            self._engine.dispose(close=close)

    def _create_engine(self) -> Engine:
        if self.url == "sqlite://":
            engine = create_engine(self.url, poolclass=StaticPool,
                                   connect_args={"check_same_thread": False})
        elif self.url.startswith("sqlite"):
            engine = create_engine(self.url, connect_args={"check_same_thread": False})
        else:
            engine = create_engine(self.url, pool_size=2, max_overflow=4, pool_pre_ping=True)
        if self.url.startswith("sqlite"):
            event.listen(engine, "connect", _configure_counters_file)
            rate_limit_counter.create(engine, checkfirst=True)  # the side file is this store's own
        return engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as connection:
            count = connection.execute(_UPSERT, {"key": key, "amount": amount, "now": now,
                                                 "expiry": float(expiry)}).scalar_one()
            if random.randrange(_SWEEP_ONE_IN) == 0:
                connection.execute(delete(rate_limit_counter).where(
                    rate_limit_counter.c.expires_at < now - _SWEEP_GRACE_SECONDS))
        return count

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(
                select(rate_limit_counter.c.count).where(rate_limit_counter.c.key == key,
                                                         rate_limit_counter.c.expires_at > time.time())
            ).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expires_at = connection.execute(
                select(rate_limit_counter.c.expires_at).where(rate_limit_counter.c.key == key)
            ).scalar()
        now = time.time()
        return expires_at if expires_at and expires_at > now else now

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(func.count()).select_from(rate_limit_counter))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(rate_limit_counter)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(rate_limit_counter).where(rate_limit_counter.c.key == key))
