"""A workshop's attendance requirement for its courses' certificates, and the hours a certificate states.

A trainee's certificate for a course waits while, in any of their workshops that teaches the course
and requires attendance, they attended less than the required share of the sessions held so far.
When a mark is corrected, certificates that were waiting are issued (`lms.attendance.checkin`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from lms.attendance.models import ATTENDED, Attendance, AttendanceSession
from lms.cohorts.models import Cohort, CohortMember, cohort_course
from lms.extensions import db


def _workshops_teaching(user_id: int, course_id: int) -> list[Cohort]:
    return list(db.session.scalars(
        select(Cohort).join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .join(cohort_course, cohort_course.c.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user_id, cohort_course.c.course_id == course_id)
    ))


def _held_and_attended(cohort_id: int, user_id: int, now: datetime) -> tuple[int, int, int]:
    """(sessions held, sessions attended, minutes credited for those attended)."""
    held = db.session.execute(
        select(AttendanceSession.id, AttendanceSession.credited_minutes)
        .where(AttendanceSession.cohort_id == cohort_id, AttendanceSession.cancelled_at.is_(None),
               AttendanceSession.starts_at <= now)
    ).all()
    minutes = dict(held)
    attended = list(db.session.scalars(
        select(Attendance.session_id).where(Attendance.user_id == user_id, Attendance.status.in_(ATTENDED),
                                            Attendance.session_id.in_(list(minutes)))
    )) if minutes else []
    return len(minutes), len(attended), sum(minutes[s] for s in attended)


def attendance_short(user_id: int, course_id: int, now: datetime) -> bool:
    """True while a required attendance for this course is not met."""
    for cohort in _workshops_teaching(user_id, course_id):
        if cohort.attendance_required_percent is None:
            continue
        held, attended, _ = _held_and_attended(cohort.id, user_id, now)
        if held and attended * 100 < cohort.attendance_required_percent * held:
            return True
    return False


def attended_hours(user_id: int, course_id: int, now: datetime) -> float | None:
    """Hours attended in the trainee's workshops that teach this course; None when none held a session."""
    total, any_held = 0, False
    for cohort in _workshops_teaching(user_id, course_id):
        held, _, minutes = _held_and_attended(cohort.id, user_id, now)
        any_held = any_held or bool(held)
        total += minutes
    return round(total / 60, 2) if any_held else None
