"""The same behaviour on SQLite and PostgreSQL (this module runs on both, like the whole suite).

Time zones, JSON columns, case-insensitive search and "insert unless it exists" are where the two
databases differ by default; the application's own mechanisms must hide every difference.
Parallel inserts of the same row are tested under real concurrency in test_load.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError

from lms.accounts.models import User
from lms.content.models import CourseItem
from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.learning.progress import enrol, finish_lesson
from lms.quizzes.models import QuizAttempt

SHANGHAI = ZoneInfo("Asia/Shanghai")


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def test_timestamps_come_back_as_the_same_instant_in_utc(make_user, courses):
    trainee = make_user()
    evening_in_shanghai = datetime(2024, 12, 31, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC, the same day
    enrolment = Enrolment(user_id=trainee.id, course_id=courses["shop-basics"].id, enrolled_at=evening_in_shanghai,
                          last_activity_at=evening_in_shanghai)
    db.session.add(enrolment)
    db.session.commit()

    stored = fresh(Enrolment, enrolment.id).enrolled_at
    assert stored == evening_in_shanghai and stored.utcoffset() == timedelta(0)
    assert stored.astimezone(SHANGHAI).date().isoformat() == "2024-12-31"
    same_instant = datetime(2024, 12, 31, 15, 30, tzinfo=UTC)
    assert db.session.scalar(select(func.count()).where(Enrolment.enrolled_at == same_instant)) == 1
    assert db.session.scalar(select(func.count()).where(Enrolment.enrolled_at > same_instant)) == 0
    assert db.session.scalar(select(func.count()).where(
        Enrolment.enrolled_at >= datetime(2025, 1, 1, tzinfo=SHANGHAI))) == 0


def test_naive_timestamps_are_refused_everywhere(make_user, courses):
    trainee = make_user()
    db.session.add(Enrolment(user_id=trainee.id, course_id=courses["shop-basics"].id,
                             enrolled_at=datetime(2024, 1, 1, 8, 0)))  # naive: the mistake under test
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_json_columns_keep_chinese_text_nesting_and_numbers(make_user, courses):
    trainee = make_user()
    enrol(trainee, courses["shop-basics"])
    item = db.session.scalar(select(CourseItem).where(CourseItem.slug == "basics-check"))
    answers = {"0": ["1", "2"], "1": "阿里旺旺 😀", "2": "２０元", "3": ""}
    results = [{"credit": 0.5, "given": ["1", "2"]}, {"credit": 1.0, "given": None}, {"credit": 0.0, "given": "x"}]
    attempt = QuizAttempt(user_id=trainee.id, item_id=item.id, number=1, language="zh",
                          layout=[{"q": 0, "options": [1, 0]}], answers=answers, results=results, score=33.3,
                          passed=False, submitted_at=utcnow())
    db.session.add(attempt)
    db.session.commit()

    stored = fresh(QuizAttempt, attempt.id)
    assert stored.answers == answers and stored.results == results
    assert stored.layout == [{"q": 0, "options": [1, 0]}]
    assert fresh(CourseItem, item.id).titles["zh"] == "小测：开店基础"


def test_case_insensitive_search_finds_latin_names_in_any_case_and_chinese_as_typed(make_user):
    for name in ("WANG Wei", "wang fang", "王伟", "Li Wang-Ming", "吕振鸿"):
        make_user(name=name)

    def search(typed: str) -> list[str]:
        needle = f"%{typed.lower()}%"
        return sorted(db.session.scalars(select(User.display_name).where(func.lower(User.display_name).like(needle))))

    assert search("Wang") == ["Li Wang-Ming", "WANG Wei", "wang fang"]
    assert search("王") == ["王伟"] and search("振鸿") == ["吕振鸿"]


def test_insert_unless_it_exists_is_the_same_on_both_databases(make_user, courses):
    """The application never uses dialect upserts: a savepoint and the unique constraint decide."""
    trainee = make_user()
    first = enrol(trainee, courses["shop-basics"])
    db.session.commit()
    assert enrol(trainee, courses["shop-basics"]).id == first.id  # found, not inserted again

    lesson = db.session.scalar(select(CourseItem).where(CourseItem.slug == "choose-product"))
    finish_lesson(trainee, lesson)
    finish_lesson(trainee, lesson)
    db.session.commit()
    assert db.session.scalar(select(func.count(ItemProgress.id))) == 1

    with pytest.raises(IntegrityError):  # the constraint behind it holds on both databases
        with db.session.begin_nested():
            db.session.add(ItemProgress(user_id=trainee.id, item_id=lesson.id))
    db.session.commit()  # and the outer transaction is still usable after the refused insert
    assert db.session.scalar(select(func.count(Enrolment.id))) == 1
