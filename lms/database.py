"""Database helpers shared by every feature: timestamps, SQLite tuning, one transaction shape.

SQLite runs in WAL mode with a busy timeout. That alone does not stop `database is locked`
for a transaction that reads and then writes, so write transactions start with
`BEGIN IMMEDIATE` (SQLAlchemy's documented pysqlite recipe): the write lock is taken up
front and waits politely instead of failing half-way. Read-only requests keep a plain
deferred BEGIN so readers never queue behind writers.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import has_request_context, request
from sqlalchemy import DateTime, Engine, event
from sqlalchemy.types import TypeDecorator

from lms.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_force_write: ContextVar[bool] = ContextVar("lms_force_write", default=False)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timestamps stored as UTC and always returned timezone-aware, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def transaction_writes() -> bool:
    """Whether the current transaction may write: any request but GET, HEAD and OPTIONS, and commands."""
    if _force_write.get():
        return True
    if has_request_context():
        return request.method not in _READ_ONLY_METHODS
    return True  # CLI commands and scripts write


def end_transaction() -> None:
    """Commit and end the current transaction before slow work, such as checking a password.

    A writing request on SQLite holds the database's write lock from its first query to its end,
    so 0.2 s of Argon2 inside it would make every other trainee's write wait. Objects loaded
    before reload on their next use, in a new (short) transaction.
    """
    db.session.commit()


@contextmanager
def write_transaction() -> Iterator[None]:
    """Mark work in a GET request (rare) that must still take the write lock up front."""
    token = _force_write.set(True)
    try:
        yield
    finally:
        _force_write.reset(token)


class QueuedWritersConnection(sqlite3.Connection):
    """A SQLite connection whose writers wait in line on an OS file lock before `BEGIN IMMEDIATE`.

    SQLite makes a second writer wait by sleeping and retrying (after 1, 2, 5, 10 ms ...), so
    under load the write lock often lies free while writers sleep. A writer waiting on the file
    lock (`<database>-writers`) wakes the moment the one before it commits. The kernel drops the
    lock of a process that dies, so a crash cannot leave it held.
    """

    _queue_fd: int | None = None
    _in_line = False

    def wait_to_write(self) -> None:
        if self._queue_fd is None:
            path = self.execute("PRAGMA database_list").fetchone()[2]
            if not path:  # an in-memory database has one connection: no line to wait in
                return
            self._queue_fd = os.open(f"{path}-writers", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._queue_fd, fcntl.LOCK_EX)
        self._in_line = True

    def _done_writing(self) -> None:
        if self._in_line:
            self._in_line = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._done_writing()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._done_writing()

    def close(self) -> None:
        self._done_writing()
        if self._queue_fd is not None:
            os.close(self._queue_fd)
            self._queue_fd = None
        super().close()


def engine_options(database_uri: str) -> dict:
    """SQLite: connections that queue writers. PostgreSQL: test pooled connections before use,
    since one can die behind the pool's back (a server restart, an idle timeout)."""
    if database_uri.startswith("sqlite"):
        return {"connect_args": {"factory": QueuedWritersConnection}}
    return {"pool_pre_ping": True}


@event.listens_for(Engine, "connect")
def _configure_sqlite_connection(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite_transaction(conn):
    if conn.dialect.name != "sqlite":
        return
    if not transaction_writes():
        # Straight to the driver: a deferred BEGIN takes no lock and cannot fail, and it opens
        # every page's transaction, where SQLAlchemy's execution costs ten times the statement.
        conn.connection.dbapi_connection.execute("BEGIN")
        return
    connection = conn.connection.dbapi_connection
    if isinstance(connection, QueuedWritersConnection):
        connection.wait_to_write()
    conn.exec_driver_sql("BEGIN IMMEDIATE")
