"""Starting and submitting quiz attempts. The server draws, keeps and grades every attempt."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from lms.accounts.models import User
from lms.content.models import CourseItem
from lms.content.published import PublishedItem
from lms.database import utcnow
from lms.extensions import db
from lms.learning.progress import LearningError, record_quiz_result, require_enrolment
from lms.quizzes.grading import Answer, draw_layout, grade_attempt
from lms.quizzes.models import QuizAttempt

_system_random = random.SystemRandom()


@dataclass
class SubmitOutcome:
    attempt: QuizAttempt
    counted: bool  # False when this was a repeated submit of an already graded attempt
    course_completed: bool = False


def pass_mark_for(item: CourseItem | PublishedItem) -> int:
    return item.pass_mark if item.pass_mark is not None else item.course.pass_mark


def attempts_of(user: User, item: CourseItem | PublishedItem) -> list[QuizAttempt]:
    return list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.item_id == item.id)
        .order_by(QuizAttempt.number)
    ))


def attempts_left(item: CourseItem | PublishedItem, attempts: list[QuizAttempt]) -> int | None:
    """None means unlimited."""
    if not item.attempts_allowed:
        return None
    return max(0, item.attempts_allowed - len(attempts))


def questions_for(attempt: QuizAttempt, item: CourseItem | PublishedItem) -> list[dict]:
    """The questions as the attempt was drawn: in its language, else the course's main one."""
    return item.questions.get(attempt.language) or item.questions[item.course.language]


def start_attempt(user: User, item: CourseItem | PublishedItem, language: str,
                  rng: random.Random | None = None) -> QuizAttempt:
    """Resume the open attempt, or draw a new one if the limit allows."""
    if not item.is_quiz:
        raise LearningError("not_a_quiz")
    require_enrolment(user, item.course)
    existing = attempts_of(user, item)
    for attempt in existing:
        if not attempt.is_submitted:
            return attempt
    if attempts_left(item, existing) == 0:
        raise LearningError("no_attempts_left")
    language = language if language in item.questions else item.course.language
    questions = item.questions[language]
    layout = draw_layout(
        len(questions), [len(q.get("options") or []) for q in questions],
        item.draw, item.shuffle, rng or _system_random,
    )
    number = (max((a.number for a in existing), default=0)) + 1
    attempt = QuizAttempt(user_id=user.id, item_id=item.id, number=number, language=language, layout=layout)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # a parallel click started it first: use that one
        return next(a for a in attempts_of(user, item) if a.number == number)
    return attempt


_attempts = QuizAttempt.__table__
# Built once on the table (Core): it runs on every submission, where the ORM's statement handling
# would cost more than the update.
_CLOSE_ATTEMPT = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt"), _attempts.c.submitted_at.is_(None))
    .values(submitted_at=bindparam("new_submitted_at"), score=bindparam("new_score"), passed=bindparam("new_passed"),
            answers=bindparam("new_answers"), results=bindparam("new_results"))
)


def submit_attempt(attempt: QuizAttempt, item: CourseItem | PublishedItem, answers: dict[str, Answer]) -> SubmitOutcome:
    """Grade and close an attempt exactly once, however many times (or however in parallel) it is sent."""
    if attempt.is_submitted:
        return SubmitOutcome(attempt=attempt, counted=False)
    grade = grade_attempt(questions_for(attempt, item), attempt.layout, answers, pass_mark_for(item),
                          item.partial_credit)
    closed = {
        "submitted_at": utcnow(), "score": grade.score, "passed": grade.passed,
        "answers": {str(k): v for k, v in answers.items() if str(k).isdigit() and int(k) < len(attempt.layout)},
        "results": [r.stored() for r in grade.results],
    }
    result = db.session.execute(_CLOSE_ATTEMPT, {"attempt": attempt.id, **{f"new_{k}": v for k, v in closed.items()}})
    if result.rowcount != 1:  # a parallel request closed it first
        db.session.refresh(attempt)
        return SubmitOutcome(attempt=attempt, counted=False)
    for name, value in closed.items():
        set_committed_value(attempt, name, value)
    completed = record_quiz_result(attempt.user, item, grade.score, grade.passed)
    return SubmitOutcome(attempt=attempt, counted=True, course_completed=completed)


_OWN_ATTEMPT = select(QuizAttempt).where(QuizAttempt.id == bindparam("attempt"),
                                         QuizAttempt.user_id == bindparam("trainee"))


def find_own_attempt(attempt_id: int, user: User) -> QuizAttempt | None:
    """Only the trainee's own attempt; anyone else's looks like it does not exist."""
    return db.session.scalar(_OWN_ATTEMPT, {"attempt": attempt_id, "trainee": user.id})
