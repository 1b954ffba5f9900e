"""Invitations: how an instructor asks someone who already has an account to join a workshop.

A trainee list may hold the phone number of someone the instructor has never met. Adding that
account to the workshop by itself would let the instructor print a sign-in card for it and sign
in as that person. So an existing account is only ever invited: the person sees the invitation
on their next page and joins or declines it themselves.

`User.pending_invitations` counts the unanswered ones, so that every page can show the notice
without a query; it is recounted from the rows whenever one is added or answered.

Functions flush, never commit: the view that calls them owns the transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.audit.log import record_event
from lms.cohorts.models import JOINED_BY_INVITATION, Cohort, CohortInvitation
from lms.cohorts.workshops import add_member, is_member
from lms.database import utcnow
from lms.extensions import db


def recount_pending(user_id: int) -> None:
    pending = (select(func.count(CohortInvitation.id))
               .where(CohortInvitation.user_id == user_id, CohortInvitation.answered_at.is_(None))
               .scalar_subquery())
    db.session.execute(update(User).where(User.id == user_id).values(pending_invitations=pending)
                       .execution_options(synchronize_session=False))


def invite(cohort: Cohort, user: User, actor: User, now: datetime | None = None) -> bool:
    """Invite an existing account. False when it is a member already or was invited before
    (an answered invitation is not asked again: a declined person said no)."""
    if is_member(cohort, user):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(CohortInvitation(cohort_id=cohort.id, user_id=user.id, invited_by_id=actor.id,
                                            created_at=now or utcnow()))
    except IntegrityError:
        return False
    recount_pending(user.id)
    return True


def pending_invitations(user: User) -> list[CohortInvitation]:
    return list(db.session.scalars(
        select(CohortInvitation)
        .where(CohortInvitation.user_id == user.id, CohortInvitation.answered_at.is_(None))
        .options(selectinload(CohortInvitation.cohort).selectinload(Cohort.courses),
                 selectinload(CohortInvitation.invited_by))
        .order_by(CohortInvitation.created_at, CohortInvitation.id)
    ))


def own_pending_invitation(user: User, invitation_id: int) -> CohortInvitation | None:
    """One of this user's own unanswered invitations; anyone else's is not found."""
    return db.session.scalar(select(CohortInvitation).where(
        CohortInvitation.id == invitation_id, CohortInvitation.user_id == user.id,
        CohortInvitation.answered_at.is_(None),
    ))


def answer_invitation(invitation: CohortInvitation, user: User, accept: bool,
                      now: datetime | None = None) -> list:
    """Join or decline. Joining enrols as joining with the code does; returns the courses still waiting."""
    invitation.answered_at = now or utcnow()
    invitation.accepted = accept
    waiting = []
    if accept:
        _, waiting = add_member(invitation.cohort, user, joined_via=JOINED_BY_INVITATION)
    record_event(user, "cohort.invitation_accepted" if accept else "cohort.invitation_declined", "cohort",
                 invitation.cohort_id, cohort=invitation.cohort.name)
    db.session.flush()
    recount_pending(user.id)
    return waiting
