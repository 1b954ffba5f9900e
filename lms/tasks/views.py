"""Sending work from the task page, the photos, and the instructor's review queue and review page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from lms.access import role_required, signed_in
from lms.cohorts.models import CohortMember
from lms.cohorts.policy import managed_cohort
from lms.content.models import CourseItem
from lms.extensions import db
from lms.learning.pages import item_or_404, outline_or_404, reading_language
from lms.learning.progress import LearningError, is_self_checked
from lms.tasks.models import WAITING, TaskPhoto, TaskSubmission
from lms.tasks.overview import render_task_page
from lms.tasks.policy import reviewable_work, visible_work
from lms.tasks.work import Photo, WorkRefused, review_work, send_work

bp = Blueprint("tasks", __name__)

PROBLEMS = {
    "photos_too_few": _l("Send %(wanted)s photos; you chose %(sent)s."),
    "photos_too_many": _l("Send %(wanted)s photos; you chose %(sent)s. Leave some out."),
    "photo_too_large": _l("%(name)s is larger than %(limit)s MB. Choose a smaller photo."),
    "photo_not_an_image": _l("%(name)s is not a photo (JPEG, PNG or WebP). Choose a photo."),
    "photo_too_small": _l("%(name)s is too small: the shorter side needs at least %(px)s pixels."),
    "text_missing": _l("Write your answer."),
    "text_too_short": _l("Write at least %(wanted)s characters (you wrote %(sent)s)."),
    "text_too_long": _l("Keep your answer under %(limit)s characters."),
    "link_not_an_address": _l("Paste the whole address, starting with https://"),
    "not_now": _l("This work was sent already; wait for its review."),
    "reviewed_already": _l("Someone reviewed this work already."),
    "levels_missing": _l("Choose a level for every criterion."),
}


def worded(problems: dict) -> dict[str, str]:
    return {field: str(PROBLEMS[code]) % params for field, (code, params) in problems.items()}


@bp.route("/courses/<slug>/<item_slug>/work", methods=["POST"])
@signed_in
def send(slug: str, item_slug: str):
    outline = outline_or_404(slug)
    item = item_or_404(outline.course, item_slug)
    if not item.is_task or is_self_checked(item) or outline.enrolment is None:
        abort(404)
    photos = []
    for upload in request.files.getlist("photos"):
        if upload.filename:
            photos.append(Photo(upload.filename, upload.read()))
        upload.close()  # a large upload is a temporary file: closed as soon as it is read
    text, link = request.form.get("text", ""), request.form.get("link", "")
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        send_work(current_user, item, photos, text, link)
    except (WorkRefused, LearningError) as refused:
        db.session.rollback()
        if isinstance(refused, WorkRefused):
            errors = worded(refused.problems)
        else:
            errors = {"form": _("Start the course first.")}
        if wants_json:
            return jsonify(errors=errors), 422
        status = next(s for s in outline.items if s.item.id == item.id)
        previous, following = outline.neighbours(item)
        return render_task_page(outline.course, item, outline, status, reading_language(outline.course, item),
                                previous, following, errors, {"text": text, "link": link}, 422)
    db.session.commit()
    target = url_for("learning.item", slug=slug, item_slug=item_slug)
    flash(_("Your work is sent. You will see the review here."), "success")
    return jsonify(redirect=target) if wants_json else redirect(target, 303)


@bp.route("/work/<int:submission_id>/photos/<int:number>")
@signed_in
def photo(submission_id: int, number: int):
    found = visible_work(current_user, submission_id)
    if found is None or not 1 <= number <= len(found[0].photos):
        abort(404)
    stored = db.session.scalar(select(TaskPhoto).options(undefer(TaskPhoto.content))
                               .where(TaskPhoto.digest == found[0].photos[number - 1]))
    if stored is None:
        abort(404)
    response = Response(stored.content, mimetype=stored.mimetype)
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


def waiting_work(cohort_id: int | None) -> list[TaskSubmission]:
    """Work waiting for review, oldest first: of one workshop's trainees, or (for an administrator) of everyone."""
    query = select(TaskSubmission).where(TaskSubmission.status == WAITING)
    if cohort_id is not None:
        query = query.join(CohortMember, CohortMember.user_id == TaskSubmission.user_id).where(
            CohortMember.cohort_id == cohort_id)
    return list(db.session.scalars(
        query.options(selectinload(TaskSubmission.user),
                      selectinload(TaskSubmission.item).selectinload(CourseItem.course))
        .order_by(TaskSubmission.submitted_at, TaskSubmission.id)
    ))


@bp.route("/workshops/<int:cohort_id>/reviews")
@role_required("instructor")
def queue(cohort_id: int):
    cohort = managed_cohort(current_user, cohort_id)
    if cohort is None:
        abort(404)
    return render_template("tasks/queue.html", cohort=cohort, waiting=waiting_work(cohort.id))


@bp.route("/reviews")
@role_required("admin")
def all_waiting():
    """Every piece of work waiting, also from trainees in no workshop (who have no instructor to review it)."""
    return render_template("tasks/queue.html", cohort=None, waiting=waiting_work(None))


@bp.route("/reviews/<int:submission_id>", methods=["GET", "POST"])
@role_required("instructor")
def review(submission_id: int):
    found = reviewable_work(current_user, submission_id)
    if found is None:
        abort(404)
    submission, item = found
    criteria = item.rubric.get(item.course.language, [])
    errors: dict[str, str] = {}
    if request.method == "POST":
        levels = [request.form.get(f"level-{n}", type=int) or 0 for n in range(1, len(criteria) + 1)]
        try:
            completed = review_work(current_user, submission, item, levels, request.form.get("comment", ""))
        except WorkRefused as refused:
            db.session.rollback()
            errors = worded(refused.problems)
        else:
            db.session.commit()
            flash(_("Passed: the trainee sees your feedback.") if submission.status == "passed"
                  else _("Sent back: the trainee sees your feedback and can send a new version."), "success")
            if completed:
                flash(_("The trainee has completed the course."), "success")
            cohort_id = request.form.get("cohort", type=int)
            return redirect(url_for("tasks.queue", cohort_id=cohort_id) if cohort_id else
                            url_for("tasks.review", submission_id=submission.id), 303)
    earlier = list(db.session.scalars(
        select(TaskSubmission).where(TaskSubmission.user_id == submission.user_id,
                                     TaskSubmission.item_id == submission.item_id,
                                     TaskSubmission.version < submission.version)
        .order_by(TaskSubmission.version.desc())))
    return render_template("tasks/review.html", submission=submission, item=item, criteria=criteria,
                           earlier=earlier, errors=errors, cohort=request.args.get("cohort", type=int)), (
        422 if errors else 200)
