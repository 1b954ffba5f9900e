"""A small county: three trainees in two workshops, three courses, every status and a certificate.

Times are UTC; the configured zone is Asia/Shanghai (UTC+8), so b's completion at 17:00 UTC on
31 March is on 1 April locally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from lms.accounts.models import User
from lms.content.models import Course
from lms.extensions import db
from tests.reports.factories import enrol, make_cohort, make_course


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class County:
    admin: User
    instructor: User
    a: User
    b: User
    c: User
    basics: Course
    growth: Course
    service: Course
    beishan: object
    service_class: object


@pytest.fixture
def county(make_user, courses) -> County:
    admin = make_user("admin", name="管理员")
    instructor = make_user("instructor", name="讲师")
    a = make_user(name="吕振鸿", village="北山村")
    b = make_user(name="王芳", village="南岭村")
    c = make_user(name="张伟", village="北山村")
    basics, growth = courses["shop-basics"], courses["shop-growth"]
    service = make_course("cs-basics", "客服入门", "employment", "customer-service", en_title="Customer service basics")
    beishan = make_cohort("北山村开店班", courses=[basics, growth], members=[a, c])
    service_class = make_cohort("客服班", courses=[service], members=[b])
    enrol(a, basics, utc(2025, 3, 1, 2), score=90, completed_at=utc(2025, 3, 10, 2), certificate=True)
    enrol(a, service, utc(2025, 4, 2, 3), lessons_done=1, score=60)
    enrol(b, basics, utc(2025, 4, 1, 1))
    enrol(b, service, utc(2025, 3, 20, 1), completed_at=utc(2025, 3, 31, 17))
    enrol(c, basics, utc(2025, 1, 5), completed_at=utc(2025, 1, 15))
    enrol(instructor, basics, utc(2025, 2, 1), completed_at=utc(2025, 2, 2))  # staff: never counted
    c.active = False
    db.session.commit()
    return County(admin, instructor, a, b, c, basics, growth, service, beishan, service_class)
