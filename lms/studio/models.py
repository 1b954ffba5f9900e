"""Course authors and drafts (published versions are content's: `lms.content.versions`).

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

