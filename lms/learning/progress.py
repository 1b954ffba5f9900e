"""Enrolment, progress and completion: the one definition of "finished" that every page uses.

Functions flush, never commit: the view or command that calls them owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.content.models import Course, CourseItem
from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.learning.signals import course_completed


class LearningError(Exception):
    """Why a learning action was refused, as a short code the view translates."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass
class CourseProgress:
    total: int = 0
    finished: int = 0
    enrolled: bool = False
    completed_at: datetime | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 0


@dataclass
class ItemStatus:
    item: CourseItem
    finished: bool = False
    best_score: float | None = None


@dataclass
class Outline:
    course: Course
    items: list[ItemStatus] = field(default_factory=list)
    enrolment: Enrolment | None = None
    missing_prerequisites: list[Course] = field(default_factory=list)

    @property
    def progress(self) -> CourseProgress:
        return CourseProgress(
            total=len(self.items),
            finished=sum(1 for s in self.items if s.finished),
            enrolled=self.enrolment is not None,
            completed_at=self.enrolment.completed_at if self.enrolment else None,
        )

    @property
    def next_item(self) -> CourseItem | None:
        for status in self.items:
            if not status.finished:
                return status.item
        return None

    def neighbours(self, item: CourseItem) -> tuple[CourseItem | None, CourseItem | None]:
        ids = [s.item.id for s in self.items]
        index = ids.index(item.id)
        before = self.items[index - 1].item if index > 0 else None
        after = self.items[index + 1].item if index + 1 < len(self.items) else None
        return before, after


# ---------------------------------------------------------------- queries


def published_courses() -> list[Course]:
    """Every course trainees may see, with its track and specialty, in catalog order."""
    return list(db.session.scalars(
        select(Course)
        .where(Course.is_published)
        .options(selectinload(Course.track), selectinload(Course.specialty))
        .order_by(Course.position, Course.slug)
    ))


def find_course(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug, Course.is_published))


def find_item(course: Course, slug: str) -> CourseItem | None:
    return db.session.scalar(
        select(CourseItem).where(CourseItem.course_id == course.id, CourseItem.slug == slug,
                                 CourseItem.is_active)
    )


def active_items(course: Course) -> list[CourseItem]:
    return list(db.session.scalars(
        select(CourseItem).where(CourseItem.course_id == course.id, CourseItem.is_active)
        .order_by(CourseItem.position)
    ))


def find_enrolment(user: User, course: Course) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )


def completed_course_slugs(user: User) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(db.session.scalars(
        select(Course.slug).join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.user_id == user.id, Enrolment.completed_at.is_not(None))
    ))


def missing_prerequisites(user: User, course: Course, courses_by_slug: dict[str, Course] | None = None,
                          completed: set[str] | None = None) -> list[Course]:
    """Required courses this user has not completed yet (an empty list means unlocked)."""
    if not course.requires:
        return []
    completed = completed_course_slugs(user) if completed is None else completed
    if courses_by_slug is None:
        courses_by_slug = {
            c.slug: c for c in db.session.scalars(select(Course).where(Course.slug.in_(course.requires)))
        }
    return [courses_by_slug[slug] for slug in course.requires
            if slug not in completed and slug in courses_by_slug]


def progress_by_course(user: User) -> dict[int, CourseProgress]:
    """Progress of every course the user is enrolled in, in two queries."""
    if not user.is_authenticated:
        return {}
    result: dict[int, CourseProgress] = {}
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id))
    for enrolment in enrolments:
        result[enrolment.course_id] = CourseProgress(enrolled=True, completed_at=enrolment.completed_at)
    totals = db.session.execute(
        select(CourseItem.course_id, func.count(CourseItem.id))
        .where(CourseItem.is_active, CourseItem.course_id.in_(result))
        .group_by(CourseItem.course_id)
    )
    for course_id, total in totals:
        result[course_id].total = total
    finished = db.session.execute(
        select(CourseItem.course_id, func.count(ItemProgress.id))
        .join(ItemProgress, ItemProgress.item_id == CourseItem.id)
        .where(ItemProgress.user_id == user.id, ItemProgress.completed_at.is_not(None), CourseItem.is_active)
        .group_by(CourseItem.course_id)
    )
    for course_id, count in finished:
        if course_id in result:
            result[course_id].finished = count
    return result


def course_outline(user: User, course: Course) -> Outline:
    items = active_items(course)
    outline = Outline(course=course, enrolment=find_enrolment(user, course))
    progress: dict[int, ItemProgress] = {}
    if user.is_authenticated and items:
        progress = {
            p.item_id: p for p in db.session.scalars(
                select(ItemProgress).where(ItemProgress.user_id == user.id,
                                           ItemProgress.item_id.in_([i.id for i in items]))
            )
        }
    for item in items:
        record = progress.get(item.id)
        outline.items.append(ItemStatus(
            item=item,
            finished=bool(record and record.completed_at),
            best_score=record.best_score if record else None,
        ))
    outline.missing_prerequisites = missing_prerequisites(user, course)
    return outline


# ---------------------------------------------------------------- changes


def enrol(user: User, course: Course) -> Enrolment:
    """Enrol in a course whose prerequisites are complete. Enrolling twice is harmless."""
    existing = find_enrolment(user, course)
    if existing is not None:
        return existing
    missing = missing_prerequisites(user, course)
    if missing:
        raise LearningError("locked", missing=missing)
    enrolment = Enrolment(user_id=user.id, course_id=course.id)
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:  # enrolled a moment ago by a parallel request
        return find_enrolment(user, course)
    return enrolment


def _progress_record(user: User, item: CourseItem) -> ItemProgress:
    record = db.session.scalar(
        select(ItemProgress).where(ItemProgress.user_id == user.id, ItemProgress.item_id == item.id)
    )
    if record is not None:
        return record
    record = ItemProgress(user_id=user.id, item_id=item.id)
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        record = db.session.scalar(
            select(ItemProgress).where(ItemProgress.user_id == user.id, ItemProgress.item_id == item.id)
        )
    return record


def require_enrolment(user: User, course: Course) -> Enrolment:
    enrolment = find_enrolment(user, course)
    if enrolment is None:
        raise LearningError("not_enrolled")
    return enrolment


def finish_lesson(user: User, item: CourseItem) -> bool:
    """Record a finished lesson. Returns True when this finished the whole course."""
    if item.is_quiz:
        raise LearningError("not_a_lesson")
    enrolment = require_enrolment(user, item.course)
    record = _progress_record(user, item)
    if record.completed_at is None:
        record.completed_at = utcnow()
    enrolment.last_activity_at = utcnow()
    db.session.flush()
    return update_completion(user, item.course)


def record_quiz_result(user: User, item: CourseItem, score: float, passed: bool) -> bool:
    """Keep the best score; a first pass finishes the item. Returns True when the course completed."""
    enrolment = require_enrolment(user, item.course)
    record = _progress_record(user, item)
    if record.best_score is None or score > record.best_score:
        record.best_score = score
    if passed and record.completed_at is None:
        record.completed_at = utcnow()
    enrolment.last_activity_at = utcnow()
    db.session.flush()
    return update_completion(user, item.course)


def is_course_complete(user: User, course: Course) -> bool:
    """Complete when every active lesson is finished and every active quiz passed."""
    unfinished = db.session.scalar(
        select(func.count(CourseItem.id))
        .outerjoin(ItemProgress, (ItemProgress.item_id == CourseItem.id) & (ItemProgress.user_id == user.id))
        .where(CourseItem.course_id == course.id, CourseItem.is_active,
               ItemProgress.completed_at.is_(None))
    )
    return unfinished == 0


def update_completion(user: User, course: Course) -> bool:
    """Record the completion time once. Only the request that sets it sends `course_completed`."""
    if not is_course_complete(user, course):
        return False
    now = utcnow()
    result = db.session.execute(
        update(Enrolment)
        .where(Enrolment.user_id == user.id, Enrolment.course_id == course.id,
               Enrolment.completed_at.is_(None))
        .values(completed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    enrolment = find_enrolment(user, course)
    db.session.refresh(enrolment)
    course_completed.send(enrolment)
    return True
