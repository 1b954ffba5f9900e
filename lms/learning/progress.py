"""Enrolment, progress and completion: the one definition of "finished" that every page uses.

Functions flush, never commit: the view or command that calls them owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Float, bindparam, case, cast, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.content.models import Course, CourseItem
from lms.content.published import PublishedCourse, PublishedItem, kept_copy
from lms.database import UTCDateTime, utcnow
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.learning.signals import course_completed
from lms.reads import DirectRead


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
    item: PublishedItem
    finished: bool = False
    best_score: float | None = None


@dataclass
class Outline:
    """A course as one trainee sees it. `enrolment` has `completed_at` and `last_activity_at`, or is None."""

    course: PublishedCourse
    items: list[ItemStatus] = field(default_factory=list)
    enrolment: object | None = None
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
    def next_item(self) -> PublishedItem | None:
        for status in self.items:
            if not status.finished:
                return status.item
        return None

    def neighbours(self, item: PublishedItem) -> tuple[PublishedItem | None, PublishedItem | None]:
        return neighbours([status.item for status in self.items], item)


def neighbours(items: list[PublishedItem], item: PublishedItem) -> tuple[PublishedItem | None, PublishedItem | None]:
    """The items before and after this one in course order (None at either end, or when it is not there)."""
    index = next((n for n, candidate in enumerate(items) if candidate.id == item.id), None)
    if index is None:
        return None, None
    before = items[index - 1] if index > 0 else None
    after = items[index + 1] if index + 1 < len(items) else None
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


# The statements that run on every lesson page and every submission are built once, on the tables
# (SQLAlchemy Core): the ORM's handling of a statement costs more than the query itself here.
_enrolments, _progress, _items = Enrolment.__table__, ItemProgress.__table__, CourseItem.__table__

_courses = Course.__table__

# The course's stored version and, when the trainee is enrolled, their enrolment and each
# progress record in the course: one row per record, a row of NULLs for what is missing, no row
# when the course is not published. Lesson pages run this on every request.
_OUTLINE = (
    select(_courses.c.id, _courses.c.content_hash, _enrolments.c.id.label("enrolment_id"),
           _enrolments.c.completed_at, _enrolments.c.last_activity_at, _progress.c.item_id,
           _progress.c.completed_at.is_not(None).label("item_finished"), _progress.c.best_score)
    .select_from(
        _courses
        .outerjoin(_enrolments, (_enrolments.c.course_id == _courses.c.id)
                   & (_enrolments.c.user_id == bindparam("user_id")))
        .outerjoin(_progress, (_progress.c.user_id == _enrolments.c.user_id)
                   & _progress.c.item_id.in_(select(_items.c.id).where(_items.c.course_id == _courses.c.id)
                                             .correlate(_courses)))
    )
    .where(_courses.c.slug == bindparam("slug"), _courses.c.is_published)
)
_OUTLINE_READ = DirectRead(_OUTLINE)


@dataclass(frozen=True)
class EnrolmentState:
    completed_at: datetime | None
    last_activity_at: datetime | None


def course_outline(user: User, slug: str) -> Outline | None:
    """A published course with this trainee's ticks and scores, in one query; None when there is no such course.

    Prerequisites are checked only before enrolment: a trainee who started a course keeps it
    even if the course later gains a prerequisite.
    """
    rows = _OUTLINE_READ.all(user_id=user.id if user.is_authenticated else None, slug=slug)
    if not rows:
        return None
    outline = Outline(course=kept_copy(slug, rows[0].id, rows[0].content_hash))
    if rows[0].enrolment_id is not None:
        outline.enrolment = EnrolmentState(rows[0].completed_at, rows[0].last_activity_at)
    progress = {row.item_id: row for row in rows if row.item_id is not None}
    for item in outline.course.items:
        record = progress.get(item.id)
        outline.items.append(ItemStatus(
            item=item,
            finished=bool(record and record.item_finished),
            best_score=record.best_score if record else None,
        ))
    if outline.enrolment is None:
        outline.missing_prerequisites = missing_prerequisites(user, outline.course)
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


def require_enrolment(user: User, course: Course | PublishedCourse) -> Enrolment:
    enrolment = find_enrolment(user, course)
    if enrolment is None:
        raise LearningError("not_enrolled")
    return enrolment


_TOUCH_ENROLMENT = (
    update(_enrolments)
    .where(_enrolments.c.user_id == bindparam("trainee"), _enrolments.c.course_id == bindparam("course"))
    .values(last_activity_at=bindparam("now"))
    .returning(_enrolments.c.completed_at)
)


def _touch_enrolment(user: User, course: Course | PublishedCourse) -> datetime | None:
    """Note activity in an enrolled course; returns when the course was completed (None: not yet)."""
    row = db.session.execute(_TOUCH_ENROLMENT, {"trainee": user.id, "course": course.id, "now": utcnow()}).first()
    if row is None:
        raise LearningError("not_enrolled")
    return row.completed_at


_score = cast(bindparam("score"), Float)  # typed in the SQL: PostgreSQL cannot guess the type of "? IS NULL"
_UPDATE_PROGRESS = (
    update(_progress)
    .where(_progress.c.user_id == bindparam("trainee"), _progress.c.item_id == bindparam("item"))
    .values(
        completed_at=func.coalesce(_progress.c.completed_at, bindparam("completed", type_=UTCDateTime())),
        best_score=case(
            (_score.is_(None), _progress.c.best_score),
            (_progress.c.best_score.is_(None), _score),
            (_score > _progress.c.best_score, _score),
            else_=_progress.c.best_score,
        ),
        updated_at=bindparam("now", type_=UTCDateTime()),
    )
    .returning(_progress.c.completed_at)
)
_INSERT_PROGRESS = insert(_progress).values(
    user_id=bindparam("trainee"), item_id=bindparam("item"), completed_at=bindparam("completed"),
    best_score=bindparam("score"), updated_at=bindparam("now"),
)


def _record_progress(user: User, item: CourseItem | PublishedItem, completed: bool,
                     score: float | None = None) -> bool:
    """Keep the first completion and the best score. Returns whether the item is finished now.

    An update, else an insert; an insert that loses a race with a parallel request becomes the
    update (the savepoint keeps the rest of the transaction).
    """
    now = utcnow()
    values = {"trainee": user.id, "item": item.id, "completed": now if completed else None, "score": score,
              "now": now}
    for _attempt in range(2):
        row = db.session.execute(_UPDATE_PROGRESS, values).first()
        if row is not None:
            return row.completed_at is not None
        try:
            with db.session.begin_nested():
                db.session.execute(_INSERT_PROGRESS, values)
            return completed
        except IntegrityError:
            continue
    raise RuntimeError("progress record neither updated nor inserted")


def finish_lesson(user: User, item: CourseItem | PublishedItem) -> bool:
    """Record a finished lesson (or a self-checked task). Returns True when this finished the whole course."""
    if item.is_quiz or (item.is_task and not is_self_checked(item)):
        raise LearningError("not_a_lesson")
    course_completed_at = _touch_enrolment(user, item.course)
    _record_progress(user, item, completed=True)
    return course_completed_at is None and update_completion(user, item.course)


def record_quiz_result(user: User, item: CourseItem | PublishedItem, score: float, passed: bool) -> bool:
    """Keep the best score; a first pass finishes the item. Returns True when the course completed."""
    course_completed_at = _touch_enrolment(user, item.course)
    item_finished = _record_progress(user, item, completed=passed, score=score)
    return item_finished and course_completed_at is None and update_completion(user, item.course)


def is_self_checked(item: CourseItem | PublishedItem) -> bool:
    """A task the trainee checks against its rubric and marks done themselves (`review: self`)."""
    return item.is_task and (item.task or {}).get("review") == "self"


def record_task_passed(user: User, item: CourseItem | PublishedItem) -> bool:
    """A passed review finishes a task. Returns True when the course completed with it."""
    course_completed_at = _touch_enrolment(user, item.course)
    _record_progress(user, item, completed=True)
    return course_completed_at is None and update_completion(user, item.course)


_UNFINISHED_ITEMS = (
    select(func.count(_items.c.id))
    .outerjoin(_progress, (_progress.c.item_id == _items.c.id) & (_progress.c.user_id == bindparam("trainee")))
    .where(_items.c.course_id == bindparam("course"), _items.c.is_active, _progress.c.completed_at.is_(None))
)


def is_course_complete(user: User, course: Course | PublishedCourse) -> bool:
    """Complete when every active lesson is finished and every active quiz passed."""
    return db.session.scalar(_UNFINISHED_ITEMS, {"trainee": user.id, "course": course.id}) == 0


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
