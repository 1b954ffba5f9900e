"""Workshops: creating them, join codes, joining, and enrolling members in the workshop's courses.

Prerequisites stay in force inside a workshop. Joining enrols a trainee in every workshop course
that is unlocked for them; a course whose required course is not finished yet *waits* and is
enrolled automatically, in the same transaction, the moment the trainee completes what it
requires (the `course_completed` receiver at the end of this module). So an intermediate
workshop never skips the intro course, and the instructor's dashboard shows who is still on it.

Functions flush, never commit: the view that calls them owns the transaction.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.audit.log import record_event
from lms.cohorts.models import JOINED_WITH_CODE, Cohort, CohortMember, cohort_course
from lms.content.models import Course
from lms.extensions import db
from lms.learning.progress import LearningError, enrol
from lms.learning.signals import course_completed

# Easy to read aloud and to type on a phone: no 0/O, no 1/I/L.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
_CODE_TRIES = 20


class CohortError(Exception):
    """Why a workshop action was refused, as a short code the view translates."""

    def __init__(self, code: str, cohort: Cohort | None = None):
        super().__init__(code)
        self.code = code
        self.cohort = cohort


@dataclass
class CohortDetails:
    """What an instructor fills in for a workshop."""

    name: str
    location: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    capacity: int | None = None
    course_ids: list[int] = field(default_factory=list)
    instructor_ids: list[int] = field(default_factory=list)


@dataclass
class JoinOutcome:
    cohort: Cohort
    joined: bool  # False when the trainee was a member already
    waiting: list[Course] = field(default_factory=list)  # courses that open after their prerequisites


# ---------------------------------------------------------------- join codes


def new_join_code() -> str:
    """A random code no other cohort uses."""
    for _ in range(_CODE_TRIES):
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not db.session.scalar(select(exists().where(Cohort.join_code == code))):
            return code
    raise RuntimeError("no free join code found")  # 31^6 codes: only a nearly full table gets here


def normalize_join_code(raw: str | None) -> str | None:
    """The code as stored, however it was typed (lower case, full-width, spaces), or None if it cannot be one."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    text = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    if len(text) != JOIN_CODE_LENGTH or any(ch not in JOIN_CODE_ALPHABET for ch in text):
        return None
    return text


def find_by_join_code(raw: str | None) -> Cohort | None:
    code = normalize_join_code(raw)
    if code is None:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.join_code == code))


def change_join_code(cohort: Cohort, actor: User) -> str:
    """A fresh code; the old one stops working at once."""
    old = cohort.join_code
    cohort.join_code = new_join_code()
    db.session.flush()
    record_event(actor, "cohort.join_code_changed", "cohort", cohort.id, old=old, new=cohort.join_code)
    return cohort.join_code


def set_joining(cohort: Cohort, is_open: bool, actor: User) -> None:
    if cohort.join_open == is_open:
        return
    cohort.join_open = is_open
    record_event(actor, "cohort.joining_opened" if is_open else "cohort.joining_closed", "cohort", cohort.id)


# ---------------------------------------------------------------- creating and editing


def _courses(ids: list[int]) -> list[Course]:
    if not ids:
        return []
    return list(db.session.scalars(select(Course).where(Course.id.in_(ids), Course.is_published)
                                   .order_by(Course.position, Course.slug)))


def _instructors(ids: list[int]) -> list[User]:
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids), User.role.in_(("instructor", "admin")))))


def create_cohort(creator: User, details: CohortDetails) -> Cohort:
    """A new workshop. An instructor who creates one always teaches it."""
    instructor_ids = list(details.instructor_ids)
    if creator.role == "instructor" and creator.id not in instructor_ids:
        instructor_ids.append(creator.id)
    cohort = Cohort(
        name=details.name, location=details.location, starts_on=details.starts_on, ends_on=details.ends_on,
        capacity=details.capacity, join_code=new_join_code(), join_open=True, created_by_id=creator.id,
        courses=_courses(details.course_ids), instructors=_instructors(instructor_ids),
    )
    db.session.add(cohort)
    db.session.flush()
    record_event(creator, "cohort.created", "cohort", cohort.id, name=cohort.name,
                 courses=[c.slug for c in cohort.courses], instructors=[u.id for u in cohort.instructors])
    return cohort


def update_cohort(cohort: Cohort, details: CohortDetails, actor: User) -> None:
    """Change a workshop. Members are enrolled in courses added to it; removed courses stay enrolled."""
    instructor_ids = list(details.instructor_ids)
    if actor.role == "instructor" and actor.id not in instructor_ids:
        instructor_ids.append(actor.id)  # an instructor cannot lock themselves out of their own workshop
    before = {c.id for c in cohort.courses}
    cohort.name = details.name
    cohort.location = details.location
    cohort.starts_on = details.starts_on
    cohort.ends_on = details.ends_on
    cohort.capacity = details.capacity
    cohort.courses = _courses(details.course_ids)
    cohort.instructors = _instructors(instructor_ids)
    db.session.flush()
    added = [c for c in cohort.courses if c.id not in before]
    if added:
        members = db.session.scalars(
            select(User).join(CohortMember, CohortMember.user_id == User.id).where(CohortMember.cohort_id == cohort.id)
        )
        for member in members:
            enrol_in_courses(member, added)
    record_event(actor, "cohort.updated", "cohort", cohort.id, name=cohort.name,
                 courses=[c.slug for c in cohort.courses], instructors=[u.id for u in cohort.instructors])


# ---------------------------------------------------------------- members


def member_count(cohort_id: int) -> int:
    return db.session.scalar(select(func.count(CohortMember.id)).where(CohortMember.cohort_id == cohort_id)) or 0


def member_counts(cohort_ids: list[int]) -> dict[int, int]:
    if not cohort_ids:
        return {}
    rows = db.session.execute(
        select(CohortMember.cohort_id, func.count(CohortMember.id))
        .where(CohortMember.cohort_id.in_(cohort_ids)).group_by(CohortMember.cohort_id)
    )
    return {cohort_id: count for cohort_id, count in rows}


def is_full(cohort: Cohort, count: int | None = None) -> bool:
    if cohort.capacity is None:
        return False
    return (member_count(cohort.id) if count is None else count) >= cohort.capacity


def is_member(cohort: Cohort, user: User) -> bool:
    return bool(db.session.scalar(select(exists().where(
        CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id,
    ))))


def enrol_in_courses(user: User, courses: list[Course]) -> list[Course]:
    """Enrol in each unlocked course; return the ones still waiting for a prerequisite."""
    waiting = []
    for course in courses:
        if not course.is_published:
            continue
        try:
            enrol(user, course)
        except LearningError:
            waiting.append(course)
    return waiting


def add_member(cohort: Cohort, user: User, joined_via: str = JOINED_WITH_CODE) -> tuple[bool, list[Course]]:
    """Make the user a member and enrol them. Returns (newly added, courses still waiting).

    `joined_via` says how (lms/cohorts/models.py): it decides whether the workshop's instructors
    may hand this person sign-in cards and reset codes.
    """
    added = False
    if not is_member(cohort, user):
        try:
            with db.session.begin_nested():
                db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id, joined_via=joined_via))
            added = True
        except IntegrityError:  # joined a moment ago by a parallel request
            added = False
    return added, enrol_in_courses(user, list(cohort.courses))


def join_by_code(user: User, raw_code: str | None) -> JoinOutcome:
    """Join with a code. A member is told so (and enrolled in anything new), whatever the cohort's state."""
    cohort = find_by_join_code(raw_code)
    if cohort is None:
        raise CohortError("wrong_code")
    if is_member(cohort, user):
        _, waiting = add_member(cohort, user)
        return JoinOutcome(cohort=cohort, joined=False, waiting=waiting)
    if not cohort.join_open:
        raise CohortError("closed", cohort)
    if is_full(cohort):
        raise CohortError("full", cohort)
    added, waiting = add_member(cohort, user)
    if added:
        record_event(user, "cohort.joined", "cohort", cohort.id, code=cohort.join_code)
    return JoinOutcome(cohort=cohort, joined=added, waiting=waiting)


def remove_member(cohort: Cohort, user: User, actor: User, reason: str) -> bool:
    """Take someone out of a workshop, for a reason kept in the audit log. Their enrolments and progress stay."""
    member = db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id)
    )
    if member is None:
        return False
    db.session.delete(member)
    record_event(actor, "cohort.member_removed", "user", user.id, cohort_id=cohort.id, reason=reason.strip())
    return True


def cohorts_of(user: User) -> list[Cohort]:
    """The workshops a trainee belongs to, newest first, with their courses and instructors."""
    return list(db.session.scalars(
        select(Cohort).join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id)
        .options(selectinload(Cohort.courses), selectinload(Cohort.instructors))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    ))


# ---------------------------------------------------------------- waiting courses


def enrol_in_unlocked_workshop_courses(enrolment, **_) -> None:
    """When a course is completed, enrol its trainee in the workshop courses that required it."""
    user = db.session.get(User, enrolment.user_id)
    completed = db.session.get(Course, enrolment.course_id)
    # IN (subquery), not DISTINCT: PostgreSQL cannot compare the JSON columns DISTINCT would need.
    workshop_courses = (
        select(cohort_course.c.course_id)
        .join(CohortMember, CohortMember.cohort_id == cohort_course.c.cohort_id)
        .where(CohortMember.user_id == user.id)
    )
    candidates = db.session.scalars(
        select(Course).where(Course.id.in_(workshop_courses), Course.is_published).order_by(Course.position)
    )
    enrol_in_courses(user, [c for c in candidates if completed.slug in (c.requires or [])])


course_completed.connect(enrol_in_unlocked_workshop_courses)
