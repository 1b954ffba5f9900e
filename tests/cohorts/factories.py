"""Building blocks for workshop tests: cohorts, members and a large synthetic course."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from lms.accounts.models import User
from lms.cohorts.models import Cohort, CohortMember
from lms.cohorts.workshops import add_member, new_join_code
from lms.content.models import Course, CourseItem, Track
from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from tests.conftest import _PASSWORD_HASH


def make_cohort(name: str = "北山村开店入门班", courses=(), instructors=(), capacity: int | None = None,
                join_open: bool = True, members=()) -> Cohort:
    cohort = Cohort(name=name, location="北山村村委会", capacity=capacity, join_code=new_join_code(),
                    join_open=join_open, courses=list(courses), instructors=list(instructors))
    db.session.add(cohort)
    db.session.flush()
    for member in members:
        add_member(cohort, member)
    db.session.commit()
    return cohort


def big_course(items: int, slug: str = "big-course") -> Course:
    """A published course with `items` lessons and quizzes (every fifth item is a quiz)."""
    track = db.session.scalar(select(Track).where(Track.slug == "bench")) or Track(slug="bench", names={"zh": "测"})
    course = Course(slug=slug, track=track, level="intro", language="zh", languages=["zh"],
                    titles={"zh": "大课程"}, position=99)
    db.session.add(course)
    db.session.flush()
    db.session.add_all([
        CourseItem(course_id=course.id, slug=f"item-{n:02d}", kind="quiz" if n % 5 == 0 else "lesson",
                   position=n, titles={"zh": f"第{n}节"})
        for n in range(1, items + 1)
    ])
    db.session.commit()
    return course


def crowd(cohort: Cohort, course: Course, trainees: int, finished_share: float = 0.5) -> list[int]:
    """Bulk-add trainees with enrolments and progress on part of the course. Returns the new user ids."""
    start = db.session.scalar(select(db.func.count(User.id))) or 0
    db.session.execute(insert(User), [
        {"phone": f"137{start + n:08d}", "display_name": f"学员{n:03d}", "village": "南岭村", "role": "trainee",
         "password_hash": _PASSWORD_HASH}
        for n in range(trainees)
    ])
    user_ids = list(db.session.scalars(select(User.id).where(User.phone.like("137%")).order_by(User.id)))[-trainees:]
    db.session.execute(insert(CohortMember), [{"cohort_id": cohort.id, "user_id": uid} for uid in user_ids])
    db.session.execute(insert(Enrolment), [{"course_id": course.id, "user_id": uid} for uid in user_ids])
    item_ids = list(db.session.scalars(select(CourseItem.id).where(CourseItem.course_id == course.id)))
    done = int(len(item_ids) * finished_share)
    now = utcnow()
    db.session.execute(insert(ItemProgress), [
        {"user_id": uid, "item_id": iid, "completed_at": now - timedelta(days=1), "best_score": 90.0,
         "updated_at": now - timedelta(days=1)}
        for uid in user_ids for iid in item_ids[:done]
    ])
    db.session.commit()
    return user_ids
