"""What a synced course looks like in the database.

Texts are stored per language as small JSON mappings ({"zh": ..., "en": ...}) so a course and
its translations load and publish as one unit, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.database import UTCDateTime, utcnow
from lms.extensions import db

LEVELS = ("intro", "intermediate")
ITEM_KINDS = ("lesson", "quiz", "task")


def pick_language(texts: dict[str, str] | None, language: str, fallback: str) -> str:
    """The text in `language` when the course has it, else in the course's main language."""
    texts = texts or {}
    return texts.get(language) or texts.get(fallback) or ""


class CourseTexts:
    """A course's texts in the reader's language: the stored course, its published copy and a preview.

    Needs `language`, `languages`, `titles` and `summaries`.
    """

    def title(self, language: str) -> str:
        return pick_language(self.titles, language, self.language)

    def summary(self, language: str) -> str:
        return pick_language(self.summaries, language, self.language)

    def shown_language(self, language: str) -> str:
        """The language the course is actually shown in for a reader who asked for `language`."""
        return language if language in (self.languages or []) else self.language


class ItemTexts:
    """An item's title in the reader's language, else its course's main one. Needs `kind`, `titles`, `course`."""

    @property
    def is_quiz(self) -> bool:
        return self.kind == "quiz"

    @property
    def is_task(self) -> bool:
        return self.kind == "task"

    def title(self, language: str) -> str:
        return pick_language(self.titles, language, self.course.language)


class Track(db.Model):
    """A training track (entrepreneurship, employment) or, with a parent, a specialty in it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("track.id"))
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Track | None] = relationship(remote_side=[id], back_populates="specialties")
    specialties: Mapped[list[Track]] = relationship(
        back_populates="parent", order_by="Track.position"
    )

    def name(self, language: str) -> str:
        return pick_language(self.names, language, "zh")


class Course(CourseTexts, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"))
    specialty_id: Mapped[int | None] = mapped_column(ForeignKey("track.id"))
    level: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    languages: Mapped[list] = mapped_column(JSON, default=list)
    titles: Mapped[dict] = mapped_column(JSON, default=dict)
    summaries: Mapped[dict] = mapped_column(JSON, default=dict)
    landing_html: Mapped[dict] = mapped_column(JSON, default=dict)
    hours: Mapped[float] = mapped_column(default=0)
    pass_mark: Mapped[int] = mapped_column(default=80)
    certificate: Mapped[bool] = mapped_column(default=True)
    requires: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    is_published: Mapped[bool] = mapped_column(default=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    track: Mapped[Track] = relationship(foreign_keys=[track_id])
    specialty: Mapped[Track | None] = relationship(foreign_keys=[specialty_id])
    items: Mapped[list[CourseItem]] = relationship(
        back_populates="course",
        order_by="CourseItem.position",
        primaryjoin="and_(Course.id == CourseItem.course_id, CourseItem.is_active)",
        viewonly=True,
    )



class CourseItem(ItemTexts, db.Model):
    """A lesson, a quiz or a practical task. Identity is (course, slug), so renumbering files keeps progress."""

    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    minutes: Mapped[int] = mapped_column(default=0)
    titles: Mapped[dict] = mapped_column(JSON, default=dict)
    body_html: Mapped[dict] = mapped_column(JSON, default=dict)
    # Quiz settings and questions (with their answer keys: never sent to a browser unsubmitted).
    pass_mark: Mapped[int | None] = mapped_column()
    attempts_allowed: Mapped[int] = mapped_column(default=0)
    shuffle: Mapped[bool] = mapped_column(default=False)
    draw: Mapped[int | None] = mapped_column()
    partial_credit: Mapped[bool] = mapped_column(default=False)
    questions: Mapped[dict] = mapped_column(JSON, default=dict)
    # Practical task: what to hand in and how it is reviewed, and the rubric per language (lms/content/taskfile.py).
    task: Mapped[dict] = mapped_column(JSON, default=dict)
    rubric: Mapped[dict] = mapped_column(JSON, default=dict)

    course: Mapped[Course] = relationship(foreign_keys=[course_id])


class CourseMedia(db.Model):
    """An image from a course's media/ folder, kept in the database so every app server has it."""

    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    path: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    content: Mapped[bytes] = mapped_column(LargeBinary)
