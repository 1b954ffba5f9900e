"""The checker's problems are message ids with parameters, worded when shown: every one in Chinese and English."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from lms.content.messages import MESSAGES, QUESTION_KIND_WORDS, guide_section
from lms.content.parser import parse_course
from lms.content.problems import Problem
from tests.content.test_parser import COURSE_MD, TRACKS

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
HAN = re.compile(r"[\u4e00-\u9fff]")


def sample_params(code: str) -> dict:
    spec = MESSAGES[code]
    return {name: "single" if name in spec.words else f"<{name}>" for name in PLACEHOLDER.findall(spec.text)}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_checker_message_is_worded_in_chinese_with_its_parameters(app, code):
    params = sample_params(code)
    problem = Problem.at("demo/01-a.md", 3, code, **params)
    with app.test_request_context(), force_locale("zh"):
        chinese = problem.message
    with app.test_request_context(), force_locale("en"):
        english = problem.message
    assert HAN.search(chinese) and chinese != english
    for name, value in params.items():
        if name not in MESSAGES[code].words:
            assert value in chinese and value in english, (name, chinese)
    assert "%(" not in chinese and "%(" not in english


def test_question_kinds_are_worded_in_the_readers_language(app):
    problem = Problem.at("demo/01-q.quiz.en.md", 4, "translation_question_kind", number=1, kind="numeric",
                         main_kind="single")
    with app.test_request_context(), force_locale("zh"):
        assert problem.message == "第 1 题在这里是填数字题，在原文里是单选题"
    with app.test_request_context(), force_locale("en"):
        assert problem.message == "question 1 is a number here but single choice in the main file"
    assert set(QUESTION_KIND_WORDS) == {"single", "multiple", "true_false", "numeric", "short"}


def test_a_problem_keeps_its_id_and_parameters_not_its_words():
    course, problems = parse_course("demo", {"course.md": COURSE_MD.encode(), "01-a.md": b"---\ntitle: a\n---\n"},
                                    TRACKS)
    assert [(p.path, p.line, p.code, p.params) for p in problems] == [
        ("demo/01-a.md", 1, "key_missing", (("key", "minutes"),))]
    assert str(problems[0]) == "demo/01-a.md:1: missing required key 'minutes'"  # outside any app: English


def reported_ids(node: ast.expr) -> set[str]:
    """The message ids an argument can be: "id", "a" if ... else "b", or f"{kind}_..." (matched against MESSAGES)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return reported_ids(node.body) | reported_ids(node.orelse)
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z]+" for part in node.values)
        matching = {code for code in MESSAGES if re.fullmatch(pattern, code)}
        return matching or {f"(nothing matches {pattern})"}
    return set()  # a variable: `report(line, code, **params)` of a problem returned as ("id", {...})


def test_every_message_id_the_checker_reports_is_worded():
    """Each `report(line, "id", ...)` and `Problem.at(path, line, "id", ...)` of the checker names a message,
    and each message is still reported somewhere."""
    reported: set[str] = set()
    for path in [*(ROOT / "lms" / "content").glob("*.py"), ROOT / "lms" / "studio" / "workspace.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2 \
                    and isinstance(node.value.elts[1], ast.Dict):
                reported |= reported_ids(node.value.elts[0])  # return "unit_too_long", {"unit": unit}
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            position = {"at": 2, "report": 1, "t_report": 1}.get(name)
            if position is not None and len(node.args) > position:
                reported |= reported_ids(node.args[position])
    assert sorted(reported - set(MESSAGES)) == []
    assert sorted(set(MESSAGES) - reported) == []


@pytest.mark.parametrize(("path", "code", "section"), [
    ("demo/course.md", "key_missing", "course-file"),
    ("demo/01-a.md", "key_missing", "lessons"),
    ("demo/02-q.quiz.md", "key_not_true_false", "quizzes"),
    ("demo/02-q.quiz.en.md", "key_missing", "translations"),
    ("demo/course.en.md", "key_unknown", "translations"),
    ("demo/02-q.quiz.md", "unit_too_long", "units"),
    ("demo/02-q.quiz.md", "draw_more_than_questions", "quiz-settings"),
    ("demo/notes.txt", "unexpected_file", "folder"),
])
def test_each_problem_points_at_the_guide_section_that_explains_it(path, code, section):
    assert guide_section(Problem.at(path, 1, code)) == section
