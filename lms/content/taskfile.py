"""The practical task file: what to submit, how it is reviewed, the instructions, and the rubric.

    ---
    title: 窗光下拍竹篮
    photos: 2            # how many photos, 1–6 (leave out for none)
    photo_min_px: 800    # optional: the shorter side of each photo, in pixels
    text: true           # a written answer; `text_min: 30` asks for at least 30 characters
    link: true           # a web address (a shop page, a listing)
    review: instructor   # instructor | peer | self
    reviewers: 2         # peer review only: how many classmates review each piece of work
    pass: 2              # passed when every criterion is at this level or better (1 = the first level)
    ---
    Instructions in markdown, with example photos from media/.

    ## 评分标准            (or ## Criteria)
    ### 光线               one `###` per criterion; a paragraph under it may say what it is about
    - 需要重做: 篮子一边很暗。   its levels, lowest first: `- name: what it looks like`
    - 合格: 窗光从侧面照来。
    - 很好: ...

Settings are stored as a small mapping, the rubric per language as plain lists, so a review form
and a pass check are functions of stored data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lms.content.frontmatter import FieldReader, FrontMatter
from lms.content.problems import ProblemList
from lms.content.rendering import MediaInfo, render_inline, render_markdown

TASK_KEYS = {"title", "photos", "photo_min_px", "text", "text_min", "link", "review", "reviewers", "pass"}
REVIEW_KINDS = ("instructor", "peer", "self")
RUBRIC_HEADINGS = {"评分标准", "criteria", "rubric"}
MAX_PHOTOS = 6

_RUBRIC_HEADING = re.compile(r"^##\s+(?P<name>.+?)\s*#*\s*$")
_CRITERION = re.compile(r"^###\s+(?P<name>.*?)\s*#*\s*$")
_LEVEL = re.compile(r"^\s*[-*+]\s+(?P<name>[^:：]+?)\s*[:：]\s*(?P<text>.*)$")
_LIST_ITEM = re.compile(r"^\s*[-*+]\s+")


def read_task_settings(fields: FieldReader, matter: FrontMatter, report: ProblemList) -> dict:
    """The front matter of a task: what to hand in and how it is reviewed."""
    photos = fields.integer("photos", 1, MAX_PHOTOS, default=0) or 0
    text = fields.boolean("text", False)
    link = fields.boolean("link", False)
    settings = {
        "photos": photos,
        "photo_min_px": fields.integer("photo_min_px", 100, 4000, default=None),
        "text": text,
        "text_min": fields.integer("text_min", 1, 5000, default=None),
        "link": link,
        "review": fields.choice("review", REVIEW_KINDS) or "instructor",
        "reviewers": fields.integer("reviewers", 1, 3, default=2) or 2,
        "pass": fields.integer("pass", 1, 5, default=2) or 2,
    }
    if "photos" not in matter.values and "photo_min_px" in matter.values:
        report(matter.line_of("photo_min_px"), "task_size_without_photos")
    if "text_min" in matter.values and not text:
        report(matter.line_of("text_min"), "task_length_without_text")
    if "reviewers" in matter.values and settings["review"] != "peer":
        report(matter.line_of("reviewers"), "task_reviewers_without_peer")
    if not (photos or text or link) and not {"photos", "text", "link"} & set(matter.values):
        report(matter.first_line, "task_asks_for_nothing")
    return settings


def parse_task_body(
    body: str, first_line: int, report: ProblemList, media: Mapping[str, MediaInfo] | None = None,
) -> tuple[str, list[dict]]:
    """(instructions as HTML, the rubric: [{title, about, levels: [{name, html}]}])."""
    lines = body.splitlines()
    start = next((n for n, line in enumerate(lines) if _is_rubric_heading(line)), None)
    if start is None:
        report(first_line, "task_without_rubric")
        return render_markdown(body, media), []
    instructions = render_markdown("\n".join(lines[:start]), media)
    criteria: list[dict] = []
    about: list[str] = []
    heading_line = first_line + start
    for offset, line in enumerate(lines[start + 1:], start=start + 1):
        number = first_line + offset
        if not line.strip():
            continue
        criterion = _CRITERION.match(line)
        if criterion:
            _close_criterion(criteria, about, report, media)
            if not criterion["name"]:
                report(number, "criterion_heading_empty")
            criteria.append({"title": render_inline(criterion["name"] or "?", media), "about": "", "levels": [],
                             "line": number})
            about = []
            continue
        if line.startswith("## ") or line.startswith("# "):
            report(number, "rubric_not_last")
            break
        if not criteria:
            report(number, "rubric_text_before_criterion")
            continue
        level = _LEVEL.match(line)
        if level:
            criteria[-1]["levels"].append({"name": level["name"].strip(), "html": render_inline(level["text"], media)})
        elif _LIST_ITEM.match(line):
            report(number, "level_unreadable")
        elif criteria[-1]["levels"]:
            report(number, "text_after_levels")
        else:
            about.append(line)
    _close_criterion(criteria, about, report, media)
    if not criteria:
        report(heading_line, "rubric_without_criteria")
    return instructions, criteria


def _is_rubric_heading(line: str) -> bool:
    match = _RUBRIC_HEADING.match(line)
    return bool(match) and not line.startswith("###") and match["name"].strip().casefold() in RUBRIC_HEADINGS


def _close_criterion(criteria: list[dict], about: list[str], report: ProblemList, media) -> None:
    if not criteria:
        return
    criterion = criteria[-1]
    if about and not criterion["about"]:
        criterion["about"] = render_markdown("\n".join(about), media)
    line = criterion.pop("line", None)
    if line is not None and len(criterion["levels"]) < 2:
        report(line, "criterion_too_few_levels")


def check_pass_level(settings: dict, criteria: list[dict], line: int, report: ProblemList) -> None:
    """The pass level must exist in every criterion."""
    fewest = min((len(c["levels"]) for c in criteria), default=0)
    if criteria and fewest >= 2 and settings["pass"] > fewest:
        report(line, "pass_level_missing", level=settings["pass"], fewest=fewest)


def compare_rubric_translation(main: list[dict], translated: list[dict], report: ProblemList, line: int) -> None:
    """A translation scores the same rubric: the same criteria, each with the same number of levels."""
    if len(main) != len(translated):
        report(line, "translation_criterion_count", count=len(translated), main=len(main))
        return
    for number, (ours, theirs) in enumerate(zip(main, translated, strict=True), start=1):
        if len(ours["levels"]) != len(theirs["levels"]):
            report(line, "translation_level_count", number=number, count=len(theirs["levels"]),
                   main=len(ours["levels"]))


def passes(settings: dict, levels: list[int]) -> bool:
    """Whether a review's levels (1 = the first, lowest) pass: every criterion at the pass level or better."""
    return bool(levels) and all(level >= settings.get("pass", 2) for level in levels)
