"""Sending work for a practical task and reviewing it. Functions flush, never commit.

A version is sent whole (its photos, text and link in one request) or not at all; a passed review
finishes the item, which may complete the course (and issue its certificate) as a passed quiz does.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.audit.log import record_event
from lms.content.images import ImageProblem, shrink_photo
from lms.content.published import PublishedItem
from lms.content.taskfile import passes
from lms.database import utcnow
from lms.extensions import db
from lms.learning.progress import record_task_passed, require_enrolment
from lms.tasks.models import AGAIN, PASSED, WAITING, TaskPhoto, TaskSubmission

LONGEST_SIDE = 1600
MAX_PHOTO_BYTES = 8 * 1024 * 1024  # one photo as the phone sends it; the request as a whole: MAX_CONTENT_LENGTH
MAX_TEXT = 5000
MAX_VERSIONS = 20


class WorkRefused(Exception):
    """What is wrong with the work sent, per form field (photos, text, link), as codes the view words."""

    def __init__(self, problems: dict[str, tuple[str, dict]]):
        super().__init__(problems)
        self.problems = problems


@dataclass
class Photo:
    filename: str
    content: bytes


@dataclass
class TaskState:
    """A trainee's versions of one task, newest first."""

    versions: list[TaskSubmission] = field(default_factory=list)

    @property
    def latest(self) -> TaskSubmission | None:
        return self.versions[0] if self.versions else None

    @property
    def passed(self) -> bool:
        return any(v.status == PASSED for v in self.versions)

    @property
    def may_send(self) -> bool:
        latest = self.latest
        return not self.passed and (latest is None or latest.status == AGAIN) and len(self.versions) < MAX_VERSIONS


def task_state(user: User, item: PublishedItem) -> TaskState:
    return TaskState(list(db.session.scalars(
        select(TaskSubmission).where(TaskSubmission.user_id == user.id, TaskSubmission.item_id == item.id)
        .order_by(TaskSubmission.version.desc())
    )))


def _check(item: PublishedItem, photos: list[Photo], text: str, link: str) -> tuple[list, dict]:
    task, problems, prepared = item.task, {}, []
    wanted = task.get("photos", 0)
    if wanted:
        if len(photos) < wanted:
            problems["photos"] = ("photos_too_few", {"wanted": wanted, "sent": len(photos)})
        elif len(photos) > wanted:
            problems["photos"] = ("photos_too_many", {"wanted": wanted, "sent": len(photos)})
        else:
            for photo in photos:
                if len(photo.content) > MAX_PHOTO_BYTES:
                    problems["photos"] = ("photo_too_large", {"name": photo.filename,
                                                              "limit": MAX_PHOTO_BYTES // (1024 * 1024)})
                    break
                try:
                    shrunk = shrink_photo(photo.content, LONGEST_SIDE)
                except ImageProblem:
                    problems["photos"] = ("photo_not_an_image", {"name": photo.filename})
                    break
                smallest = task.get("photo_min_px")
                if smallest and min(shrunk.width, shrunk.height) < min(smallest, LONGEST_SIDE):
                    problems["photos"] = ("photo_too_small", {"name": photo.filename, "px": smallest})
                    break
                prepared.append(shrunk)
    if task.get("text"):
        length = len(text.strip())
        if not length:
            problems["text"] = ("text_missing", {})
        elif length < (task.get("text_min") or 0):
            problems["text"] = ("text_too_short", {"wanted": task["text_min"], "sent": length})
        elif length > MAX_TEXT:
            problems["text"] = ("text_too_long", {"limit": MAX_TEXT})
    if task.get("link"):
        parts = urlsplit(link.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 500:
            problems["link"] = ("link_not_an_address", {})
    return prepared, problems


def _store_photo(shrunk) -> str:
    """The photo's digest; its bytes are added only when no earlier upload had the same ones."""
    digest = hashlib.sha256(shrunk.content).hexdigest()
    if db.session.get(TaskPhoto, digest) is not None:
        return digest
    with suppress(IntegrityError), db.session.begin_nested():  # else stored a moment ago by a parallel request
        db.session.add(TaskPhoto(digest=digest, mimetype="image/webp" if shrunk.extension == ".webp"
                                 else "image/jpeg", width=shrunk.width, height=shrunk.height,
                                 size=len(shrunk.content), content=shrunk.content))
    return digest


def send_work(user: User, item: PublishedItem, photos: list[Photo], text: str, link: str) -> TaskSubmission:
    """Keep a new version of the trainee's work, waiting for review. Raises WorkRefused."""
    require_enrolment(user, item.course)
    state = task_state(user, item)
    if not state.may_send:
        raise WorkRefused({"form": ("not_now", {})})
    prepared, problems = _check(item, photos, text, link)
    if problems:
        raise WorkRefused(problems)
    number = (db.session.scalar(select(func.max(TaskSubmission.version)).where(
        TaskSubmission.user_id == user.id, TaskSubmission.item_id == item.id)) or 0) + 1
    submission = TaskSubmission(user_id=user.id, item_id=item.id, version=number, status=WAITING,
                                text=text.strip() if item.task.get("text") else "",
                                link=link.strip() if item.task.get("link") else "",
                                photos=[_store_photo(p) for p in prepared])
    try:
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError as error:  # the same version sent twice at once (a double tap): keep the first
        raise WorkRefused({"form": ("not_now", {})}) from error
    return submission


def review_work(reviewer: User, submission: TaskSubmission, item: PublishedItem, levels: list[int],
                comment: str) -> bool:
    """Score a waiting version. Passed when every criterion is at the task's pass level. Returns whether the
    trainee's course completed with it."""
    if submission.status != WAITING:
        raise WorkRefused({"form": ("reviewed_already", {})})
    criteria = item.rubric.get(item.course.language, [])
    if len(levels) != len(criteria) or any(not 1 <= level <= len(c["levels"]) for level, c in zip(
            levels, criteria, strict=False)):
        raise WorkRefused({"levels": ("levels_missing", {})})
    passed = passes(item.task, levels)
    submission.levels, submission.comment = levels, comment.strip()[:MAX_TEXT]
    submission.status = PASSED if passed else AGAIN
    submission.reviewer_id, submission.reviewed_at = reviewer.id, utcnow()
    db.session.flush()
    record_event(reviewer, "task.reviewed", "task_submission", submission.id, trainee_id=submission.user_id,
                 item_id=item.id, version=submission.version, passed=passed, levels=levels)
    if not passed:
        return False
    return record_task_passed(db.session.get(User, submission.user_id), item)
