"""A course's working files in the studio: drafts, checking, publishing, rollback and authors.

Checking uses the course checker of `flask courses check` with the tracks and published courses
of this server. Publishing uses `lms.content.sync.publish_course`, the code `flask courses sync`
uses, for this one course only: other courses and the tracks are not touched. Functions flush,
never commit: the view commits once, so a publish is all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.audit.log import record_event
from lms.content.images import tidy_media
from lms.content.models import Course, Track
from lms.content.parser import (
    COURSE_FILE,
    ITEM_FILE,
    SLUG,
    ParsedCourse,
    TrackSpec,
    parse_course,
    validate_prerequisites,
)
from lms.content.problems import Problem
from lms.content.sync import publish_course, put_in_learning_order
from lms.content.versions import (
    FROM_BROWSER,
    ROLLBACK,
    CourseVersion,
    find_version,
    latest_version,
    pack_files,
    unpack_files,
    version_files,
)
from lms.database import utcnow
from lms.extensions import db
from lms.studio.models import CourseAuthor, CourseDraft
from lms.studio.policy import course_exists, may_edit

MAX_TEXT_BYTES = 512 * 1024


class StudioError(Exception):
    """Why a studio action was refused, as a short code (and details) the view translates."""

    def __init__(self, code: str, **details):
        super().__init__(code, details)
        self.code = code
        self.details = details


@dataclass
class Check:
    slug: str
    parsed: ParsedCourse | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.parsed is not None and not self.problems

    def relative(self, problem: Problem) -> str:
        """The problem's file inside the course folder (`slug/01-x.md` -> `01-x.md`)."""
        return problem.path.removeprefix(self.slug + "/")

    def problems_in(self, relative: str) -> list[Problem]:
        return [p for p in self.problems if self.relative(p) == relative]


# ---------------------------------------------------------------- checking


def server_tracks() -> list[TrackSpec]:
    """The tracks of this server (from the last `courses sync`), as the course checker expects them."""
    rows = list(db.session.scalars(select(Track).order_by(Track.position, Track.slug)))
    by_parent: dict[int | None, list[Track]] = {}
    for track in rows:
        by_parent.setdefault(track.parent_id, []).append(track)
    return [
        TrackSpec(slug=t.slug, names=dict(t.names or {}), position=t.position, specialties=[
            TrackSpec(slug=s.slug, names=dict(s.names or {}), position=s.position)
            for s in by_parent.get(t.id, [])
        ])
        for t in by_parent.get(None, [])
    ]


@dataclass
class _Requires:
    slug: str
    requires: list[str]
    requires_line: int = 1


def prerequisite_problems(parsed: ParsedCourse) -> list[Problem]:
    """`requires` must name published courses, and may not close a circle with them."""
    others = [_Requires(slug, list(requires or [])) for slug, requires in db.session.execute(
        select(Course.slug, Course.requires).where(Course.is_published, Course.slug != parsed.slug)
    )]
    known = {o.slug for o in others} | {parsed.slug}
    problems = validate_prerequisites([parsed, *others], known)  # the course first: a circle is reported on it
    return [p for p in problems if p.path == f"{parsed.slug}/course.md"]


def check_course(slug: str, files: dict[str, bytes], tracks: list[TrackSpec] | None = None) -> Check:
    tracks = server_tracks() if tracks is None else tracks
    parsed, problems = parse_course(slug, files, tracks)
    if parsed is not None:
        if not tracks:
            problems.append(Problem.at(f"{slug}/course.md", 1, "no_tracks_on_server"))
        problems.extend(prerequisite_problems(parsed))
    return Check(slug=slug, parsed=parsed, problems=sorted(set(problems)))


# ---------------------------------------------------------------- drafts


def find_draft(slug: str) -> CourseDraft | None:
    return db.session.scalar(select(CourseDraft).where(CourseDraft.course_slug == slug))


def draft_files(draft: CourseDraft) -> dict[str, bytes]:
    return unpack_files(draft.files)


def working_files(slug: str) -> tuple[dict[str, bytes], CourseDraft | None]:
    """The draft's files, else the current published version's, else nothing."""
    draft = find_draft(slug)
    if draft is not None:
        return draft_files(draft), draft
    latest = latest_version(slug)
    return (version_files(latest) if latest else {}), None


def save_draft(slug: str, files: dict[str, bytes], actor: User, revision: int | None = None) -> CourseDraft:
    """Store the working files. With `revision`, refuse when someone else saved since it was read."""
    draft = find_draft(slug)
    now = utcnow()
    if draft is None:
        if revision not in (None, 0):
            raise StudioError("conflict")
        latest = latest_version(slug)
        draft = CourseDraft(course_slug=slug, revision=0, created_by_id=actor.id, created_at=now,
                            based_on_version=latest.number if latest else None)
        db.session.add(draft)
    elif revision is not None and revision != draft.revision:
        raise StudioError("conflict")
    draft.files = pack_files(files)
    draft.revision = (draft.revision or 0) + 1
    draft.updated_by_id = actor.id
    draft.updated_at = now
    db.session.flush()
    return draft


def discard_draft(slug: str, actor: User) -> None:
    """Throw the draft away. A course that was never published then disappears, with its authors."""
    db.session.execute(delete(CourseDraft).where(CourseDraft.course_slug == slug))
    course_id = _course_id(slug)
    if course_id is None and latest_version(slug) is None:
        db.session.execute(delete(CourseAuthor).where(CourseAuthor.course_slug == slug))
    record_event(actor, "studio.draft_discarded", "course", course_id, slug=slug)


def tidy_upload(files: dict[str, bytes]) -> dict[str, bytes]:
    """Large photos in an uploaded course are scaled down and lose their camera data, as single uploads do."""
    tidied = {}
    for path, content in files.items():
        if path.startswith("media/") and path.lower().endswith((".jpg", ".jpeg", ".png", ".webp")):
            content = tidy_media(content)
        tidied[path] = content
    return tidied


def upload_course(slug: str, files: dict[str, bytes], actor: User) -> tuple[CourseDraft, bool]:
    """An uploaded ZIP becomes the course's draft. A new course makes the uploader its author.

    Returns (draft, is_new). Raises StudioError("taken") when the course exists and the uploader
    may not edit it.
    """
    if not SLUG.match(slug) or len(slug) > 64:
        raise StudioError("bad_slug", slug=slug)
    is_new = not course_exists(slug)
    if not is_new and not may_edit(actor, slug):
        raise StudioError("taken", slug=slug)
    draft = save_draft(slug, tidy_upload(files), actor)
    if is_new:
        add_author(slug, actor, actor)
    record_event(actor, "studio.uploaded", "course", _course_id(slug), slug=slug, files=len(files))
    return draft, is_new


def set_file(files: dict[str, bytes], relative: str, text: str) -> dict[str, bytes]:
    content = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    if len(content) > MAX_TEXT_BYTES:
        raise StudioError("text_too_long")
    return {**files, relative: content}


def new_file_text(name: str) -> str | None:
    """A starting point for a new file, or None when the name is not a course file name."""
    if COURSE_FILE.match(name):
        return "---\ntitle: \nsummary: \n---\n" if name != "course.md" else None
    match = ITEM_FILE.match(name)
    if match is None:
        return None
    if match["lang"]:
        return "---\ntitle: \n---\n"
    if match["kind"] == "quiz":
        return "---\ntitle: \n---\n## \n- [ ] \n- [x] \n> \n"
    if match["kind"] == "task":
        return ("---\ntitle: \nphotos: 1\nreview: instructor\npass: 2\n---\n\n## 评分标准\n\n### \n"
                "- 需要重做: \n- 合格: \n- 很好: \n")
    return "---\ntitle: \nminutes: 5\n---\n"


# ---------------------------------------------------------------- publishing


@dataclass
class Published:
    version: CourseVersion | None  # None: the files were the current version already
    outcome: str


def _course_id(slug: str) -> int | None:
    return db.session.scalar(select(Course.id).where(Course.slug == slug))


def publish_files(slug: str, files: dict[str, bytes], actor: User, *, source: str = FROM_BROWSER, note: str = "",
                  restored_from: int | None = None) -> Published:
    """Check, then publish these files as the course, exactly as `courses sync` would. Raises StudioError."""
    check = check_course(slug, files)
    if not check.ok:
        raise StudioError("invalid", problems=check.problems)
    parsed = check.parsed
    tracks = {t.slug: t for t in db.session.scalars(select(Track))}
    before = latest_version(slug)
    outcome = publish_course(parsed, tracks, actor=actor, source=source, note=note, restored_from=restored_from)
    put_in_learning_order()
    version = latest_version(slug)
    if before is not None and version is not None and version.id == before.id:
        version = None  # the files were the current version already
    record_event(actor, "studio.published" if source != ROLLBACK else "studio.rolled_back", "course",
                 _course_id(slug), slug=slug, version=version.number if version else None,
                 restored_from=restored_from, content_hash=parsed.content_hash)
    return Published(version=version, outcome=outcome)


def publish_draft(slug: str, actor: User, note: str = "") -> Published:
    draft = find_draft(slug)
    if draft is None:
        raise StudioError("no_draft")
    published = publish_files(slug, draft_files(draft), actor, note=note)
    db.session.delete(draft)
    db.session.flush()
    return published


def rollback(slug: str, number: int, actor: User) -> Published:
    """Publish an earlier version's files again, as a new version (history is never rewritten)."""
    version = find_version(slug, number)
    if version is None:
        raise StudioError("no_version")
    latest = latest_version(slug)
    published = db.session.scalar(select(Course.is_published).where(Course.slug == slug))
    if published and latest is not None and latest.content_hash == version.content_hash:
        raise StudioError("already_current", number=number)
    return publish_files(slug, version_files(version), actor, source=ROLLBACK, restored_from=number)


# ---------------------------------------------------------------- authors


def authors_of(slug: str) -> list[CourseAuthor]:
    return list(db.session.scalars(
        select(CourseAuthor).where(CourseAuthor.course_slug == slug).options(selectinload(CourseAuthor.user))
        .order_by(CourseAuthor.added_at, CourseAuthor.id)
    ))


def add_author(slug: str, user: User, actor: User) -> CourseAuthor:
    existing = db.session.scalar(
        select(CourseAuthor).where(CourseAuthor.course_slug == slug, CourseAuthor.user_id == user.id)
    )
    if existing is not None:
        return existing
    if user.role not in ("instructor", "admin"):
        raise StudioError("not_instructor")
    author = CourseAuthor(course_slug=slug, user_id=user.id, added_by_id=actor.id)
    db.session.add(author)
    db.session.flush()
    record_event(actor, "studio.author_added", "user", user.id, slug=slug)
    return author


def remove_author(slug: str, user_id: int, actor: User) -> bool:
    result = db.session.execute(
        delete(CourseAuthor).where(CourseAuthor.course_slug == slug, CourseAuthor.user_id == user_id)
    )
    if result.rowcount:
        record_event(actor, "studio.author_removed", "user", user_id, slug=slug)
    return bool(result.rowcount)
