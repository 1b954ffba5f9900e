"""Reads straight on the driver, outside the request's ORM session, for the few that run on every page.

Every signed-in page reads its user, and a lesson page its course and the trainee's progress.
Through the request's ORM session each of these costs more than the rest of the page put
together: a session opened, a connection checked out, a BEGIN and a ROLLBACK, and SQLAlchemy's
execution around a query that takes microseconds. A `DirectRead` is a Core SELECT compiled once
for the database in use and run on a pooled connection of its own in autocommit mode, with
SQLAlchemy's own conversions of its parameters and columns: one statement, so one consistent
snapshot, and nothing to roll back.

Only read-only requests read this way. A request that writes, and every command, runs the same
statement in its own transaction instead, so that it sees its own changes and keeps its locks.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import Engine, Select, create_engine, exc, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import configure_mappers, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from lms.database import transaction_writes
from lms.extensions import db
from lms.kept import kept_by_app

_READER = "lms.direct_reads"
Model = TypeVar("Model")


@dataclass
class _Plan:
    """A statement as one database's driver takes it, with the conversions SQLAlchemy would apply."""

    sql: str
    parameter_names: tuple[str, ...] | None  # in order, for drivers that take a list; None: by name
    bind_processors: dict[str, Callable[[Any], Any]]
    literal_parameters: dict[str, Any]
    # Some depend on the column types the driver reports, so they are chosen after the first run.
    result_processors: tuple[Callable[[Any], Any] | None, ...] | None = None


class DirectRead:
    """A SELECT for a hot page, run on the driver in read-only requests and in the session otherwise."""

    def __init__(self, statement: Select):
        self.statement = statement
        self.row = namedtuple("Row", statement.selected_columns.keys())  # fails early on duplicate names
        self._plans: dict[tuple[str, str], _Plan] = {}

    def all(self, **parameters) -> Sequence[tuple]:
        """Every row, each with attributes named after the columns."""
        if transaction_writes():
            return db.session.execute(self.statement, parameters).all()
        engine = reader_engine(current_app)
        dialect = engine.dialect
        plan = self._plan(dialect)
        rows, description = _run(engine, plan, _arguments(plan, parameters))
        processors = plan.result_processors
        if processors is None:
            processors = plan.result_processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(self.statement.selected_columns, description, strict=True))
        make = self.row._make
        if not any(processors):
            return [make(row) for row in rows]
        return [make(value if process is None else process(value)
                     for process, value in zip(processors, row, strict=True)) for row in rows]

    def first(self, **parameters) -> tuple | None:
        rows = self.all(**parameters)
        return rows[0] if rows else None

    def _plan(self, dialect: Dialect) -> _Plan:
        key = (dialect.name, dialect.driver)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _compile(self.statement, dialect)
        return plan


def _compile(statement: Select, dialect: Dialect) -> _Plan:
    compiled = statement.compile(dialect=dialect)
    if any(bind.expanding for bind in compiled.binds.values()):
        raise ValueError("a direct read takes no expanding IN parameters: its SQL is compiled once")
    escaped = compiled.escaped_bind_names
    bind_processors = {}
    literal_parameters = {}
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            bind_processors[escaped.get(name, name)] = process
        if bind.value is not None or not bind.required:
            literal_parameters[escaped.get(name, name)] = bind.effective_value
    return _Plan(
        sql=compiled.string,
        parameter_names=tuple(compiled.positiontup) if compiled.positional else None,
        bind_processors=bind_processors,
        literal_parameters=literal_parameters,
    )


def _arguments(plan: _Plan, parameters: dict) -> list | dict:
    values = {**plan.literal_parameters, **parameters}
    for name, process in plan.bind_processors.items():
        values[name] = process(values[name])
    if plan.parameter_names is None:
        return values
    return [values[name] for name in plan.parameter_names]


def _run(engine: Engine, plan: _Plan, arguments: list | dict) -> tuple[list[tuple], tuple]:
    """Rows and the cursor's description, from a pooled connection; one the database dropped (a
    restart) is replaced once."""
    dialect = engine.dialect
    for attempt in range(2):
        connection = engine.raw_connection()
        cursor = None
        try:
            cursor = connection.cursor()
            cursor.execute(plan.sql, arguments)
            rows, description = cursor.fetchall(), cursor.description
            cursor.close()
            return rows, description
        except dialect.loaded_dbapi.Error as error:
            if attempt == 0 and dialect.is_disconnect(error, connection.dbapi_connection, cursor):
                connection.invalidate(error)
                continue
            raise exc.DBAPIError.instance(plan.sql, arguments, error, dialect.loaded_dbapi.Error,
                                          dialect=dialect) from error
        finally:
            connection.close()
    raise AssertionError("unreachable")  # pragma: no cover


def reader_engine(app: Flask) -> Engine:
    """The application's pool of autocommit connections for direct reads, made on first use."""
    return kept_by_app(_READER, lambda: _autocommit_engine(app), app)


def _autocommit_engine(app: Flask) -> Engine:
    with app.app_context():
        url = db.engine.url
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None)


def dispose_connections(app: Flask, *, close: bool) -> None:
    """Let go of the application's pooled connections: closed (`close=True`, an app done with), or
    only forgotten, in a process forked from the one that opened them (gunicorn's workers)."""
    database = app.extensions.get("sqlalchemy")
    if database is not None:
        with app.app_context():
            database.engine.dispose(close=close)
    reader = app.extensions.get(_READER)
    if reader is not None:
        reader.dispose(close=close)
    counters = app.extensions.get("database://")  # lms/rate_limits.py
    if counters is not None:
        counters.dispose(close=close)


def detached(model: type[Model], row: tuple) -> Model:
    """An ORM object as a query would have loaded it from `row` (its columns, by attribute name),
    in no session: adding it to one makes it an ordinary loaded object again, without a query."""
    mapper = inspect(model)
    if not mapper.configured:  # a new process's first object: the ORM's constructor would do this
        configure_mappers()
    instance = mapper.class_manager.new_instance()
    instance_dict(instance).update(row._asdict())  # as the ORM's loader fills it: no change events
    make_transient_to_detached(instance)
    return instance
