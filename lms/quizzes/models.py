"""A quiz attempt: the questions drawn for it, the answers given, and the grade."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.content.models import CourseItem
from lms.database import UTCDateTime, utcnow
from lms.extensions import db


class QuizAttempt(db.Model):
    # (user, item, number) is unique so two parallel "start" clicks cannot make two attempts.
    __table_args__ = (UniqueConstraint("user_id", "item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("course_item.id"), index=True)
    number: Mapped[int] = mapped_column()
    language: Mapped[str] = mapped_column(String(8))
    # [{"q": index in the pool, "options": [display order of option indices] | null}, ...]
    layout: Mapped[list] = mapped_column(JSON, default=list)
    answers: Mapped[dict | None] = mapped_column(JSON)
    results: Mapped[list | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column()
    passed: Mapped[bool | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    item: Mapped[CourseItem] = relationship()

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
