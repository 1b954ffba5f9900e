"""The examples in docs/authoring.md are real: they pass the same checker instructors use. Its Chinese
twin, docs/authoring.zh.md, documents the same keys, question kinds and sections."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.content.messages import BY_FILE, MESSAGES
from lms.content.parser import COURSE_KEYS, LESSON_KEYS, QUIZ_KEYS, parse_course, parse_tracks
from lms.content.rendering import render_markdown
from lms.content.taskfile import TASK_KEYS
from tests.conftest import COURSES

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDE = DOCS / "authoring.md"
GUIDES = {"en": GUIDE, "zh": DOCS / "authoring.zh.md"}
TRACKS, _ = parse_tracks((COURSES / "tracks.yml").read_text(encoding="utf-8"))


def guide_example_files(guide: Path = GUIDE) -> dict[str, bytes]:
    """The complete example of section 7: each `courses/pack-and-ship/<file>` heading and its block."""
    text = guide.read_text(encoding="utf-8")
    example = text.split("## 7.", 1)[1]
    files = re.findall(r"`courses/pack-and-ship/([^`]+)`[:：]\s*\n\s*```markdown\n(.*?)\n```", example, re.S)
    return {name: body.encode() + b"\n" for name, body in files}


def test_the_complete_example_passes_the_checker():
    files = guide_example_files()
    assert set(files) == {"course.md", "01-packing.md", "02-packing-check.quiz.md"}
    course, problems = parse_course("pack-and-ship", files, TRACKS)
    assert problems == []
    assert [item.kind for item in course.items] == ["lesson", "quiz"]
    weight = course.items[1].questions["zh"][-1]
    assert (weight["kind"], weight["value"], weight["unit"]) == ("numeric", 8.0, "斤")


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_quiz_example_uses_every_question_kind(language):
    text = GUIDES[language].read_text(encoding="utf-8")
    quiz = re.search(r"## 4\. .*?\{#quizzes\}.*?```markdown\n(.*?)\n```", text, re.S).group(1)
    files = {"course.md": guide_example_files(GUIDES[language])["course.md"], "01-check.quiz.md": quiz.encode()}
    course, problems = parse_course("pack-and-ship", files, TRACKS)
    assert problems == []
    kinds = [q["kind"] for q in course.items[0].questions["zh"]]
    assert kinds == ["single", "multiple", "numeric", "short", "true_false"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_task_example_passes_the_checker_with_its_rubric(language):
    text = GUIDES[language].read_text(encoding="utf-8")
    task = re.search(r"\{#tasks\}.*?```markdown\n(.*?)\n```", text, re.S).group(1)
    files = {"course.md": guide_example_files(GUIDES[language])["course.md"], "01-basket.task.md": task.encode()}
    course, problems = parse_course("pack-and-ship", files, TRACKS)
    assert problems == []
    item = course.items[0]
    assert (item.kind, item.task["photos"], item.task["review"], item.task["pass"]) == ("task", 2, "instructor", 2)
    assert [[level["name"] for level in c["levels"]] for c in item.rubric["zh"]] == [["需要重做", "合格", "很好"]] * 2


# ---------------------------------------------------------------- the Chinese guide is the same guide


def section(text: str, anchor: str) -> str:
    """The lines under the heading that carries {#anchor}, up to the next heading (outside code blocks)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#") and line.endswith(f"{{#{anchor}}}"))
    kept, in_code = [], False
    for line in lines[start + 1:]:
        in_code ^= line.startswith("```")
        if not in_code and re.match(r"#{1,3} ", line):
            break
        kept.append(line)
    return "\n".join(kept)


def first_cells(text: str) -> list[str]:
    """The first cell of each row of the section's tables, headers left out."""
    rows = [re.split(r"(?<!\\)\|", line)[1].strip() for line in text.splitlines() if line.startswith("| ")]
    return [cell for cell, below in zip(rows, rows[1:] + [""], strict=True) if not below.startswith("---")
            and not cell.startswith("---")]


def table_keys(text: str) -> set[str]:
    """The `key`s in the first column of a section's tables."""
    return {cell.strip("`") for cell in first_cells(text) if re.fullmatch(r"`[a-z_]+`", cell)}


def answer_syntax(text: str) -> list[list[str]]:
    """The code in the first column of the question-kind table, row by row."""
    return [re.findall(r"`([^`]+)`", cell) for cell in first_cells(section(text, "quizzes"))]


def anchors(text: str) -> list[str]:
    return re.findall(r"^#+ .*\{#([a-z-]+)\}$", text, re.M)


def test_both_guides_have_the_same_sections_in_the_same_order():
    english, chinese = (GUIDES[lang].read_text(encoding="utf-8") for lang in ("en", "zh"))
    assert anchors(chinese) == anchors(english)
    assert len(anchors(english)) == 18


def test_every_section_a_checker_message_points_to_is_in_both_guides():
    sections = {spec.section for spec in MESSAGES.values()} - {None, BY_FILE} | {"course-file", "lessons", "quizzes",
                                                                                 "translations"}
    for guide in GUIDES.values():
        html = render_markdown(guide.read_text(encoding="utf-8"))
        assert {s for s in sections if f'id="user-content-{s}"' not in html} == set(), guide.name


@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_guide_documents_every_front_matter_key(language):
    text = GUIDES[language].read_text(encoding="utf-8")
    assert table_keys(section(text, "course-file")) == COURSE_KEYS
    assert table_keys(section(text, "quiz-settings")) | {"title"} == QUIZ_KEYS
    assert table_keys(section(text, "tasks")) | {"title"} == TASK_KEYS
    lessons = section(text, "lessons")
    first_rule = re.search(r"^- (.*)$", lessons.split("```", 2)[2], re.M).group(1)
    assert set(re.findall(r"`([a-z_]+)`", first_rule)) == LESSON_KEYS


def test_both_guides_document_the_same_question_kinds_with_the_same_answer_lines():
    english, chinese = (answer_syntax(GUIDES[lang].read_text(encoding="utf-8")) for lang in ("en", "zh"))
    assert chinese == english
    assert len(english) == 6  # single, multiple, numeric, numeric with a unit, short, true/false


def test_the_chinese_guide_has_the_same_complete_example():
    assert guide_example_files(GUIDES["zh"]) == guide_example_files(GUIDES["en"])
