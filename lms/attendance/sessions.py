"""Planning a workshop's sessions: create (with a weekly repeat), edit, cancel, close check-in.

Domain functions take plain data and flush; the view commits. Times are timezone-aware UTC;
the view turns the instructor's local date and times into them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from lms.attendance.models import AttendanceSession
from lms.audit.log import record_event
from lms.cohorts.models import Cohort, CohortMember
from lms.extensions import db

MAX_REPEAT_WEEKS = 20
# The code only ever appears on the projector, which an instructor opens in the hall; check-in
# accepts a valid code from this long before the start until the end (or until closed by hand).
OPENS_BEFORE = timedelta(hours=1)

NOT_YET, OPEN, CLOSED, CANCELLED = "not_yet", "open", "closed", "cancelled"


@dataclass(frozen=True)
class SessionPlan:
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    topic: str = ""
    bring: str = ""
    credited_minutes: int = 0
    late_after_minutes: int = 15


def weekly(first: SessionPlan, repeat_weeks: int, zone: ZoneInfo) -> list[SessionPlan]:
    """The first session and `repeat_weeks` more on the same weekday and local time."""
    plans = []
    local_start, local_end = first.starts_at.astimezone(zone), first.ends_at.astimezone(zone)
    for week in range(min(repeat_weeks, MAX_REPEAT_WEEKS) + 1):
        shift = timedelta(weeks=week)
        plans.append(SessionPlan(**{**first.__dict__,
                                    "starts_at": (local_start.replace(tzinfo=None) + shift).replace(tzinfo=zone),
                                    "ends_at": (local_end.replace(tzinfo=None) + shift).replace(tzinfo=zone)}))
    return plans


def plan_sessions(cohort: Cohort, plans: list[SessionPlan], actor) -> list[AttendanceSession]:
    sessions = [AttendanceSession(cohort_id=cohort.id, created_by_id=actor.id, **plan.__dict__) for plan in plans]
    db.session.add_all(sessions)
    db.session.flush()
    record_event(actor, "attendance.sessions_planned", "cohort", cohort.id,
                 sessions=[s.id for s in sessions])
    return sessions


def update_session(session: AttendanceSession, plan: SessionPlan, actor) -> None:
    for name, value in plan.__dict__.items():
        setattr(session, name, value)
    db.session.flush()
    record_event(actor, "attendance.session_changed", "attendance_session", session.id, cohort_id=session.cohort_id)


def cancel_session(session: AttendanceSession, actor, now: datetime) -> None:
    """Kept and marked; its marks stay on record but it counts for nobody."""
    if session.cancelled_at is None:
        session.cancelled_at = now
        record_event(actor, "attendance.session_cancelled", "attendance_session", session.id,
                     cohort_id=session.cohort_id)


def close_checkin(session: AttendanceSession, actor, now: datetime) -> None:
    if session.checkin_closed_at is None:
        session.checkin_closed_at = now
        record_event(actor, "attendance.checkin_closed", "attendance_session", session.id, cohort_id=session.cohort_id)


def checkin_state(session: AttendanceSession, now: datetime) -> str:
    if session.cancelled_at is not None:
        return CANCELLED
    if session.checkin_closed_at is not None or now >= session.ends_at:
        return CLOSED
    if now < session.starts_at - OPENS_BEFORE:
        return NOT_YET
    return OPEN


def sessions_of(cohort_id: int) -> list[AttendanceSession]:
    return list(db.session.scalars(
        select(AttendanceSession).where(AttendanceSession.cohort_id == cohort_id)
        .order_by(AttendanceSession.starts_at, AttendanceSession.id)
    ))


def held_sessions(cohort_id: int, now: datetime) -> list[AttendanceSession]:
    """Sessions that have started and were not cancelled: the ones attendance is counted over."""
    return [s for s in sessions_of(cohort_id) if s.cancelled_at is None and s.starts_at <= now]


def next_session_for(user, now: datetime) -> AttendanceSession | None:
    """The trainee's next session in any of their workshops (one going on now counts)."""
    return db.session.scalar(
        select(AttendanceSession)
        .join(CohortMember, CohortMember.cohort_id == AttendanceSession.cohort_id)
        .where(CohortMember.user_id == user.id, AttendanceSession.cancelled_at.is_(None),
               AttendanceSession.ends_at > now)
        .order_by(AttendanceSession.starts_at, AttendanceSession.id).limit(1)
    )
