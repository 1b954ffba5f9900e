"""Who may see a piece of work: the trainee who sent it, instructors of their workshops, administrators.

Anyone else gets None, and the view answers 404, so the existence of someone's work does not leak.
"""

from __future__ import annotations

from lms.cohorts.policy import instructs_trainee
from lms.content.published import PublishedItem, published_item
from lms.extensions import db
from lms.tasks.models import TaskSubmission


def visible_work(user, submission_id: int) -> tuple[TaskSubmission, PublishedItem] | None:
    submission = db.session.get(TaskSubmission, submission_id)
    if submission is None or not user.is_authenticated:
        return None
    if submission.user_id != user.id and not instructs_trainee(user, submission.user_id):
        return None
    item = published_item(submission.item_id)
    return (submission, item) if item is not None else None


def reviewable_work(user, submission_id: int) -> tuple[TaskSubmission, PublishedItem] | None:
    """Work this user may score: a trainee in a workshop they teach (any, for an administrator), never their own."""
    found = visible_work(user, submission_id)
    if found is None or found[0].user_id == user.id:
        return None
    return found
