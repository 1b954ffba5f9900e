"""A workshop with members and a clock the tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.attendance.models import AttendanceSession
from lms.extensions import db
from tests.cohorts.factories import make_cohort

# 09:00 in the county (UTC+8) on a Monday.
NINE_AM = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(NINE_AM)


@pytest.fixture
def app_config(app_config, clock):
    return {**app_config, "LMS_ATTENDANCE_CLOCK": clock}


@pytest.fixture
def workshop(make_user):
    instructor = make_user("instructor", name="王老师")
    members = [make_user(name="吕振鸿", village="北山村"), make_user(name="张桂兰", village="南岭村")]
    cohort = make_cohort(instructors=[instructor], members=members)
    return cohort, instructor, members


@pytest.fixture
def session_now(workshop):
    """A session from 09:00 to 11:00 today, late after 15 minutes."""
    cohort = workshop[0]
    session = AttendanceSession(cohort_id=cohort.id, starts_at=NINE_AM, ends_at=NINE_AM + timedelta(hours=2),
                                place="北山村村委会", topic="拍商品照片", credited_minutes=120, late_after_minutes=15)
    db.session.add(session)
    db.session.commit()
    return session
