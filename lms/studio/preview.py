"""A course as trainees will see it, built from parsed files instead of database rows.

The preview objects answer the same questions the trainee templates ask of a Course, a
CourseItem and an Outline, so templates/learning and templates/quizzes render them unchanged.
Nothing here writes anything: a preview never creates enrolments, progress or attempts.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from lms.content.frontmatter import split_front_matter
from lms.content.models import CourseTexts, Track, pick_language
from lms.content.parser import ITEM_FILE, MEDIA_TYPES, ParsedCourse, ParsedItem
from lms.content.problems import ProblemList
from lms.content.published import PublishedItem
from lms.content.quizfile import parse_quiz_body
from lms.content.rendering import MediaInfo, render_markdown
from lms.content.taskfile import parse_task_body
from lms.learning.progress import ItemStatus, Outline


def relink(html: str, media_base: str) -> str:
    """Point `media/...` in rendered HTML at the preview's own picture route (as `course_html` does for trainees)."""
    return html.replace('src="media/', f'src="{media_base}').replace('href="media/', f'href="{media_base}')


def _relink_question(question: dict, media_base: str) -> dict:
    question = copy.deepcopy(question)
    for key in ("prompt", "body", "feedback"):
        if question.get(key):
            question[key] = relink(question[key], media_base)
    if question.get("options"):
        question["options"] = [relink(option, media_base) for option in question["options"]]
    return question


@dataclass
class PreviewTrack:
    slug: str
    names: dict[str, str]
    position: int = 0

    def name(self, language: str) -> str:
        return pick_language(self.names, language, "zh") or self.slug


@dataclass
class PreviewCourse(CourseTexts):
    slug: str
    track: PreviewTrack | Track
    specialty: PreviewTrack | Track | None
    level: str
    language: str
    languages: list[str]
    titles: dict[str, str]
    summaries: dict[str, str]
    landing_html: dict[str, str]
    hours: float
    pass_mark: int
    certificate: bool
    requires: list[str]
    items: list[PublishedItem] = field(default_factory=list)
    is_published: bool = True


@dataclass
class PreviewEnrolment:
    """Shows the course as to a trainee who has just started it; never stored."""

    completed_at: datetime | None = None
    last_activity_at: datetime | None = None


def _track(slug: str | None, tracks: dict[str, Track]) -> PreviewTrack | Track | None:
    if not slug:
        return None
    return tracks.get(slug) or PreviewTrack(slug=slug, names={})


def build_course(parsed: ParsedCourse, tracks: dict[str, Track], media_base: str) -> PreviewCourse:
    course = PreviewCourse(
        slug=parsed.slug,
        track=_track(parsed.track, tracks) or PreviewTrack(slug="", names={}),
        specialty=_track(parsed.specialty, tracks),
        level=parsed.level,
        language=parsed.language,
        languages=parsed.languages,
        titles=dict(parsed.titles),
        summaries=dict(parsed.summaries),
        landing_html={lang: relink(html, media_base) for lang, html in parsed.landing.items()},
        hours=parsed.hours,
        pass_mark=parsed.pass_mark,
        certificate=parsed.certificate,
        requires=list(parsed.requires),
    )
    course.items = [_item(index, spec, course, media_base) for index, spec in enumerate(parsed.items, start=1)]
    return course


def _item(index: int, spec: ParsedItem, course: PreviewCourse, media_base: str) -> PublishedItem:
    return PublishedItem(  # the item as it would be published
        id=index, slug=spec.slug, kind=spec.kind, position=index, is_active=True, course=course,  # type: ignore[arg-type]
        minutes=spec.minutes, titles=dict(spec.titles),
        body_html={lang: relink(html, media_base) for lang, html in spec.bodies.items()},
        questions={lang: [_relink_question(q, media_base) for q in questions]
                   for lang, questions in spec.questions.items()},
        pass_mark=spec.pass_mark, attempts_allowed=spec.attempts, shuffle=spec.shuffle, draw=spec.draw,
        partial_credit=spec.partial_credit, task=dict(spec.task),
        rubric={lang: [_relink_criterion(c, media_base) for c in criteria] for lang, criteria in spec.rubric.items()},
    )


def _relink_criterion(criterion: dict, media_base: str) -> dict:
    return {**criterion, "about": relink(criterion["about"], media_base),
            "levels": [{**level, "html": relink(level["html"], media_base)} for level in criterion["levels"]]}


def outline_of(course: PreviewCourse) -> Outline:
    return Outline(course=course, items=[ItemStatus(item=item) for item in course.items],  # type: ignore[arg-type]
                   enrolment=PreviewEnrolment(), missing_prerequisites=[])  # type: ignore[arg-type]


def find_item(course: PreviewCourse, slug: str) -> PublishedItem | None:
    return next((item for item in course.items if item.slug == slug), None)


def quiz_questions(item: PublishedItem, language: str) -> tuple[str, list[dict]]:
    """(language, questions) of a quiz in the reader's language where translated."""
    language = language if language in item.questions else item.course.language
    return language, item.questions.get(language, [])


# ---------------------------------------------------------------- one file, while editing


@dataclass
class FilePreview:
    kind: str  # "lesson", "quiz", "task" or "course"
    html: str
    questions: list[dict] = field(default_factory=list)
    rubric: list[dict] = field(default_factory=list)


def media_info(files: dict[str, bytes]) -> dict[str, MediaInfo]:
    return {path: MediaInfo(hashlib.sha256(content).hexdigest())
            for path, content in files.items()
            if path.startswith("media/") and path[path.rfind("."):].lower() in MEDIA_TYPES}


def preview_file(relative: str, text: str, files: dict[str, bytes], media_base: str) -> FilePreview | None:
    """Render one file's text on its own, as it would appear (mistakes elsewhere in the course do not matter)."""
    ignored: list = []
    matter = split_front_matter(text.replace("\r\n", "\n"), ProblemList(ignored, relative))
    if matter is None:
        return None
    media = media_info(files)
    match = ITEM_FILE.match(relative)
    if match and match["kind"] == "task":
        instructions, criteria = parse_task_body(matter.body, matter.body_first_line, ProblemList(ignored, relative),
                                                 media)
        return FilePreview("task", relink(instructions, media_base),
                           rubric=[_relink_criterion(c, media_base) for c in criteria])
    if match and match["kind"] == "quiz":
        intro, questions = parse_quiz_body(matter.body, matter.body_first_line, ProblemList(ignored, relative), media)
        return FilePreview("quiz", relink(intro, media_base), [_relink_question(q, media_base) for q in questions])
    kind = "lesson" if match else "course"
    return FilePreview(kind, relink(render_markdown(matter.body, media), media_base))
