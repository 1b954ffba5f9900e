"""Quiz overview, the attempt page, submission and the result."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import signed_in
from lms.content.published import PublishedItem, published_item
from lms.extensions import db
from lms.learning.pages import course_or_404, item_or_404, reading_language
from lms.learning.progress import LearningError, find_enrolment
from lms.quizzes.attempts import (
    attempts_left,
    attempts_of,
    find_own_attempt,
    pass_mark_for,
    questions_for,
    start_attempt,
    submit_attempt,
)
from lms.quizzes.models import QuizAttempt

bp = Blueprint("quizzes", __name__)
MAX_ANSWER_LENGTH = 500


def attempt_or_404(attempt_id: int) -> tuple[QuizAttempt, PublishedItem]:
    """The trainee's own attempt with its quiz; 404 for anyone else's or when the course is withdrawn."""
    attempt = find_own_attempt(attempt_id, current_user)
    item = published_item(attempt.item_id) if attempt is not None else None
    if item is None:
        abort(404)
    return attempt, item


def answers_from_form(attempt: QuizAttempt, questions: list[dict]) -> dict[str, str | list[str]]:
    answers: dict[str, str | list[str]] = {}
    for position, entry in enumerate(attempt.layout):
        key = f"q{position}"
        if questions[entry["q"]]["kind"] == "multiple":
            answers[str(position)] = [v[:10] for v in request.form.getlist(key)][:50]
        elif key in request.form:
            answers[str(position)] = request.form[key][:MAX_ANSWER_LENGTH]
    return answers


@bp.route("/courses/<slug>/<item_slug>/attempts", methods=["POST"])
@signed_in
def start(slug: str, item_slug: str):
    course = course_or_404(slug)
    item = item_or_404(course, item_slug)
    if not item.is_quiz:
        abort(404)
    try:
        attempt = start_attempt(current_user, item, reading_language(course))
    except LearningError as error:
        if error.code == "no_attempts_left":
            flash(_("You have used all your attempts for this quiz."), "error")
        return redirect(url_for("learning.item", slug=slug, item_slug=item_slug))
    db.session.commit()
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@signed_in
def attempt(attempt_id: int):
    attempt, item = attempt_or_404(attempt_id)
    questions = questions_for(attempt, item)
    if request.method == "POST":
        submit_attempt(attempt, item, answers_from_form(attempt, questions))
        db.session.commit()  # nothing after this reads the database: no second write transaction
        return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    template = "quizzes/result.html" if attempt.is_submitted else "quizzes/attempt.html"
    shown = [(position, entry, questions[entry["q"]]) for position, entry in enumerate(attempt.layout)]
    enrolment = find_enrolment(current_user, item.course) if attempt.passed else None
    return render_template(
        template, attempt=attempt, item=item, course=item.course, shown=shown,
        course_completed_at=enrolment.completed_at if enrolment else None,
        lang=attempt.language, pass_mark=pass_mark_for(item),
        attempts_left=attempts_left(item, attempts_of(current_user, item)),
        interface_lang=str(get_locale()),
    )
