"""Serves course images from the database, so every app server has the same files."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from lms.access import public
from lms.content.models import Course, CourseMedia
from lms.extensions import db

bp = Blueprint("content", __name__)
ONE_YEAR = 365 * 24 * 3600


def media_response(media: CourseMedia) -> Response:
    response = Response(media.content, mimetype=media.mimetype)
    response.set_etag(media.digest)
    if request.args.get("v") == media.digest[:12]:
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "public, no-cache"
    # An SVG opened on its own must not run anything.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response.make_conditional(request)


def course_media_digests(course: Course) -> list[tuple[str, str]]:
    return list(db.session.execute(
        select(CourseMedia.path, CourseMedia.digest).where(CourseMedia.course_id == course.id)
        .order_by(CourseMedia.path)
    ))


@bp.route("/courses/<slug>/media/<path:path>")
@public
def media(slug: str, path: str):
    found = db.session.scalar(
        select(CourseMedia).join(Course, Course.id == CourseMedia.course_id)
        .where(Course.slug == slug, Course.is_published, CourseMedia.path == f"media/{path}")
    )
    if found is None:
        abort(404)
    return media_response(found)
