"""Building blocks for report tests: courses in any track, and enrolments with exact dates and progress."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from lms.certificates.issuing import issue_certificate
from lms.cohorts.models import Cohort, CohortMember
from lms.cohorts.workshops import new_join_code
from lms.content.models import Course, CourseItem, Track
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress


def track(slug: str) -> Track:
    return db.session.scalar(select(Track).where(Track.slug == slug))


def make_course(slug: str, title: str, track_slug: str = "employment", specialty_slug: str | None = None,
                level: str = "intro", lessons: int = 2, quizzes: int = 1, en_title: str | None = None) -> Course:
    """A published course with `lessons` lessons followed by `quizzes` quizzes (tracks from the fixture catalog)."""
    course = Course(slug=slug, track_id=track(track_slug).id,
                    specialty_id=track(specialty_slug).id if specialty_slug else None, level=level, language="zh",
                    languages=["zh", "en"] if en_title else ["zh"],
                    titles={"zh": title, **({"en": en_title} if en_title else {})}, position=50)
    db.session.add(course)
    db.session.flush()
    for position in range(1, lessons + quizzes + 1):
        quiz = position > lessons
        db.session.add(CourseItem(course_id=course.id, slug=f"{'quiz' if quiz else 'lesson'}-{position}",
                                  kind="quiz" if quiz else "lesson", position=position, pass_mark=80 if quiz else None,
                                  titles={"zh": f"{'测验' if quiz else '第'}{position}{'' if quiz else '课'}"}))
    db.session.commit()
    return course


def items_of(course: Course) -> list[CourseItem]:
    return list(db.session.scalars(
        select(CourseItem).where(CourseItem.course_id == course.id, CourseItem.is_active)
        .order_by(CourseItem.position)
    ))


def enrol(user, course: Course, enrolled_at: datetime, lessons_done: int = 0, score: float | None = None,
          completed_at: datetime | None = None, certificate: bool = False) -> Enrolment:
    """An enrolment with exact dates. `completed_at` finishes every item (quizzes at `score`, 100 by default)."""
    items = items_of(course)
    finished_at = completed_at or enrolled_at + timedelta(hours=1)
    lessons = [item for item in items if not item.is_quiz]
    progress = [ItemProgress(user_id=user.id, item_id=item.id, completed_at=finished_at)
                for item in (lessons if completed_at else lessons[:lessons_done])]
    for quiz in (item for item in items if item.is_quiz):
        best = score if score is not None else (100.0 if completed_at else None)
        if best is not None:
            passed = completed_at is not None or best >= (quiz.pass_mark or 80)
            progress.append(ItemProgress(user_id=user.id, item_id=quiz.id, best_score=best,
                                         completed_at=finished_at if passed else None))
    enrolment = Enrolment(user_id=user.id, course_id=course.id, enrolled_at=enrolled_at,
                          last_activity_at=finished_at if progress else enrolled_at, completed_at=completed_at)
    db.session.add_all([enrolment, *progress])
    db.session.flush()
    if certificate:
        issue_certificate(enrolment)
    db.session.commit()
    return enrolment


def make_cohort(name: str, courses=(), members=()) -> Cohort:
    """A workshop with these courses and members (nobody is enrolled by this)."""
    cohort = Cohort(name=name, location="村委会", join_code=new_join_code(), courses=list(courses))
    db.session.add(cohort)
    db.session.flush()
    db.session.add_all([CohortMember(cohort_id=cohort.id, user_id=member.id) for member in members])
    db.session.commit()
    return cohort
