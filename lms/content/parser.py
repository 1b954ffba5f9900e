"""Reads a course catalog (tracks.yml + one folder per course) into plain data, or explains why not.

Parsing works on a mapping of relative paths to bytes, so a folder on disk and an uploaded
ZIP go through exactly the same checks. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from lms.content.frontmatter import FieldReader, FrontMatter, split_front_matter
from lms.content.models import LEVELS
from lms.content.problems import CourseValidationError, Problem, ProblemList
from lms.content.quizfile import compare_translation, parse_quiz_body
from lms.content.rendering import CONTENT_CLASSES, RENDERING_VERSION, MediaInfo, allowed_class, render_markdown
from lms.content.taskfile import (
    TASK_KEYS,
    check_pass_level,
    compare_rubric_translation,
    parse_task_body,
    read_task_settings,
)

CONTENT_LANGUAGES = ("zh", "en")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ITEM_FILE = re.compile(
    r"^(?P<number>\d+)-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)(?:\.(?P<kind>quiz|task))?(?:\.(?P<lang>[a-z]{2}))?\.md$"
)
COURSE_FILE = re.compile(r"^course(?:\.(?P<lang>[a-z]{2}))?\.md$")
MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
MAX_MEDIA_BYTES = 2 * 1024 * 1024
RESERVED_ITEM_SLUGS = {"media", "start", "offline"}
_CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*["'](?P<names>[^"']*)["']""")
_ATTRIBUTE_LIST = re.compile(r"\{:?(?P<inside>[^{}]*)\}")
_DOT_CLASS = re.compile(r"(?:^|\s)\.([\w-]+)")
_IMAGE_REF = re.compile(r"!\[[^\]]*\]\(\s*<?(?P<src>[^)\s>]+)")
_SVG_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object"}

COURSE_KEYS = {"title", "summary", "track", "specialty", "level", "language", "hours",
               "requires", "pass_mark", "certificate"}
LESSON_KEYS = {"title", "minutes"}
QUIZ_KEYS = {"title", "pass_mark", "attempts", "shuffle", "draw", "partial_credit"}
TRANSLATED_KEYS = {"course": {"title", "summary"}, "lesson": {"title"}, "quiz": {"title"}, "task": {"title"}}
ITEM_KEYS = {"lesson": LESSON_KEYS, "quiz": QUIZ_KEYS, "task": TASK_KEYS}


@dataclass
class TrackSpec:
    slug: str
    names: dict[str, str]
    position: int
    specialties: list[TrackSpec] = field(default_factory=list)


@dataclass
class MediaFile:
    path: str
    mimetype: str
    content: bytes
    digest: str
    width: int | None
    height: int | None


@dataclass
class ParsedItem:
    slug: str
    kind: str
    number: int
    source: str
    titles: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    minutes: int = 0
    pass_mark: int | None = None
    attempts: int = 0
    shuffle: bool = False
    draw: int | None = None
    partial_credit: bool = False
    questions: dict[str, list[dict]] = field(default_factory=dict)
    task: dict = field(default_factory=dict)  # a practical task's settings (lms/content/taskfile.py)
    rubric: dict[str, list[dict]] = field(default_factory=dict)  # its criteria and levels, per language


@dataclass
class ParsedCourse:
    slug: str
    track: str
    specialty: str | None
    level: str
    language: str
    hours: float
    requires: list[str]
    pass_mark: int
    certificate: bool
    titles: dict[str, str]
    summaries: dict[str, str]
    landing: dict[str, str]
    items: list[ParsedItem]
    media: list[MediaFile]
    content_hash: str
    requires_line: int = 1
    # The files the course was read from (hidden files left out), so a publish can keep them as a version.
    files: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)

    @property
    def languages(self) -> list[str]:
        return sorted(self.titles, key=lambda lang: (lang != self.language, lang))


@dataclass
class Catalog:
    tracks: list[TrackSpec]
    courses: list[ParsedCourse]


# ---------------------------------------------------------------- tracks.yml


def parse_tracks(text: str, path: str = "tracks.yml") -> tuple[list[TrackSpec], list[Problem]]:
    problems: list[Problem] = []
    report = ProblemList(problems, path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = str(getattr(error, "problem", None) or error)  # PyYAML's own words, in English
        report(mark.line + 1 if mark else 1, "tracks_yaml_broken", problem=problem)
        return [], problems
    if not isinstance(data, dict) or not isinstance(data.get("tracks"), list):
        report(1, "tracks_not_a_list")
        return [], problems
    lines = _yaml_slug_lines(text)
    tracks: list[TrackSpec] = []
    seen: set[str] = set()

    def read(entry, position: int, what: str) -> TrackSpec | None:
        if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str):
            report(1, f"{what}_without_slug")
            return None
        slug = entry["slug"]
        line = lines.get(slug, 1)
        if not SLUG.match(slug):
            report(line, f"{what}_slug_bad", slug=slug)
        if slug in seen:
            report(line, "slug_twice", slug=slug)
        seen.add(slug)
        names = entry.get("name")
        if not isinstance(names, dict) or not all(isinstance(names.get(lang), str) for lang in CONTENT_LANGUAGES):
            report(line, f"{what}_without_names", slug=slug)
            names = {}
        return TrackSpec(slug=slug, names={k: names[k] for k in CONTENT_LANGUAGES if k in names}, position=position)

    for position, entry in enumerate(data["tracks"]):
        track = read(entry, position, "track")
        if track is None:
            continue
        specialties = entry.get("specialties") or []
        if not isinstance(specialties, list):
            report(lines.get(track.slug, 1), "specialties_not_a_list", track=track.slug)
            specialties = []
        for sub_position, sub in enumerate(specialties):
            specialty = read(sub, sub_position, "specialty")
            if specialty is not None:
                track.specialties.append(specialty)
        tracks.append(track)
    return tracks, problems


def _yaml_slug_lines(text: str) -> dict[str, int]:
    """Line of each `slug:` value, found from YAML's own node positions."""
    lines: dict[str, int] = {}

    def walk(node) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == "slug" and isinstance(value, yaml.ScalarNode):
                    lines.setdefault(value.value, value.start_mark.line + 1)
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for child in node.value:
                walk(child)

    walk(yaml.compose(text, Loader=yaml.SafeLoader))
    return lines


# ---------------------------------------------------------------- media


def _svg_size_and_safety(content: bytes, report: ProblemList) -> tuple[int | None, int | None]:
    parser = xml.parsers.expat.ParserCreate()
    root_attributes: dict[str, str] = {}

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1].lower()
        if not root_attributes:
            root_attributes.update(attributes or {"_": ""})
        line = parser.CurrentLineNumber
        if local in _SVG_FORBIDDEN_ELEMENTS:
            report(line, "svg_forbidden_element", element=local)
        for attribute, value in attributes.items():
            lowered = attribute.lower()
            if lowered.rsplit(":", 1)[-1].startswith("on"):
                report(line, "svg_event_attribute", attribute=attribute)
            if lowered.endswith("href") and not value.strip().startswith("#"):
                report(line, "svg_outside_link")

    parser.StartElementHandler = start
    try:
        parser.Parse(content, True)
    except xml.parsers.expat.ExpatError as error:
        report(error.lineno, "svg_not_xml", error=xml.parsers.expat.ErrorString(error.code))
        return None, None
    return _svg_dimension(root_attributes.get("width")), _svg_dimension(root_attributes.get("height"))


def _svg_dimension(value: str | None) -> int | None:
    if not value:
        return None
    match = re.match(r"^\s*(\d{1,5}(?:\.\d+)?)\s*(px)?\s*$", value)
    return round(float(match.group(1))) if match else None  # at most 99999 px: larger is not a real size


def _raster_size(content: bytes, report: ProblemList) -> tuple[int | None, int | None]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error, Image.DecompressionBombError):
        # Image decoders meet broken files with many kinds of error; each one means the same to an author.
        report(1, "image_unreadable")
        return None, None


def _read_media(relative: str, content: bytes, problems: list[Problem], course_path: str) -> MediaFile | None:
    report = ProblemList(problems, f"{course_path}/{relative}")
    suffix = PurePosixPath(relative).suffix.lower()
    mimetype = MEDIA_TYPES.get(suffix)
    if mimetype is None:
        report(1, "media_not_image", allowed=", ".join(sorted(MEDIA_TYPES)))
        return None
    if len(content) > MAX_MEDIA_BYTES:
        report(1, "image_too_large", size=len(content) // 1024, limit=MAX_MEDIA_BYTES // 1024)
        return None
    if suffix == ".svg":
        width, height = _svg_size_and_safety(content, report)
    else:
        width, height = _raster_size(content, report)
    return MediaFile(relative, mimetype, content, hashlib.sha256(content).hexdigest(), width, height)


def check_media(relative: str, content: bytes, course_path: str) -> tuple[MediaFile | None, list[Problem]]:
    """Check one file for media/ exactly as the course checker does (type, size, SVG safety)."""
    problems: list[Problem] = []
    return _read_media(relative, content, problems, course_path), problems


# ---------------------------------------------------------------- one course


def _check_body(body: str, body_first_line: int, media: dict[str, MediaInfo], report: ProblemList) -> None:
    """What the markdown of a lesson, quiz or course page may not do: outside images, missing
    media, and classes that would dress course text up as the site's own buttons and boxes."""
    for offset, line in enumerate(body.splitlines()):
        for name in _author_classes(line):
            if not allowed_class(name):
                report(body_first_line + offset, "class_not_allowed", name=name,
                       allowed=", ".join(sorted(CONTENT_CLASSES)))
        for match in _IMAGE_REF.finditer(line):
            source = match["src"]
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//", source, re.IGNORECASE):
                report(body_first_line + offset, "image_from_outside", source=source)
            elif source not in media:
                report(body_first_line + offset, "media_missing", source=source)


def _author_classes(line: str) -> list[str]:
    """Classes a line sets: `class="..."` in raw HTML or an attribute list, and `.name` in `{: ...}`."""
    names = [name for match in _CLASS_ATTRIBUTE.finditer(line) for name in match["names"].split()]
    for attributes in _ATTRIBUTE_LIST.finditer(line):
        names += _DOT_CLASS.findall(_CLASS_ATTRIBUTE.sub("", attributes["inside"]))
    return names


def _translation_keys_only(matter: FrontMatter, kind: str, report: ProblemList) -> FieldReader:
    allowed = TRANSLATED_KEYS[kind]
    for key in list(matter.values):
        if key not in allowed and key in (COURSE_KEYS | LESSON_KEYS | QUIZ_KEYS | TASK_KEYS):
            report(matter.line_of(key), "key_in_translation", key=key)
            matter.values.pop(key)
    return FieldReader(matter, report, allowed)


def parse_course(
    slug: str,
    files: dict[str, bytes],
    tracks: list[TrackSpec],
    course_path: str | None = None,
) -> tuple[ParsedCourse | None, list[Problem]]:
    """Parse one course folder given as {relative path: bytes}."""
    course_path = course_path or slug
    problems: list[Problem] = []
    if not SLUG.match(slug):
        problems.append(Problem.at(course_path, 1, "folder_name_bad"))

    media: dict[str, MediaFile] = {}
    texts: dict[str, str] = {}
    for relative, content in sorted(files.items()):
        name = PurePosixPath(relative)
        if any(part.startswith(".") for part in name.parts):
            continue
        if name.parts[0] == "media" and len(name.parts) > 1:
            found = _read_media(relative, content, problems, course_path)
            if found:
                media[relative] = found
            continue
        if len(name.parts) > 1:
            problems.append(Problem.at(f"{course_path}/{relative}", 1, "unexpected_folder"))
            continue
        if name.suffix != ".md":
            problems.append(Problem.at(f"{course_path}/{relative}", 1, "unexpected_file"))
            continue
        try:
            texts[relative] = content.decode("utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            problems.append(Problem.at(f"{course_path}/{relative}", line, "not_utf8"))

    media_info = {path: MediaInfo(m.digest, m.width, m.height) for path, m in media.items()}
    course_texts = {}
    items: dict[tuple[str, str | None], tuple[str, re.Match]] = {}
    for relative in texts:
        course_match = COURSE_FILE.match(relative)
        item_match = ITEM_FILE.match(relative)
        if course_match:
            course_texts[course_match["lang"]] = relative
        elif item_match:
            items[(relative, item_match["lang"])] = (relative, item_match)
        else:
            problems.append(Problem.at(f"{course_path}/{relative}", 1, "file_name_unknown"))

    if None not in course_texts:
        problems.append(Problem.at(f"{course_path}/course.md", 1, "course_md_missing"))
        return None, problems

    # course.md
    main_path = f"{course_path}/course.md"
    report = ProblemList(problems, main_path)
    matter = split_front_matter(texts["course.md"], report)
    if matter is None:
        return None, problems
    fields = FieldReader(matter, report, COURSE_KEYS)
    track_slugs = {t.slug: t for t in tracks}
    track_slug = fields.choice("track", tuple(track_slugs) or ("entrepreneurship", "employment"), required=True)
    specialty = None
    track = track_slugs.get(track_slug) if track_slug else None
    if track is not None:
        specialty_slugs = tuple(s.slug for s in track.specialties)
        if specialty_slugs:
            specialty = fields.choice("specialty", specialty_slugs, required=True)
        elif "specialty" in matter.values:
            report(matter.line_of("specialty"), "specialty_not_in_track", track=track.slug)
    language = fields.choice("language", CONTENT_LANGUAGES, required=True) or "zh"
    course = ParsedCourse(
        slug=slug,
        track=track_slug or "",
        specialty=specialty,
        level=fields.choice("level", LEVELS, required=True) or "",
        language=language,
        hours=fields.number("hours", required=True) or 0,
        requires=fields.slug_list("requires"),
        requires_line=matter.line_of("requires"),
        pass_mark=fields.integer("pass_mark", 0, 100, default=80),
        certificate=fields.boolean("certificate", True),
        titles={language: fields.text("title", required=True)},
        summaries={language: fields.text("summary", required=True)},
        landing={language: render_markdown(matter.body, media_info)},
        items=[],
        media=list(media.values()),
        content_hash=_content_hash(files),
        files={path: content for path, content in files.items() if not _is_hidden(path)},
    )
    _check_body(matter.body, matter.body_first_line, media_info, report)

    for lang, relative in course_texts.items():
        if lang is None:
            continue
        t_report = ProblemList(problems, f"{course_path}/{relative}")
        if lang == language or lang not in CONTENT_LANGUAGES:
            t_report(1, "not_a_translation_language", lang=lang, language=language)
            continue
        t_matter = split_front_matter(texts[relative], t_report)
        if t_matter is None:
            continue
        t_fields = _translation_keys_only(t_matter, "course", t_report)
        course.titles[lang] = t_fields.text("title", required=True)
        course.summaries[lang] = t_fields.text("summary", default=course.summaries[language])
        course.landing[lang] = render_markdown(t_matter.body, media_info)
        _check_body(t_matter.body, t_matter.body_first_line, media_info, t_report)

    course.items = _parse_items(items, texts, course, media_info, problems, course_path)
    return course, problems


def _is_hidden(relative: str) -> bool:
    return any(part.startswith(".") for part in PurePosixPath(relative).parts)


def _content_hash(files: dict[str, bytes]) -> str:
    """The files' digest, and the renderer's version: a change to how markdown is rendered or
    sanitized renders every course again at the next sync, as a change to its files would."""
    digest = hashlib.sha256(RENDERING_VERSION.encode() + b"\0")
    for relative in sorted(files):
        if _is_hidden(relative):
            continue
        digest.update(relative.encode() + b"\0" + hashlib.sha256(files[relative]).digest())
    return digest.hexdigest()


def _parse_items(items, texts, course: ParsedCourse, media_info, problems, course_path) -> list[ParsedItem]:
    parsed: dict[str, ParsedItem] = {}
    numbers: dict[int, str] = {}
    mains = [(rel, m) for (rel, lang), (_, m) in items.items() if lang is None]
    translations = [(rel, m) for (rel, lang), (_, m) in items.items() if lang is not None]

    for relative, match in sorted(mains, key=lambda pair: pair[0]):
        path = f"{course_path}/{relative}"
        report = ProblemList(problems, path)
        slug, number, kind = match["slug"], int(match["number"]), match["kind"] or "lesson"
        if slug in parsed:
            report(1, "item_slug_twice", slug=slug, other=parsed[slug].source)
            continue
        if slug in RESERVED_ITEM_SLUGS:
            report(1, "item_slug_reserved", slug=slug)
            continue
        if number in numbers:
            report(1, "item_number_twice", number=match["number"], other=numbers[number])
        numbers[number] = relative
        matter = split_front_matter(texts[relative], report)
        if matter is None:
            continue
        item = ParsedItem(slug=slug, kind=kind, number=number, source=relative)
        fields = FieldReader(matter, report, ITEM_KEYS[kind])
        item.titles[course.language] = fields.text("title", required=True)
        _check_body(matter.body, matter.body_first_line, media_info, report)
        if kind == "lesson":
            item.minutes = fields.integer("minutes", 1, 600, default=0, required=True) or 0
            item.bodies[course.language] = render_markdown(matter.body, media_info)
        elif kind == "task":
            item.task = read_task_settings(fields, matter, report)
            instructions, criteria = parse_task_body(matter.body, matter.body_first_line, report, media_info)
            check_pass_level(item.task, criteria, matter.line_of("pass"), report)
            item.bodies[course.language] = instructions
            item.rubric[course.language] = criteria
        else:
            item.pass_mark = fields.integer("pass_mark", 0, 100, default=None)
            item.attempts = fields.integer("attempts", 0, default=0) or 0
            item.shuffle = fields.boolean("shuffle", False)
            item.partial_credit = fields.boolean("partial_credit", False)
            item.draw = fields.integer("draw", 1, default=None)
            intro, questions = parse_quiz_body(matter.body, matter.body_first_line, report, media_info)
            if not questions and not any(p.path == path for p in problems):
                report(matter.body_first_line, "quiz_without_questions")
            if item.draw is not None and item.draw > len(questions):
                report(matter.line_of("draw"), "draw_more_than_questions", draw=item.draw, count=len(questions))
            item.bodies[course.language] = intro
            item.questions[course.language] = questions
        parsed[slug] = item

    for relative, match in sorted(translations, key=lambda pair: pair[0]):
        path = f"{course_path}/{relative}"
        report = ProblemList(problems, path)
        lang, slug = match["lang"], match["slug"]
        kind = match["kind"] or "lesson"
        if lang == course.language or lang not in CONTENT_LANGUAGES:
            report(1, "not_a_translation_language", lang=lang, language=course.language)
            continue
        item = parsed.get(slug)
        if item is None or item.kind != kind:
            report(1, f"{kind}_translation_without_main", slug=slug, lang=lang)
            continue
        matter = split_front_matter(texts[relative], report)
        if matter is None:
            continue
        fields = _translation_keys_only(matter, kind, report)
        item.titles[lang] = fields.text("title", required=True)
        _check_body(matter.body, matter.body_first_line, media_info, report)
        if kind == "lesson":
            item.bodies[lang] = render_markdown(matter.body, media_info)
        elif kind == "task":
            instructions, criteria = parse_task_body(matter.body, matter.body_first_line, report, media_info)
            compare_rubric_translation(item.rubric.get(course.language, []), criteria, report,
                                       matter.body_first_line)
            item.bodies[lang] = instructions
            item.rubric[lang] = criteria
        else:
            intro, questions = parse_quiz_body(matter.body, matter.body_first_line, report, media_info)
            compare_translation(item.questions.get(course.language, []), questions, report)
            item.bodies[lang] = intro
            item.questions[lang] = questions

    ordered = sorted(parsed.values(), key=lambda item: (item.number, item.slug))
    if not ordered:
        problems.append(Problem.at(f"{course_path}/course.md", 1, "course_empty"))
    return ordered


# ---------------------------------------------------------------- the catalog


def validate_prerequisites(courses: list[ParsedCourse], known_slugs: set[str]) -> list[Problem]:
    """Every `requires` names a course, and no chain of requirements comes back to its start."""
    problems: list[Problem] = []
    by_slug = {c.slug: c for c in courses}
    for course in courses:
        for required in course.requires:
            if required == course.slug:
                problems.append(Problem.at(f"{course.slug}/course.md", course.requires_line, "requires_itself"))
            elif required not in known_slugs:
                problems.append(Problem.at(f"{course.slug}/course.md", course.requires_line, "requires_unknown",
                                           slug=required))
    visiting: list[str] = []
    done: set[str] = set()
    reported: set[frozenset[str]] = set()

    def visit(slug: str) -> None:
        if slug in done or slug not in by_slug:
            return
        if slug in visiting:
            cycle = visiting[visiting.index(slug):] + [slug]
            key = frozenset(cycle)
            if key not in reported:
                reported.add(key)
                start = by_slug[cycle[0]]
                problems.append(Problem.at(f"{start.slug}/course.md", start.requires_line, "requires_cycle",
                                           cycle=" -> ".join(cycle)))
            return
        visiting.append(slug)
        for required in by_slug[slug].requires:
            if required != slug:
                visit(required)
        visiting.pop()
        done.add(slug)

    for course in courses:
        visit(course.slug)
    return problems


def read_folder(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def course_folders(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith("."))


def load_catalog(root: Path, folders: Iterable[Path] | None = None) -> Catalog:
    """Parse a whole courses/ folder. Raises CourseValidationError listing every problem.

    `folders` lets a caller wrap course_folders(root) in a progress bar.
    """
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        raise CourseValidationError([Problem.at(str(root), 1, "courses_folder_missing")])
    tracks_file = root / "tracks.yml"
    if tracks_file.exists():
        raw = tracks_file.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            tracks, text = [], None
            problems.append(Problem.at("tracks.yml", raw[: error.start].count(b"\n") + 1, "not_utf8"))
        if text is not None:
            tracks, track_problems = parse_tracks(text, "tracks.yml")
            problems.extend(track_problems)
    else:
        tracks = []
        problems.append(Problem.at("tracks.yml", 1, "tracks_missing"))

    courses: list[ParsedCourse] = []
    for folder in course_folders(root) if folders is None else folders:
        course, course_problems = parse_course(folder.name, read_folder(folder), tracks)
        problems.extend(course_problems)
        if course is not None:
            courses.append(course)
    problems.extend(validate_prerequisites(courses, {c.slug for c in courses}))
    if problems:
        raise CourseValidationError(problems)
    return Catalog(tracks=tracks, courses=courses)
