"""The time check-in goes by. Tests and browser tests set `LMS_ATTENDANCE_CLOCK` to a callable
returning an aware UTC datetime, to rotate codes and pass grace periods without waiting."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from lms.database import utcnow


def attendance_now() -> datetime:
    return current_app.config.get("LMS_ATTENDANCE_CLOCK", utcnow)()


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["LMS_TIMEZONE"])
