"""Who may see and manage which workshop and which trainee: the one set of rules every feature asks.

Routes state the coarse rule with `lms.access.role_required("instructor")` (trainees get 403);
the functions here decide the fine one. Instructors manage only the cohorts they teach,
administrators manage every cohort. A cohort or trainee outside someone's reach is answered
with 404 by the views, so its existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, false, or_, select

from lms.accounts.models import User
from lms.cohorts.models import TRUSTED_WAYS_IN, Cohort, CohortMember, TraineeImport, cohort_instructor
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


def managed_cohorts(user) -> Select:
    """A query for the cohorts this user manages: all for administrators, their own for instructors."""
    query = select(Cohort)
    if getattr(user, "role", None) == "admin":
        return query
    if getattr(user, "role", None) != "instructor":
        return query.where(false())
    return query.where(Cohort.id.in_(
        select(cohort_instructor.c.cohort_id).where(cohort_instructor.c.user_id == user.id)
    ))


def manages_cohort(user, cohort_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.role == "admin":
        return True
    if user.role != "instructor":
        return False
    return bool(db.session.scalar(select(exists().where(
        cohort_instructor.c.cohort_id == cohort_id, cohort_instructor.c.user_id == user.id,
    ))))


def managed_cohort(user, cohort_id: int) -> Cohort | None:
    """The cohort if this user manages it, else None (the view answers 404)."""
    return db.session.scalar(managed_cohorts(user).where(Cohort.id == cohort_id))


def member_of(cohort: Cohort, trainee_id: int) -> User | None:
    """A member of this cohort, else None. Ask `managed_cohort` about the cohort first."""
    return db.session.scalar(
        select(User).join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id, User.id == trainee_id)
    )


def may_issue_credentials(actor, target: User) -> bool:
    """Reset codes and sign-in cards, which let whoever holds them sign in as `target`.

    Administrators: for anyone else. Instructors: only for trainees who came into one of their
    workshops themselves (join code, accepted invitation) or whose account their own list made.
    Membership alone is not enough: before invitations, a list could add any existing account.
    """
    if not actor.is_authenticated or actor.id == target.id:
        return False
    if actor.role == "admin":
        return True
    if actor.role != "instructor" or target.role != "trainee":
        return False
    return bool(db.session.scalar(select(exists().where(
        CohortMember.user_id == target.id, credentials_allowed(actor),
        CohortMember.cohort_id == cohort_instructor.c.cohort_id, cohort_instructor.c.user_id == actor.id,
    ))))


def credentials_allowed(actor) -> ColumnElement[bool]:
    """The condition on a `CohortMember` row (and its user) under which `actor`, an instructor of
    that member's workshop, may hand out credentials: the SQL form of `may_issue_credentials`."""
    return or_(CohortMember.joined_via.in_(TRUSTED_WAYS_IN),
               CohortMember.user_id.in_(select(User.id).where(User.created_by_id == actor.id)))


def own_import(user, import_id: int) -> TraineeImport | None:
    """An uploaded trainee list is seen only by whoever uploaded it."""
    return db.session.scalar(
        select(TraineeImport).where(TraineeImport.id == import_id, TraineeImport.created_by_id == user.id)
    )
