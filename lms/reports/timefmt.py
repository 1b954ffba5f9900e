"""Timestamps as the export needs them, read fast from either database."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from sqlalchemy import String, type_coerce


def raw_time(column):
    """A timestamp column as the driver gives it: SQLite's stored text, PostgreSQL's datetime.

    Parsing SQLite's text with `datetime.fromisoformat` is several times faster than the generic
    column type's result processing, which matters at hundreds of thousands of rows.
    """
    return type_coerce(column, String)


def parse_time(moment: datetime | str | None) -> datetime | None:
    """A timezone-aware UTC datetime from what `raw_time` returned."""
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite: "2024-05-01 06:03:00.123456", UTC
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def iso_local(moment: datetime | str | None, zone: tzinfo) -> str:
    """ISO 8601 in the configured time zone, to the second: 2024-05-01T14:03:00+08:00."""
    if moment is None:
        return ""
    if isinstance(moment, str):  # SQLite text, UTC; cut to whole seconds before parsing
        return datetime.fromisoformat(moment[:19] + "+00:00").astimezone(zone).isoformat()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).replace(microsecond=0).isoformat()
