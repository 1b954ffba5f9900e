"""Published versions of a course: kept for good, numbered per course, with who, when and a content hash.

Publishing belongs to content: `lms.content.sync.publish_course` records a version whenever a
publish changes a course, whichever way the files came in (`flask courses sync`, the studio, a
rollback). The studio reads and restores them; nothing here imports the studio. A version's files
are kept as a ZIP blob of {path inside the course folder: bytes} (`pack_files`), in the database so
every app server has them. Nothing here commits.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint, exists, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from lms.accounts.models import User
from lms.content.parser import ParsedCourse
from lms.database import UTCDateTime, utcnow
from lms.extensions import db

# Where a version came from.
FROM_FILES = "files"  # `flask courses sync`
FROM_BROWSER = "browser"  # published from the studio
ROLLBACK = "rollback"  # an earlier version published again
VERSION_SOURCES = (FROM_FILES, FROM_BROWSER, ROLLBACK)


_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


class CourseVersion(db.Model):
    """One published state of a course, kept for good: history is never rewritten, a rollback adds a version."""

    __tablename__ = "course_version"
    __table_args__ = (UniqueConstraint("course_slug", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[int] = mapped_column()
    files: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default=FROM_FILES)
    restored_from: Mapped[int | None] = mapped_column()  # the version number a rollback published again
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the author wrote about the change. Where a version came from is `source` and `restored_from`,
    # which the studio words in the reader's language.
    note: Mapped[str] = mapped_column(String(200), default="")

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def author_note(self) -> str:
        """The author's note, without the English words earlier versions of Cunke stored in its place
        ("synced from files", "rolled back to version 2"): the source says the same in the reader's language."""
        machine = {FROM_FILES: "synced from files", ROLLBACK: f"rolled back to version {self.restored_from}"}
        return "" if self.note == machine.get(self.source) else self.note


def pack_files(files: dict[str, bytes], folder: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A ZIP of {path: bytes}, optionally inside `folder/`. Same files, same bytes: sorted, fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = {**(extra or {}), **{(f"{folder}/{path}" if folder else path): content
                                       for path, content in files.items()}}
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def unpack_files(blob: bytes) -> dict[str, bytes]:
    """The files of a stored draft or version (written by pack_files)."""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


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
