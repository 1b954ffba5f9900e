"""Workshops (cohorts): a group of trainees, their instructors, a place, dates and courses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.content.models import Course
from lms.database import UTCDateTime, utcnow
from lms.extensions import db

cohort_course = Table(
    "cohort_course",
    db.metadata,
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("course_id", ForeignKey("course.id", ondelete="CASCADE"), primary_key=True),
)

cohort_instructor = Table(
    "cohort_instructor",
    db.metadata,
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Cohort(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(120), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int | None] = mapped_column()
    join_code: Mapped[str] = mapped_column(String(6), unique=True)
    join_open: Mapped[bool] = mapped_column(default=True)
    # Certificates for the workshop's courses need at least this share of its held sessions attended
    # (lms/attendance/requirement.py); None: no requirement.
    attendance_required_percent: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    courses: Mapped[list[Course]] = relationship(secondary=cohort_course, order_by="Course.position")
    instructors: Mapped[list[User]] = relationship(secondary=cohort_instructor)
    memberships: Mapped[list[CohortMember]] = relationship(back_populates="cohort", cascade="all, delete-orphan")


# How someone came into a workshop. An instructor may hand sign-in cards and reset codes only to
# members who came in one of the TRUSTED ways (lms/cohorts/policy.py: may_issue_credentials).
JOINED_WITH_CODE = "code"  # the trainee typed or scanned the join code themselves
JOINED_BY_INVITATION = "invitation"  # the trainee accepted an instructor's invitation
JOINED_BY_IMPORT = "import"  # a trainee list made the account and added it
ADDED_BEFORE_INVITATIONS = "legacy"  # an older list added an account it had not made: not trusted
TRUSTED_WAYS_IN = (JOINED_WITH_CODE, JOINED_BY_INVITATION, JOINED_BY_IMPORT)


class CohortMember(db.Model):
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_via: Mapped[str] = mapped_column(String(16), default=JOINED_WITH_CODE)

    cohort: Mapped[Cohort] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class CohortInvitation(db.Model):
    """An instructor asks someone who already has an account to join a workshop.

    A trainee list never adds an existing account by itself: that person is invited, sees the
    invitation on their next page, and joins or declines. An answered invitation is kept, so a
    declined person is not asked again by the next upload of the same list.
    """

    __tablename__ = "cohort_invitation"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted: Mapped[bool | None] = mapped_column()

    cohort: Mapped[Cohort] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class TraineeImport(db.Model):
    """An uploaded trainee list waiting for its instructor's confirmation.

    The parsed rows are kept here between the preview and the confirmation (a session cookie is
    too small for a few hundred rows); nothing else is written until the instructor confirms.
    """

    __tablename__ = "trainee_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255), default="")
    # The workshop for rows whose own workshop column is empty.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"))
    # [{"line": 2, "name": "...", "phone": "...", "village": "...", "cohort": "..."}, ...] as uploaded.
    rows: Mapped[list] = mapped_column(JSON, default=list)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # After confirmation: what happened to each row ({"line": 2, "outcome": "invited"}, ...).
    # Whether a number already had an account is said only here, never in the preview.
    outcomes: Mapped[list] = mapped_column(JSON, default=list)

    cohort: Mapped[Cohort | None] = relationship()
