"""The quiz's own page inside a course: what it asks, the attempts so far, and the way in."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from lms.quizzes.attempts import attempts_left, attempts_of, pass_mark_for


def render_quiz_overview(course, item, outline, status, lang, previous, following):
    attempts = attempts_of(current_user, item)
    return render_template(
        "quizzes/overview.html", course=course, item=item, outline=outline, status=status, lang=lang,
        previous=previous, following=following, attempts=attempts,
        attempts_left=attempts_left(item, attempts), pass_mark=pass_mark_for(item),
        open_attempt=next((a for a in attempts if not a.is_submitted), None),
    )
