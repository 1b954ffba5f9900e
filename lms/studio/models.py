"""Course authors, drafts and published versions.

Courses are reached by slug, not by `course.id`: a course uploaded in the browser has authors and
a draft before it is ever published (and so before it has a `course` row). Files are kept as a
ZIP blob of {path inside the course folder: bytes}, in the database so every app server has them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.database import UTCDateTime, utcnow
from lms.extensions import db

# Where a version came from.
FROM_FILES = "files"  # `flask courses sync`
FROM_BROWSER = "browser"  # published from the studio
ROLLBACK = "rollback"  # an earlier version published again
VERSION_SOURCES = (FROM_FILES, FROM_BROWSER, ROLLBACK)


class CourseAuthor(db.Model):
    """An instructor who may edit and publish a course. Administrators may do so without a row here."""

    __tablename__ = "course_author"
    __table_args__ = (UniqueConstraint("course_slug", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CourseDraft(db.Model):
    """The working files of a course: what its authors upload and edit until they publish."""

    __tablename__ = "course_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(64), unique=True)
    files: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # Raised on every save, so an editor opened before someone else's save does not overwrite it.
    revision: Mapped[int] = mapped_column(default=1)
    based_on_version: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class CourseVersion(db.Model):
    """One published state of a course, kept for good: history is never rewritten, a rollback adds a version."""

    __tablename__ = "course_version"
    __table_args__ = (UniqueConstraint("course_slug", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[int] = mapped_column()
    files: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default=FROM_FILES)
    restored_from: Mapped[int | None] = mapped_column()  # the version number a rollback published again
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the author wrote about the change. Where a version came from is `source` and `restored_from`,
    # which the studio words in the reader's language.
    note: Mapped[str] = mapped_column(String(200), default="")

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def author_note(self) -> str:
        """The author's note, without the English words earlier versions of Cunke stored in its place
        ("synced from files", "rolled back to version 2"): the source says the same in the reader's language."""
        machine = {FROM_FILES: "synced from files", ROLLBACK: f"rolled back to version {self.restored_from}"}
        return "" if self.note == machine.get(self.source) else self.note
