"""Reading attendance back: a workshop's sessions × members table, one trainee's record, export rows.

A cancelled session is listed and marked but counts for nobody; a session not yet started is
not counted either. Hours attended are the credited minutes of held sessions marked present or late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import exists, func, select

from lms.accounts.models import User
from lms.attendance.models import ATTENDED, Attendance, AttendanceSession
from lms.cohorts.models import Cohort, CohortMember, cohort_course
from lms.content.models import Course
from lms.database import utcnow
from lms.extensions import db
from lms.reports.filters import ExportFilters, local_day_bounds


def status_names() -> dict[str, str]:
    return {"present": _("present"), "late": _("late"), "absent": _("absent"), "excused": _("excused")}


def status_marks() -> dict[str, str]:
    """One character per mark, for the progress grid's narrow columns (the full word is its title)."""
    return {"present": pgettext("attendance mark", "P"), "late": pgettext("attendance mark", "L"),
            "absent": pgettext("attendance mark", "A"), "excused": pgettext("attendance mark", "E")}


def counts(session: AttendanceSession, now: datetime) -> bool:
    """Whether a session counts towards attendance: held (started) and not cancelled."""
    return session.cancelled_at is None and session.starts_at <= now


@dataclass
class MemberAttendance:
    user: User
    statuses: dict[int, str] = field(default_factory=dict)  # session id → status
    attended: int = 0
    minutes: int = 0

    def percent(self, held: int) -> int | None:
        return round(100 * self.attended / held) if held else None


@dataclass
class WorkshopAttendance:
    cohort: Cohort
    sessions: list[AttendanceSession]
    held: list[AttendanceSession]
    members: list[MemberAttendance]

    def attended_count(self, session_id: int) -> int:
        return sum(1 for member in self.members if member.statuses.get(session_id) in ATTENDED)

    def below(self, percent: int) -> list[MemberAttendance]:
        return [m for m in self.members if self.held and (m.percent(len(self.held)) or 0) < percent]


def workshop_attendance(cohort: Cohort, now: datetime) -> WorkshopAttendance:
    sessions = list(db.session.scalars(select(AttendanceSession).where(AttendanceSession.cohort_id == cohort.id)
                                       .order_by(AttendanceSession.starts_at, AttendanceSession.id)))
    held = [s for s in sessions if counts(s, now)]
    held_ids = {s.id: s for s in held}
    users = db.session.scalars(select(User).join(CohortMember, CohortMember.user_id == User.id)
                               .where(CohortMember.cohort_id == cohort.id).order_by(User.display_name, User.id))
    members = {u.id: MemberAttendance(u) for u in users}
    marks = db.session.execute(select(Attendance.user_id, Attendance.session_id, Attendance.status)
                               .join(AttendanceSession, AttendanceSession.id == Attendance.session_id)
                               .where(AttendanceSession.cohort_id == cohort.id))
    for user_id, session_id, status in marks:
        member = members.get(user_id)
        if member is None:  # left the workshop since: their marks stay on record, not in the table
            continue
        member.statuses[session_id] = status
        if session_id in held_ids and status in ATTENDED:
            member.attended += 1
            member.minutes += held_ids[session_id].credited_minutes
    return WorkshopAttendance(cohort, sessions, held, list(members.values()))


def trainee_record(cohort: Cohort, user_id: int, now: datetime) -> tuple[list[tuple[AttendanceSession, str | None]],
                                                                         MemberAttendance | None]:
    table = workshop_attendance(cohort, now)
    member = next((m for m in table.members if m.user.id == user_id), None)
    statuses = member.statuses if member else {}
    return [(s, statuses.get(s.id)) for s in table.sessions], member


def attended_minutes(user_id: int, cohort_ids: list[int], now: datetime) -> int:
    """Credited minutes of the held sessions of these workshops that the trainee attended."""
    if not cohort_ids:
        return 0
    rows = db.session.scalars(
        select(AttendanceSession.credited_minutes).join(Attendance, Attendance.session_id == AttendanceSession.id)
        .where(Attendance.user_id == user_id, Attendance.status.in_(ATTENDED),
               AttendanceSession.cohort_id.in_(cohort_ids), AttendanceSession.cancelled_at.is_(None),
               AttendanceSession.starts_at <= now)
    )
    return sum(rows)


def export_rows(cohort_ids: list[int] | None, now: datetime, filters: ExportFilters | None = None,
                zone: tzinfo = UTC):
    """(workshop, session, member, status) for every session of these workshops (all when None)
    and every member, in order; members without a mark for a held session come out as None.

    `filters` (the completion export's) narrow it: sessions on those local days, workshops teaching a
    course of that track, specialty, level or that course, one workshop, members of one village."""
    filters = filters or ExportFilters()
    query = select(Cohort).order_by(Cohort.name, Cohort.id)
    if cohort_ids is not None:
        query = query.where(Cohort.id.in_(cohort_ids))
    if filters.cohort_id is not None:
        query = query.where(Cohort.id == filters.cohort_id)
    course_conditions = [condition for wanted, condition in (
        (filters.course_id, Course.id == filters.course_id),
        (filters.track_id, Course.track_id == filters.track_id),
        (filters.specialty_id, Course.specialty_id == filters.specialty_id),
        (filters.level, Course.level == filters.level),
    ) if wanted is not None]
    if course_conditions:
        query = query.where(exists().where(cohort_course.c.cohort_id == Cohort.id,
                                           cohort_course.c.course_id == Course.id, *course_conditions))
    start, end = local_day_bounds(filters.date_from, filters.date_to, zone)
    for cohort in db.session.scalars(query):
        table = workshop_attendance(cohort, now)
        sessions = [s for s in table.sessions
                    if (start is None or s.starts_at >= start) and (end is None or s.starts_at < end)]
        members = [m for m in table.members if not filters.village or m.user.village == filters.village]
        for session in sessions:
            for member in members:
                yield cohort, session, member.user, member.statuses.get(session.id)


def attended_minutes_for(conn, enrolment_scope) -> dict[tuple[int, int], int]:
    """(user id, course id) → minutes credited for sessions attended in workshops teaching that course,
    for the enrolments `enrolment_scope` selects; held, uncancelled sessions only."""
    from lms.learning.models import Enrolment

    rows = conn.execute(
        select(Attendance.user_id, cohort_course.c.course_id, func.sum(AttendanceSession.credited_minutes))
        .join(AttendanceSession, AttendanceSession.id == Attendance.session_id)
        .join(cohort_course, cohort_course.c.cohort_id == AttendanceSession.cohort_id)
        .join(CohortMember, (CohortMember.cohort_id == AttendanceSession.cohort_id)
              & (CohortMember.user_id == Attendance.user_id))
        .where(Attendance.status.in_(ATTENDED), AttendanceSession.cancelled_at.is_(None),
               AttendanceSession.starts_at <= utcnow(),
               Attendance.user_id.in_(select(Enrolment.user_id).where(Enrolment.id.in_(enrolment_scope))))
        .group_by(Attendance.user_id, cohort_course.c.course_id)
    )
    return {(user_id, course_id): int(minutes or 0) for user_id, course_id, minutes in rows}


@dataclass
class AttendanceSummary:
    """For the county's summary: sessions held, average attendance, trainees below their workshop's threshold."""

    sessions_held: int = 0
    average_percent: float | None = None
    below: list[tuple[str, MemberAttendance, int, int]] = field(default_factory=list)  # workshop, member, %, needed


def attendance_summary(now: datetime) -> AttendanceSummary:
    summary, shares = AttendanceSummary(), []
    with_sessions = select(AttendanceSession.cohort_id).distinct()
    for cohort in db.session.scalars(select(Cohort).where(Cohort.id.in_(with_sessions)).order_by(Cohort.name)):
        table = workshop_attendance(cohort, now)
        summary.sessions_held += len(table.held)
        if table.members:
            for session in table.held:
                present = sum(1 for m in table.members if m.statuses.get(session.id) in ATTENDED)
                shares.append(100 * present / len(table.members))
        needed = cohort.attendance_required_percent
        if needed and table.held:
            summary.below += [(cohort.name, m, m.percent(len(table.held)), needed) for m in table.below(needed)]
    summary.average_percent = round(sum(shares) / len(shares), 1) if shares else None
    return summary
