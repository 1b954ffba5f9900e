"""Catalog, course pages, lessons and "My learning"."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import public, signed_in
from lms.attendance.sessions import next_session_for
from lms.content.views import course_media_digests
from lms.database import utcnow
from lms.extensions import db
from lms.i18n import course_titles
from lms.learning.catalog import group_catalog
from lms.learning.pages import course_or_404, item_or_404, item_url, outline_or_404, reading_language
from lms.learning.progress import (
    LearningError,
    enrol,
    find_course,
    finish_lesson,
    is_self_checked,
    missing_prerequisites,
    neighbours,
    progress_by_course,
    published_courses,
)
from lms.quizzes.overview import render_quiz_overview
from lms.tasks.overview import render_task_page
from lms.templating import render_cached_page

bp = Blueprint("learning", __name__)


@bp.route("/")
@public
def catalog():
    courses = published_courses()
    by_slug = {c.slug: c for c in courses}
    return render_template(
        "learning/catalog.html",
        groups=group_catalog(courses),
        progress=progress_by_course(current_user),
        by_slug=by_slug,
    )


@bp.route("/my")
@signed_in
def my_learning():
    progress = progress_by_course(current_user)
    courses = [c for c in published_courses() if c.id in progress]
    in_progress = [c for c in courses if not progress[c.id].completed_at]
    completed = sorted((c for c in courses if progress[c.id].completed_at),
                       key=lambda c: progress[c.id].completed_at, reverse=True)
    return render_template("learning/my_learning.html", in_progress=in_progress, completed=completed,
                           progress=progress, next_session=next_session_for(current_user, utcnow()))


@bp.route("/courses/<slug>/")
@public
def course(slug: str):
    outline = outline_or_404(slug)
    # The landing page also shows the track and the introduction, which lesson pages never need.
    return render_template("learning/course.html", course=find_course(slug), outline=outline,
                           lang=reading_language(outline.course))


@bp.route("/courses/<slug>/offline.json")
@signed_in
def offline_urls(slug: str):
    """Every page and picture of a course the trainee is enrolled in, for "save for offline"."""
    outline = outline_or_404(slug)
    if outline.enrolment is None:
        abort(404)
    urls = [url_for("learning.course", slug=slug)] + [item_url(s.item) for s in outline.items]
    urls += [url_for("content.media", slug=slug, path=path.removeprefix("media/"), v=digest[:12])
             for path, digest in course_media_digests(outline.course)]
    return jsonify(urls=urls)


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@signed_in
def enrol_in_course(slug: str):
    course = course_or_404(slug)
    try:
        enrol(current_user, course)
    except LearningError:
        flash(_("This course opens after you finish %(courses)s.",
                courses=course_titles(missing_prerequisites(current_user, find_course(slug)))), "error")
        return redirect(url_for("learning.course", slug=slug))
    db.session.commit()
    outline = outline_or_404(slug)
    target = outline.next_item or (outline.items[0].item if outline.items else None)
    return redirect(item_url(target) if target else url_for("learning.course", slug=slug))


@bp.route("/courses/<slug>/<item_slug>")
@signed_in
def item(slug: str, item_slug: str):
    outline = outline_or_404(slug)
    course = outline.course
    item = item_or_404(course, item_slug)
    if outline.missing_prerequisites:  # a link straight into a locked course: say what the course page says
        required = course_titles(outline.missing_prerequisites)
        flash(_("This course opens after you finish %(courses)s.", courses=required), "info")
        return redirect(url_for("learning.course", slug=slug))
    if outline.enrolment is None:
        flash(_("Start the course to open its lessons."), "info")
        return redirect(url_for("learning.course", slug=slug))
    lang = reading_language(course, item)
    previous, following = outline.neighbours(item)
    status = next(s for s in outline.items if s.item.id == item.id)
    if item.is_quiz:
        return render_quiz_overview(course, item, outline, status, lang, previous, following)
    if item.is_task and not is_self_checked(item):
        return render_task_page(course, item, outline, status, lang, previous, following)
    progress = outline.progress
    template = "learning/task.html" if item.is_task else "learning/lesson.html"
    return render_cached_page(
        template, (course.id, course.content_hash, item.id, lang, status.finished,
                   progress.finished, progress.total),
        course=course, item=item, outline=outline, status=status, lang=lang, previous=previous, following=following,
    )


@bp.route("/courses/<slug>/<item_slug>/finish", methods=["POST"])
@signed_in
def finish(slug: str, item_slug: str):
    course = course_or_404(slug)
    item = item_or_404(course, item_slug)
    try:
        completed = finish_lesson(current_user, item)
    except LearningError:
        return redirect(url_for("learning.course", slug=slug))
    db.session.commit()
    if completed:
        flash(_("Congratulations! You have completed this course."), "success")
        return redirect(url_for("learning.course", slug=slug))
    following = neighbours(course.items, item)[1]
    return redirect(item_url(following) if following else url_for("learning.course", slug=slug))
