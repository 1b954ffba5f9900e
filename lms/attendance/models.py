"""A workshop's sessions in the hall, and who attended each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.database import UTCDateTime, utcnow
from lms.extensions import db

PRESENT, LATE, ABSENT, EXCUSED = "present", "late", "absent", "excused"
STATUSES = (PRESENT, LATE, ABSENT, EXCUSED)
ATTENDED = (PRESENT, LATE)  # the statuses that credit a session's hours

VIA_QR, VIA_CODE, VIA_ROLL_CALL = "qr", "code", "roll_call"


class AttendanceSession(db.Model):
    """One meeting of a workshop. A cancelled session is kept and marked; it counts for nobody."""

    __tablename__ = "attendance_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(120), default="")
    topic: Mapped[str] = mapped_column(String(200), default="")
    bring: Mapped[str] = mapped_column(String(200), default="")
    credited_minutes: Mapped[int] = mapped_column(default=0)  # whole minutes: no floats in the records
    late_after_minutes: Mapped[int] = mapped_column(default=15)
    checkin_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # closed by hand before the end
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship()

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def credited_hours(self) -> float:
        return self.credited_minutes / 60


class Attendance(db.Model):
    """One trainee's mark for one session. The unique pair makes a second check-in a no-op,
    however many phones scan at once."""

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("attendance_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    via: Mapped[str] = mapped_column(String(16))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    session: Mapped[AttendanceSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
