"""Published versions of a course: kept for good, numbered per course, with who, when and a content hash.

`lms.content.sync.publish_course` records one whenever a publish changes a course, whichever way
the files came in (`flask courses sync`, the studio, a rollback). Nothing here commits.
"""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from lms.content.parser import ParsedCourse
from lms.database import utcnow
from lms.extensions import db
from lms.studio.archive import pack_files, unpack_files
from lms.studio.models import FROM_FILES, CourseVersion


def latest_version(slug: str) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion).where(CourseVersion.course_slug == slug).order_by(CourseVersion.number.desc()).limit(1)
    )


def find_version(slug: str, number: int) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion).where(CourseVersion.course_slug == slug, CourseVersion.number == number)
    )


def versions_of(slug: str) -> list[CourseVersion]:
    """Newest first, with who published each (the files themselves are not loaded)."""
    return list(db.session.scalars(
        select(CourseVersion).where(CourseVersion.course_slug == slug)
        .options(selectinload(CourseVersion.created_by))
        .order_by(CourseVersion.number.desc())
    ))


def latest_numbers(slugs: list[str] | None = None) -> dict[str, int]:
    query = select(CourseVersion.course_slug, func.max(CourseVersion.number)).group_by(CourseVersion.course_slug)
    if slugs is not None:
        query = query.where(CourseVersion.course_slug.in_(slugs))
    return dict(db.session.execute(query).all())


def version_files(version: CourseVersion) -> dict[str, bytes]:
    return unpack_files(version.files)


def record_version(parsed: ParsedCourse, actor=None, source: str = FROM_FILES, note: str = "",
                   restored_from: int | None = None) -> CourseVersion | None:
    """Keep the files just published as the course's next version; None when they are the current version."""
    latest = latest_version(parsed.slug)
    if latest is not None and latest.content_hash == parsed.content_hash:
        return None
    version = CourseVersion(
        course_slug=parsed.slug,
        number=(latest.number + 1) if latest else 1,
        files=pack_files(parsed.files),
        content_hash=parsed.content_hash,
        source=source,
        restored_from=restored_from,
        created_by_id=getattr(actor, "id", None),
        published_at=utcnow(),
        note=note[:200],
    )
    db.session.add(version)
    db.session.flush()
    return version


def edited_in_browser_since_synced(slug: str, files_hash: str) -> bool:
    """True when the folder's files are what `courses sync` last published and the studio published since.

    Then the folder has not changed and the newer version from the browser stays. When the
    folder's files are new (edited on disk or in version control), they win as before.
    """
    latest = latest_version(slug)
    if latest is None or latest.source == FROM_FILES:
        return False
    return bool(db.session.scalar(select(exists().where(
        CourseVersion.course_slug == slug, CourseVersion.source == FROM_FILES,
        CourseVersion.content_hash == files_hash,
    ))))


def published_from_browser() -> set[str]:
    """Courses whose current version came from the studio: `courses sync` does not withdraw them."""
    newest = (select(CourseVersion.course_slug, func.max(CourseVersion.number).label("number"))
              .group_by(CourseVersion.course_slug).subquery())
    return set(db.session.scalars(
        select(CourseVersion.course_slug)
        .join(newest, (newest.c.course_slug == CourseVersion.course_slug) & (newest.c.number == CourseVersion.number))
        .where(CourseVersion.source != FROM_FILES)
    ))
