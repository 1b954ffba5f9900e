"""Published courses as trainees read them: read-only copies shared by the requests of one process.

A course changes only when it is synced (from files or from the studio), and every sync gives it
a new content hash. So each process keeps a copy of the courses it has served, with their items,
lesson bodies and questions, and a request checks with one small query that its copy still has
the stored hash. Lesson and quiz pages then cost no more queries than the trainee's own progress
needs. The copies are plain objects, never attached to a database session: change courses
through `lms.content.sync`, not through these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select

from lms.content.models import Course, CourseItem, CourseTexts, ItemTexts
from lms.extensions import db
from lms.kept import KeptCopies, kept_by_app

CACHED_COURSES = 64  # per process; a course with its lessons is usually 50–200 KB

# The freshness checks run on every lesson page: built once, on the tables (Core), they cost a
# fraction of an ORM query.
_courses, _items = Course.__table__, CourseItem.__table__
_BY_SLUG = select(_courses.c.id, _courses.c.content_hash).where(_courses.c.slug == bindparam("slug"),
                                                                _courses.c.is_published)
_BY_ITEM = (
    select(_courses.c.slug, _courses.c.id, _courses.c.content_hash)
    .join(_items, _items.c.course_id == _courses.c.id)
    .where(_items.c.id == bindparam("item_id"), _courses.c.is_published)
)


@dataclass(eq=False)
class PublishedItem(ItemTexts):
    id: int
    slug: str
    kind: str
    position: int
    is_active: bool
    minutes: int
    titles: dict[str, str]
    body_html: dict[str, str]
    pass_mark: int | None
    attempts_allowed: int
    shuffle: bool
    draw: int | None
    partial_credit: bool
    questions: dict[str, list[dict]]
    course: PublishedCourse
    task: dict = field(default_factory=dict)
    rubric: dict[str, list[dict]] = field(default_factory=dict)


@dataclass(eq=False)
class PublishedCourse(CourseTexts):
    id: int
    slug: str
    content_hash: str
    level: str
    language: str
    languages: list[str]
    titles: dict[str, str]
    summaries: dict[str, str]
    hours: float
    pass_mark: int
    certificate: bool
    requires: list[str]
    items: list[PublishedItem] = field(default_factory=list)  # active ones, in course order
    retired: dict[int, PublishedItem] = field(default_factory=dict)  # removed items, for old attempts
    is_published: bool = True

    def item(self, slug: str) -> PublishedItem | None:
        return next((item for item in self.items if item.slug == slug), None)

    def item_by_id(self, item_id: int) -> PublishedItem | None:
        return next((item for item in self.items if item.id == item_id), None) or self.retired.get(item_id)


class _Shelf:
    """The copies one application keeps: the most recently used courses, by slug."""

    def __init__(self):
        self.courses: KeptCopies[PublishedCourse] = KeptCopies()

    def fresh(self, slug: str, course_id: int, content_hash: str) -> PublishedCourse:
        course = self.courses.get(slug)
        if course is None or course.id != course_id or course.content_hash != content_hash:
            course = _read_course(course_id)
            self.courses.put(slug, course, CACHED_COURSES)
        return course


def published_course(slug: str) -> PublishedCourse | None:
    """The published course with this slug, as stored now; None when there is none."""
    row = db.session.execute(_BY_SLUG, {"slug": slug}).first()
    return kept_copy(slug, row.id, row.content_hash) if row else None


def kept_copy(slug: str, course_id: int, content_hash: str) -> PublishedCourse:
    """This process's copy of a course whose stored id and hash the caller has just read."""
    return kept_by_app("lms.published_courses", _Shelf).fresh(slug, course_id, content_hash)


def published_item(item_id: int) -> PublishedItem | None:
    """An item (also a removed one) of a published course, by id; None when its course is not published."""
    row = db.session.execute(_BY_ITEM, {"item_id": item_id}).first()
    if row is None:
        return None
    return kept_copy(row.slug, row.id, row.content_hash).item_by_id(item_id)


def _read_course(course_id: int) -> PublishedCourse:
    stored = db.session.get(Course, course_id)
    course = PublishedCourse(
        id=stored.id, slug=stored.slug, content_hash=stored.content_hash, level=stored.level,
        language=stored.language, languages=list(stored.languages or []), titles=dict(stored.titles or {}),
        summaries=dict(stored.summaries or {}), hours=stored.hours, pass_mark=stored.pass_mark,
        certificate=stored.certificate, requires=list(stored.requires or []),
    )
    rows = db.session.scalars(
        select(CourseItem).where(CourseItem.course_id == course_id).order_by(CourseItem.position, CourseItem.id)
    )
    for row in rows:
        item = PublishedItem(
            id=row.id, slug=row.slug, kind=row.kind, position=row.position, is_active=row.is_active,
            minutes=row.minutes, titles=row.titles or {}, body_html=row.body_html or {}, pass_mark=row.pass_mark,
            attempts_allowed=row.attempts_allowed, shuffle=row.shuffle, draw=row.draw,
            partial_credit=row.partial_credit, questions=row.questions or {}, course=course,
            task=row.task or {}, rubric=row.rubric or {},
        )
        if row.is_active:
            course.items.append(item)
        else:
            course.retired[item.id] = item
    return course
