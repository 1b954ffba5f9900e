"""Who may do what in the studio: the one set of rules every studio view asks.

Administrators may do anything. A course's authors edit, publish and roll it back. Other
instructors may only preview a course's published version. The bundled catalog has no authors
until an administrator adds some. Views answer 404 for a course outside someone's reach.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from lms.content.models import Course
from lms.content.versions import CourseVersion
from lms.extensions import db
from lms.studio.models import CourseAuthor, CourseDraft


def is_author(user, slug: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(db.session.scalar(select(exists().where(
        CourseAuthor.course_slug == slug, CourseAuthor.user_id == user.id,
    ))))


def may_edit(user, slug: str) -> bool:
    """Edit the draft, publish, roll back, download any version."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role == "admin" or (user.role == "instructor" and is_author(user, slug))


def may_preview_published(user) -> bool:
    """Preview the current published version of any course."""
    return bool(getattr(user, "is_authenticated", False) and user.role in ("instructor", "admin"))


def course_exists(slug: str) -> bool:
    """Known to the studio: a course row, a draft or a version."""
    return bool(db.session.scalar(select(
        exists().where(Course.slug == slug) | exists().where(CourseDraft.course_slug == slug)
        | exists().where(CourseVersion.course_slug == slug)
    )))


def authored_slugs(user) -> set[str]:
    return set(db.session.scalars(select(CourseAuthor.course_slug).where(CourseAuthor.user_id == user.id)))
