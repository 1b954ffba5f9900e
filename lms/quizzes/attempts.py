"""Starting and submitting quiz attempts. The server draws, keeps and grades every attempt."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.content.models import CourseItem
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


def pass_mark_for(item: CourseItem) -> int:
    return item.pass_mark if item.pass_mark is not None else item.course.pass_mark


def attempts_of(user: User, item: CourseItem) -> list[QuizAttempt]:
    return list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.item_id == item.id)
        .order_by(QuizAttempt.number)
    ))


def attempts_left(item: CourseItem, attempts: list[QuizAttempt]) -> int | None:
    """None means unlimited."""
    if not item.attempts_allowed:
        return None
    return max(0, item.attempts_allowed - len(attempts))


def questions_for(attempt: QuizAttempt) -> list[dict]:
    item = attempt.item
    return item.questions.get(attempt.language) or item.questions[item.course.language]


def start_attempt(user: User, item: CourseItem, language: str, rng: random.Random | None = None) -> QuizAttempt:
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


def submit_attempt(attempt: QuizAttempt, answers: dict[str, Answer]) -> SubmitOutcome:
    """Grade and close an attempt exactly once, however many times the form is sent."""
    if attempt.is_submitted:
        return SubmitOutcome(attempt=attempt, counted=False)
    item = attempt.item
    grade = grade_attempt(questions_for(attempt), attempt.layout, answers, pass_mark_for(item),
                          item.partial_credit)
    stored = {str(k): v for k, v in answers.items() if str(k).isdigit() and int(k) < len(attempt.layout)}
    result = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            submitted_at=utcnow(), score=grade.score, passed=grade.passed, answers=stored,
            results=[{"credit": r.credit, "given": r.given} for r in grade.results],
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if result.rowcount != 1:
        return SubmitOutcome(attempt=attempt, counted=False)
    completed = record_quiz_result(attempt.user, item, grade.score, grade.passed)
    return SubmitOutcome(attempt=attempt, counted=True, course_completed=completed)


def find_own_attempt(attempt_id: int, user: User) -> QuizAttempt | None:
    """Only the trainee's own attempt; anyone else's looks like it does not exist."""
    return db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.id == attempt_id, QuizAttempt.user_id == user.id)
    )
