"""Bank questions ↔ quiz markdown: writing a `*.quiz.md` (and its `.en.md` twin), and reading one back.

Each question is checked on its own by the course checker's quiz reader while it is written, so a
question the checker would refuse is reported at its row or line instead of landing in the file.
"""

from __future__ import annotations

import re

import yaml

from lms.content.problems import Problem, ProblemList
from lms.content.questionbank.model import BankProblem, BankQuestion, Wording
from lms.content.quizfile import parse_quiz_body

_OPTION = re.compile(r"^\s*[-*+]\s+\[(?P<mark>.?)\]\s*(?P<text>.*)$")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _question_lines(question: BankQuestion, wording: Wording) -> list[str]:
    first, _, rest = wording.prompt.strip().partition("\n")
    lines = [f"## {_one_line(first)}"]
    if rest.strip():
        lines += ["", *rest.strip().splitlines(), ""]
    if question.kind in ("single", "multiple"):
        lines += [f"- [{'x' if i in question.correct else ' '}] {_one_line(text)}"
                  for i, text in enumerate(wording.options)]
    else:
        lines.append(f"= {_one_line(wording.answer)}")
    lines += [f"> {line.strip()}" if line.strip() else ">" for line in wording.feedback.strip().splitlines()]
    return lines


def question_problems(question: BankQuestion, english: bool = False) -> list[BankProblem]:
    """What the course checker would say about this one question, at the question's row or line."""
    wording = question.english if english else question.main
    sink: list[Problem] = []
    _, parsed = parse_quiz_body("\n".join(_question_lines(question, wording)), 1, ProblemList(sink, ""), {})
    problems = [BankProblem.at(question.source, f"checker:{p.code}", **dict(p.params)) for p in sink]
    if not problems and parsed and parsed[0]["kind"] != question.kind and question.kind != "multiple":
        problems.append(BankProblem.at(question.source, "checker:translation_question_kind",
                                       number=1, kind=parsed[0]["kind"], main_kind=question.kind))
    return problems


def quiz_markdown(title: str, questions: list[BankQuestion], english: bool = False, intro: str = "") -> str:
    """A whole quiz file; the English twin holds only the title in its front matter."""
    matter: dict = {"title": title}
    if not english and any(q.weighted for q in questions):
        matter["partial_credit"] = True
    out = ["---", yaml.safe_dump(matter, allow_unicode=True, sort_keys=False).strip(), "---"]
    if intro.strip():
        out += [intro.strip()]
    for question in questions:
        out += ["", *_question_lines(question, question.english if english else question.main)]
    return "\n".join(out) + "\n"


def read_quiz_source(text: str) -> tuple[dict, str, list[BankQuestion]]:
    """(front matter, intro, questions) of a quiz file as written: the text before rendering."""
    matter: dict = {}
    body = text
    if text.startswith("---"):
        _, head, body = text.split("---", 2)
        matter = yaml.safe_load(head) or {}
    intro: list[str] = []
    questions: list[BankQuestion] = []
    current: BankQuestion | None = None
    prompt: list[str] = []
    for number, raw in enumerate(body.splitlines()):
        stripped = raw.strip()
        if raw.startswith("## "):
            if current:
                current.main.prompt = "\n".join(prompt).strip()
            current = BankQuestion(kind="", main=Wording(prompt=""), source=f"line {number}")
            prompt = [raw[3:].strip(), ""]
            questions.append(current)
            continue
        if current is None:
            intro.append(raw)
            continue
        started = bool(current.main.options or current.main.answer)
        option = _OPTION.match(raw)
        if option:
            if option["mark"] in ("x", "X"):
                current.correct.append(len(current.main.options))
            current.main.options.append(option["text"].strip())
        elif stripped.startswith("=") and not stripped.startswith("=="):
            current.main.answer = stripped[1:].strip()
        elif stripped.startswith(">") and started:
            current.main.feedback += stripped[1:].strip() + "\n"
        elif not started:
            prompt.append(raw)
    if current:
        current.main.prompt = "\n".join(prompt).strip()
    for question in questions:
        question.main.feedback = question.main.feedback.strip()
        question.kind = _kind_of(question)
    return matter, "\n".join(intro).strip(), questions


def _kind_of(question: BankQuestion) -> str:
    if question.main.options:
        return "single" if len(question.correct) == 1 else "multiple"
    sink: list[Problem] = []
    _, parsed = parse_quiz_body(f"## q\n= {question.main.answer}", 1, ProblemList(sink, ""), {})
    return parsed[0]["kind"] if parsed else "short"


def add_translation(questions: list[BankQuestion], translated: list[BankQuestion]) -> None:
    """Give each question the English wording of the `.en.md` twin (same questions, same order)."""
    for question, other in zip(questions, translated, strict=False):
        question.english = other.main
