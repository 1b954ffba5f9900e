"""The task's own page inside a course: the instructions and rubric, the versions sent, and the way to send one."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from lms.tasks.work import MAX_TEXT, task_state


def render_task_page(course, item, outline, status, lang, previous, following, errors=None, form=None,
                     code: int = 200):
    """The task page with the trainee's versions and the way to send one. (A self-checked task is a lesson page.)"""
    state = task_state(current_user, item)
    if form is None and state.latest is not None:  # a new version starts from the last one's words
        form = {"text": state.latest.text, "link": state.latest.link}
    return render_template(
        "tasks/task.html", course=course, item=item, outline=outline, status=status, lang=lang, previous=previous,
        following=following, state=state, errors=errors or {}, form=form or {}, max_text=MAX_TEXT,
    ), code
