"""The examples in docs/authoring.md are real: they pass the same checker instructors use."""

from __future__ import annotations

import re
from pathlib import Path

from lms.content.parser import parse_course, parse_tracks
from tests.conftest import COURSES

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"
TRACKS, _ = parse_tracks((COURSES / "tracks.yml").read_text(encoding="utf-8"))


def guide_example_files() -> dict[str, bytes]:
    """The complete example of section 7: each `courses/pack-and-ship/<file>` heading and its block."""
    text = GUIDE.read_text(encoding="utf-8")
    example = text.split("## 7.", 1)[1]
    files = re.findall(r"`courses/pack-and-ship/([^`]+)`:\s*\n\s*```markdown\n(.*?)\n```", example, re.S)
    return {name: body.encode() + b"\n" for name, body in files}


def test_the_complete_example_passes_the_checker():
    files = guide_example_files()
    assert set(files) == {"course.md", "01-packing.md", "02-packing-check.quiz.md"}
    course, problems = parse_course("pack-and-ship", files, TRACKS)
    assert problems == []
    assert [item.kind for item in course.items] == ["lesson", "quiz"]
    weight = course.items[1].questions["zh"][-1]
    assert (weight["kind"], weight["value"], weight["unit"]) == ("numeric", 8.0, "斤")


def test_the_quiz_example_uses_every_question_kind():
    text = GUIDE.read_text(encoding="utf-8")
    quiz = re.search(r"## 4\. Quizzes.*?```markdown\n(.*?)\n```", text, re.S).group(1)
    files = {"course.md": guide_example_files()["course.md"], "01-check.quiz.md": quiz.encode()}
    course, problems = parse_course("pack-and-ship", files, TRACKS)
    assert problems == []
    kinds = [q["kind"] for q in course.items[0].questions["zh"]]
    assert kinds == ["single", "multiple", "numeric", "short", "true_false"]
