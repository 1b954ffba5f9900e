"""Page helpers shared by the learning and quiz views (and the studio's previews): the reader's
language for a course, and the course, item or outline of a URL, or 404."""

from __future__ import annotations

from flask import abort, url_for
from flask_babel import get_locale
from flask_login import current_user

from lms.content.published import PublishedCourse, PublishedItem, published_course
from lms.learning.progress import Outline, course_outline


def reading_language(course: PublishedCourse, item: PublishedItem | None = None) -> str:
    """The reader's language where this course (and item) has a translation, else the main language."""
    language = course.shown_language(str(get_locale()))
    if item is not None and language not in (item.body_html or {}):
        return course.language
    return language


def course_or_404(slug: str) -> PublishedCourse:
    course = published_course(slug)
    if course is None:
        abort(404)
    return course


def outline_or_404(slug: str) -> Outline:
    outline = course_outline(current_user, slug)
    if outline is None:
        abort(404)
    return outline


def item_or_404(course: PublishedCourse, slug: str) -> PublishedItem:
    item = course.item(slug)
    if item is None:
        abort(404)
    return item


def item_url(item: PublishedItem) -> str:
    return url_for("learning.item", slug=item.course.slug, item_slug=item.slug)
