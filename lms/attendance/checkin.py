"""Marking attendance: a trainee's own check-in with the rotating code, and the instructor's roll call.

A check-in is one INSERT that the unique (session, user) pair guards (ON CONFLICT DO NOTHING on
SQLite and PostgreSQL alike): two scans at once mark the trainee once, and the second hears
"already checked in". Functions flush; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms.accounts.models import User
from lms.attendance.codes import code_is_valid
from lms.attendance.models import ABSENT, ATTENDED, LATE, PRESENT, STATUSES, Attendance, AttendanceSession
from lms.attendance.sessions import CLOSED, OPEN, OPENS_BEFORE, checkin_state
from lms.audit.log import record_event
from lms.certificates.issuing import issue_certificate
from lms.cohorts.models import CohortMember, cohort_course
from lms.extensions import db
from lms.learning.models import Enrolment

# Answers a check-in can get; the view words them.
CHECKED_IN, ALREADY, WRONG_CODE, NOT_MEMBER = "checked_in", "already", "wrong_code", "not_member"
# A typed code is looked for among sessions this recently closed, to say "closed" rather than "wrong".
RECENTLY_CLOSED = timedelta(hours=2)


@dataclass(frozen=True)
class CheckInOutcome:
    answer: str  # CHECKED_IN, ALREADY, WRONG_CODE, NOT_MEMBER, or a session state (closed, cancelled, not yet)
    session: AttendanceSession | None = None
    status: str | None = None  # present or late, when marked


def is_member(session: AttendanceSession, user_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        CohortMember.cohort_id == session.cohort_id, CohortMember.user_id == user_id))))


def status_at(session: AttendanceSession, now: datetime) -> str:
    return LATE if now > session.starts_at + timedelta(minutes=session.late_after_minutes) else PRESENT


def check_in(user, session: AttendanceSession, now: datetime, via: str) -> CheckInOutcome:
    """Mark `user` at `session` if check-in is open and they belong to its workshop.
    The code was checked by the caller (`session_for_link` or `session_for_typed_code`)."""
    state = checkin_state(session, now)
    if state != OPEN:
        return CheckInOutcome(state, session)
    if not is_member(session, user.id):
        return CheckInOutcome(NOT_MEMBER, session)
    status = status_at(session, now)
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)
    inserted = db.session.scalar(
        insert(Attendance).values(session_id=session.id, user_id=user.id, status=status, via=via, marked_at=now,
                                  marked_by_id=user.id)
        .on_conflict_do_nothing(index_elements=["session_id", "user_id"]).returning(Attendance.id)
    )
    if inserted is not None:
        issue_waiting_certificates(session, user.id)
        return CheckInOutcome(CHECKED_IN, session, status)
    # A roll call that marked them absent before they arrived gives way to their own check-in.
    changed = db.session.execute(
        update(Attendance).where(Attendance.session_id == session.id, Attendance.user_id == user.id,
                                 Attendance.status == ABSENT)
        .values(status=status, via=via, marked_at=now, marked_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 1:
        issue_waiting_certificates(session, user.id)
        return CheckInOutcome(CHECKED_IN, session, status)
    return CheckInOutcome(ALREADY, session, db.session.scalar(
        select(Attendance.status).where(Attendance.session_id == session.id, Attendance.user_id == user.id)))


def session_for_link(session_id: int, code: str, secret: str, now: datetime) -> CheckInOutcome:
    """The session a scanned link names, if its code is current (or within the grace)."""
    session = db.session.get(AttendanceSession, session_id)
    if session is None:
        return CheckInOutcome(WRONG_CODE)
    state = checkin_state(session, now)
    if state == OPEN and not code_is_valid(secret, session.id, code, now):
        return CheckInOutcome(WRONG_CODE, session)
    return CheckInOutcome(state, session)


def session_for_typed_code(user, typed: str, secret: str, now: datetime) -> CheckInOutcome:
    """The session whose current code this is: among the sessions open now (and those closed lately,
    to say so); the trainee's own workshops first. Few sessions are open at any moment."""
    candidates = list(db.session.scalars(
        select(AttendanceSession).where(
            AttendanceSession.starts_at <= now + OPENS_BEFORE,
            AttendanceSession.ends_at > now - RECENTLY_CLOSED,
        ).order_by(AttendanceSession.starts_at.desc())
    ))
    own = set(db.session.scalars(select(CohortMember.cohort_id).where(CohortMember.user_id == user.id)))
    candidates.sort(key=lambda s: s.cohort_id not in own)
    for session in candidates:
        state = checkin_state(session, now)
        if state in (OPEN, CLOSED) and code_is_valid(secret, session.id, typed, now):
            return CheckInOutcome(state, session)
    return CheckInOutcome(WRONG_CODE)


def set_mark(session: AttendanceSession, trainee: User, status: str, actor, now: datetime) -> str | None:
    """The roll call: set a member's status (one tap), audited with what it was before.
    Returns the previous status (None when there was no mark)."""
    if status not in STATUSES:
        raise ValueError(status)
    mark = db.session.scalar(select(Attendance).where(Attendance.session_id == session.id,
                                                      Attendance.user_id == trainee.id))
    before = mark.status if mark else None
    if mark is None:
        db.session.add(Attendance(session_id=session.id, user_id=trainee.id, status=status, via="roll_call",
                                  marked_at=now, marked_by_id=actor.id))
    elif mark.status != status:
        mark.status, mark.via, mark.marked_at, mark.marked_by_id = status, "roll_call", now, actor.id
    if before != status:
        record_event(actor, "attendance.marked", "user", trainee.id, session=session.id, cohort_id=session.cohort_id,
                     before=before, after=status)
    db.session.flush()
    if before != status:
        issue_waiting_certificates(session, trainee.id)
    return before


def issue_waiting_certificates(session: AttendanceSession, user_id: int) -> None:
    """After a mark changed: certificates of this workshop's courses that waited for attendance."""
    if session.cohort.attendance_required_percent is None:
        return
    course_ids = select(cohort_course.c.course_id).where(cohort_course.c.cohort_id == session.cohort_id)
    for enrolment in db.session.scalars(select(Enrolment).where(
            Enrolment.user_id == user_id, Enrolment.completed_at.is_not(None), Enrolment.course_id.in_(course_ids))):
        issue_certificate(enrolment)


def marks_of(session_id: int) -> dict[int, Attendance]:
    return {m.user_id: m for m in db.session.scalars(select(Attendance).where(Attendance.session_id == session_id))}


def attended_count(session_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.session_id == session_id, Attendance.status.in_(ATTENDED))) or 0


def set_requirement(cohort, percent: int | None, actor, now: datetime) -> None:
    """Set or remove a workshop's attendance requirement; certificates it no longer holds back are issued."""
    before = cohort.attendance_required_percent
    cohort.attendance_required_percent = percent
    record_event(actor, "attendance.requirement_set", "cohort", cohort.id, before=before, after=percent)
    db.session.flush()
    course_ids = select(cohort_course.c.course_id).where(cohort_course.c.cohort_id == cohort.id)
    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    for enrolment in db.session.scalars(select(Enrolment).where(
            Enrolment.user_id.in_(members), Enrolment.completed_at.is_not(None), Enrolment.course_id.in_(course_ids))):
        issue_certificate(enrolment)
