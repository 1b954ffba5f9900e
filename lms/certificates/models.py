"""Certificates: what was certified, as it stood when issued, and the PDF rendered once from it.

A certificate is a snapshot. The name, course titles, track, level, hours, completion date,
issuing organisation and signatories are copied in when it is issued, so a later edit of a
profile, a course or the configuration never changes a certificate someone already holds.
Correcting one means re-issuing: a new row with a new code, the old one marked superseded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.certificates.codes import format_code
from lms.content.models import Course
from lms.database import UTCDateTime, utcnow
from lms.extensions import db

VALID = "valid"
REVOKED = "revoked"
SUPERSEDED = "superseded"


class Certificate(db.Model):
    # One row per issue: the first certificate of a (user, course) is issue 1, a re-issue takes the next
    # number. The constraint makes issuing on completion exactly-once even when two completions race.
    __table_args__ = (UniqueConstraint("user_id", "course_id", "issue_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    issue_number: Mapped[int] = mapped_column(default=1)
    # valid, revoked or superseded; the timestamps below say when it stopped being valid.
    state: Mapped[str] = mapped_column(String(16), default=VALID, index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The snapshot.
    holder_name: Mapped[str] = mapped_column(String(80))
    course_titles: Mapped[dict] = mapped_column(JSON, default=dict)
    course_language: Mapped[str] = mapped_column(String(8))
    track_names: Mapped[dict] = mapped_column(JSON, default=dict)
    specialty_names: Mapped[dict] = mapped_column(JSON, default=dict)
    level: Mapped[str] = mapped_column(String(16))
    hours: Mapped[float] = mapped_column(default=0)
    # Hours attended at the workshop's sessions when it was issued; None when no session was held.
    attended_hours: Mapped[float | None] = mapped_column()
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    org_name: Mapped[str] = mapped_column(String(200))
    org_name_en: Mapped[str] = mapped_column(String(200), default="")
    signatories: Mapped[list] = mapped_column(JSON, default=list)

    # Revoked or superseded certificates stay, so their codes still verify (as such).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))

    # Set by whoever renders the PDF, so a second request waits instead of rendering it again.
    render_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    holder: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    @property
    def is_valid(self) -> bool:
        return self.state == VALID

    @property
    def display_code(self) -> str:
        return format_code(self.code)


class CertificatePdf(db.Model):
    """The rendered PDF, kept in the database so every app server serves the same bytes."""

    __tablename__ = "certificate_pdf"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
