"""Work sent for a practical task: every version kept, its photos stored once each by content.

Photo bytes live in their own table (`task_photo`), read only when a photo itself is requested, so
the pages that list submissions never load them. Each photo is stored once, named by the SHA-256 of
its re-encoded bytes: a trainee who sends the same picture again, or two versions that keep a photo,
add no bytes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.content.models import CourseItem
from lms.database import UTCDateTime, utcnow
from lms.extensions import db

WAITING, PASSED, AGAIN = "waiting", "passed", "again"


class TaskPhoto(db.Model):
    """One re-encoded photo (EXIF removed, at most 1600 px), named by its content."""

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    mimetype: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    size: Mapped[int] = mapped_column()
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TaskSubmission(db.Model):
    """One version of a trainee's work on a task, and the review it got."""

    __table_args__ = (UniqueConstraint("user_id", "item_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("course_item.id"), index=True)
    version: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    photos: Mapped[list] = mapped_column(JSON, default=list)  # digests of TaskPhoto rows, in the order sent
    status: Mapped[str] = mapped_column(String(8), default=WAITING, index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    levels: Mapped[list] = mapped_column(JSON, default=list)  # the level given per criterion, 1 = the lowest
    comment: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    item: Mapped[CourseItem] = relationship()
