"""Loads a parsed catalog into the database: all of it in one transaction, or nothing.

Items are matched by slug, so renumbering or reordering files keeps everyone's progress. An
item or course that disappears from the files is switched off, never deleted: its records stay.
Syncing unchanged files writes nothing.

`publish_course` is the one way a course gets published, from `flask courses sync` and from the
course studio in the browser alike: it updates the course and keeps its files as a version, so
either way can be rolled back. A course last published from the browser keeps that version while
its folder is unchanged since it was last synced, and is not withdrawn for missing from the folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.content.models import Course, CourseItem, CourseMedia, Track
from lms.content.ordering import learning_order
from lms.content.parser import Catalog, ParsedCourse, TrackSpec
from lms.content.versions import FROM_FILES, edited_in_browser_since_synced, published_from_browser, record_version
from lms.database import utcnow
from lms.extensions import db


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)


def sync_tracks(specs: list[TrackSpec]) -> dict[str, Track]:
    existing = {t.slug: t for t in db.session.scalars(select(Track))}

    def upsert(spec: TrackSpec, parent: Track | None) -> Track:
        track = existing.get(spec.slug)
        if track is None:
            track = Track(slug=spec.slug)
            db.session.add(track)
            existing[spec.slug] = track
        if track.names != spec.names:
            track.names = dict(spec.names)
        if track.position != spec.position:
            track.position = spec.position
        if track.parent is not parent:
            track.parent = parent
        return track

    for spec in specs:
        track = upsert(spec, None)
        for sub in spec.specialties:
            upsert(sub, track)
    db.session.flush()
    return existing


def sync_course(parsed: ParsedCourse, tracks: dict[str, Track]) -> str:
    """Create or update one course. Returns 'added', 'updated' or 'unchanged'."""
    course = db.session.scalar(select(Course).where(Course.slug == parsed.slug))
    if course is not None and course.content_hash == parsed.content_hash and course.is_published:
        return "unchanged"
    outcome = "added" if course is None else "updated"
    if course is None:
        course = Course(slug=parsed.slug)
        db.session.add(course)
    course.track = tracks[parsed.track]
    course.specialty = tracks[parsed.specialty] if parsed.specialty else None
    course.level = parsed.level
    course.language = parsed.language
    course.languages = parsed.languages
    course.titles = parsed.titles
    course.summaries = parsed.summaries
    course.landing_html = parsed.landing
    course.hours = parsed.hours
    course.pass_mark = parsed.pass_mark
    course.certificate = parsed.certificate
    course.requires = parsed.requires
    course.content_hash = parsed.content_hash
    course.is_published = True
    course.synced_at = utcnow()
    db.session.flush()

    items = {i.slug: i for i in db.session.scalars(select(CourseItem).where(CourseItem.course_id == course.id))}
    for index, spec in enumerate(parsed.items):
        item = items.pop(spec.slug, None)
        if item is None:
            item = CourseItem(course_id=course.id, slug=spec.slug)
            db.session.add(item)
        item.kind = spec.kind
        item.position = index
        item.is_active = True
        item.minutes = spec.minutes
        item.titles = spec.titles
        item.body_html = spec.bodies
        item.pass_mark = spec.pass_mark
        item.attempts_allowed = spec.attempts
        item.shuffle = spec.shuffle
        item.draw = spec.draw
        item.partial_credit = spec.partial_credit
        item.questions = spec.questions
        item.task = spec.task
        item.rubric = spec.rubric
    for removed in items.values():
        removed.is_active = False

    media = {m.path: m for m in db.session.scalars(select(CourseMedia).where(CourseMedia.course_id == course.id))}
    for spec in parsed.media:
        row = media.pop(spec.path, None)
        if row is None:
            row = CourseMedia(course_id=course.id, path=spec.path)
            db.session.add(row)
        if row.digest != spec.digest:
            row.mimetype, row.digest, row.content = spec.mimetype, spec.digest, spec.content
            row.width, row.height = spec.width, spec.height
    for stale in media.values():
        db.session.delete(stale)
    db.session.flush()
    return outcome


def publish_course(parsed: ParsedCourse, tracks: dict[str, Track], *, actor=None,
                   source: str = FROM_FILES, note: str = "", restored_from: int | None = None) -> str:
    """Publish one validated course and keep its files as a version. Returns sync_course's outcome.

    The caller puts the courses in learning order afterwards (`put_in_learning_order`)."""
    if source == FROM_FILES and edited_in_browser_since_synced(parsed.slug, parsed.content_hash):
        return "unchanged"
    outcome = sync_course(parsed, tracks)
    record_version(parsed, actor, source, note, restored_from)
    return outcome


def put_in_learning_order() -> None:
    """Number every course by learning order, writing only the positions that change."""
    courses = db.session.scalars(select(Course).options(selectinload(Course.track), selectinload(Course.specialty)))
    for position, course in enumerate(learning_order(list(courses))):
        if course.position != position:
            course.position = position
    db.session.flush()


def sync_catalog(catalog: Catalog, withdraw_missing: bool = True) -> SyncReport:
    """Apply a validated catalog. The caller commits (or rolls back) once."""
    report = SyncReport()
    tracks = sync_tracks(catalog.tracks)
    for parsed in catalog.courses:
        outcome = publish_course(parsed, tracks)
        getattr(report, outcome).append(parsed.slug)
    if withdraw_missing:
        present = {c.slug for c in catalog.courses} | published_from_browser()
        for course in db.session.scalars(select(Course).where(Course.is_published)):
            if course.slug not in present:
                course.is_published = False
                report.withdrawn.append(course.slug)
    put_in_learning_order()
    return report
