"""Which instructor may see which trainee: the one rule every feature asks."""

from __future__ import annotations

from sqlalchemy import exists, select

from lms.cohorts.models import CohortMember, cohort_instructor
from lms.extensions import db


def instructs_trainee(instructor, trainee_id: int) -> bool:
    """True for administrators, and for instructors of a cohort the trainee belongs to."""
    if not instructor.is_authenticated:
        return False
    if instructor.role == "admin":
        return True
    if instructor.role != "instructor":
        return False
    return bool(db.session.scalar(select(exists().where(
        CohortMember.user_id == trainee_id,
        CohortMember.cohort_id == cohort_instructor.c.cohort_id,
        cohort_instructor.c.user_id == instructor.id,
    ))))
