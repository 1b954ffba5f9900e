"""The quiz file body: one `## ` heading per question, its answers written under it.

    ## Question text                 any paragraphs or an image may follow the heading
    - [ ] wrong option               one [x]: single choice; several [x]: multiple choice
    - [x] right option
    = 20 ± 0.5                       numeric answer with tolerance
    = 1.4 ± 0.05 米                   ... naming its unit (the trainee may type it, or the number alone)
    = Wangwang | 旺旺                 short answer: any of these
    = true                           true/false statement
    > Feedback shown after the attempt.

Questions become plain dictionaries (stored as JSON with the course) so grading is a pure
function of the question and the answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from lms.content import units
from lms.content.problems import ProblemList
from lms.content.rendering import MediaInfo, render_inline, render_markdown

QUESTION_KINDS = ("single", "multiple", "true_false", "numeric", "short")

_OPTION = re.compile(r"^\s*[-*+]\s+\[(?P<mark>.?)\]\s*(?P<text>.*)$")
_OPTION_LIKE = re.compile(r"^\s*[-*+]\s+\[")
_NUMBER = r"[-+]?\d+(?:[.,]\d+)?"
_TOLERANCE_SIGN = r"(?:±|\+/-|\+-)"
_NUMERIC = re.compile(
    rf"^(?P<value>{_NUMBER})(?:\s*{_TOLERANCE_SIGN}\s*(?P<tolerance>{_NUMBER}))?(?P<space>\s*)(?P<unit>.*)$"
)
# A unit written right after the number, without a space: Chinese characters (240斤), a sign (20%)
# or a unit symbol as written (240kg; 5G stays a short answer).
_GLUED_UNIT = re.compile(r"^(?:[\u4e00-\u9fff]{1,4}|%|‰|℃)$")
_UNIT_WORD = re.compile(r"^[^\d|±]+$")
_UNIT_BEFORE_TOLERANCE = re.compile(rf"^[^\d|±+]+?\s*{_TOLERANCE_SIGN}")
_TRUTH = {"true": True, "false": False}


def normalize_answer(text: str) -> str:
    """Compare short answers ignoring case, full-width forms and extra spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _read_numeric(text: str) -> dict | tuple[str, dict] | None:
    """`20`, `20 ± 0.5`, `240 斤`, `1.4 ± 0.05 米` as a question's answer; a problem (message id and
    parameters) when it is a number with a malformed unit; None when it is no number at all (a short
    answer such as `1:1`)."""
    match = _NUMERIC.match(text)
    if not match:
        return None
    unit = " ".join(match["unit"].split())
    if unit:
        if match["tolerance"] is None and _UNIT_BEFORE_TOLERANCE.match(unit):
            return "unit_before_tolerance", {"text": text}
        spaced = bool(match["space"]) and _UNIT_WORD.match(unit)
        if not spaced and not (_GLUED_UNIT.match(unit) or units.is_symbol(unit)):
            return None
        if len(unit) > 16 or len(unit.split()) > 2:
            return "unit_too_long", {"unit": unit}
    answer = {"kind": "numeric", "value": _number(match["value"]),
              "tolerance": _number(match["tolerance"]) if match["tolerance"] else 0.0}
    if unit:
        answer["unit"] = unit
    return answer


def _parse_answer_line(text: str, line: int, report: ProblemList) -> dict | None:
    text = text.strip()
    if not text:
        report(line, "answer_line_empty")
        return None
    if text.lower() in _TRUTH:
        return {"kind": "true_false", "truth": _TRUTH[text.lower()]}
    accepted = [part.strip() for part in text.split("|")]
    if len(accepted) > 1 and all(isinstance(_read_numeric(part), dict) for part in accepted if part):
        report(line, "several_numbers", text=text)
        return None
    numeric = _read_numeric(text)
    if isinstance(numeric, tuple):
        code, params = numeric
        report(line, code, **params)
        return None
    if numeric is not None:
        return numeric
    if re.search(_TOLERANCE_SIGN, text):
        report(line, "numeric_unreadable", text=text)
        return None
    if not all(accepted):
        report(line, "short_answer_empty_alternative")
        return None
    return {"kind": "short", "accepted": accepted}


class _QuestionDraft:
    def __init__(self, heading: str, line: int):
        self.heading = heading
        self.line = line
        self.body: list[str] = []
        self.options: list[tuple[str, bool]] = []
        self.answer: dict | None = None
        self.answer_seen = False
        self.feedback: list[str] = []

    @property
    def answers_started(self) -> bool:
        return bool(self.options) or self.answer_seen


def parse_quiz_body(
    body: str, first_line: int, report: ProblemList, media: Mapping[str, MediaInfo]
) -> tuple[str, list[dict]]:
    """Return (intro HTML, questions). Problems go to `report` with file line numbers."""
    intro: list[str] = []
    drafts: list[_QuestionDraft] = []
    current: _QuestionDraft | None = None

    for offset, raw in enumerate(body.splitlines()):
        line = first_line + offset
        stripped = raw.strip()
        if raw.startswith("## "):
            current = _QuestionDraft(raw[3:].strip(), line)
            if not current.heading:
                report(line, "question_heading_empty")
            drafts.append(current)
            continue
        if current is None:
            if raw.startswith("# "):
                report(line, "question_heading_level")
            intro.append(raw)
            continue
        if _OPTION_LIKE.match(raw):
            match = _OPTION.match(raw)
            if not match or match["mark"] not in (" ", "x", "X", ""):
                report(line, "option_unreadable")
                continue
            if current.answer_seen:
                report(line, "options_and_answer_line")
                continue
            if current.feedback:
                report(line, "options_after_feedback")
            if not match["text"].strip():
                report(line, "option_without_text")
                continue
            current.options.append((match["text"].strip(), match["mark"] in ("x", "X")))
            continue
        if stripped.startswith("=") and not stripped.startswith("=="):
            if current.options:
                report(line, "options_and_answer_line")
                continue
            if current.answer_seen:
                report(line, "answer_line_twice")
                continue
            current.answer_seen = True
            current.answer = _parse_answer_line(stripped[1:], line, report)
            continue
        if stripped.startswith(">"):
            if not current.answers_started:
                current.body.append(raw)  # a quotation inside the question itself
            else:
                current.feedback.append(stripped[1:].strip())
            continue
        if not stripped:
            if not current.answers_started:
                current.body.append(raw)
            continue
        if current.answers_started:
            report(line, "text_after_answers")
            continue
        current.body.append(raw)

    questions = [q for q in (_finish(d, report, media) for d in drafts) if q is not None]
    return render_markdown("\n".join(intro), media), questions


def _finish(draft: _QuestionDraft, report: ProblemList, media: Mapping[str, MediaInfo]) -> dict | None:
    question: dict = {
        "line": draft.line,
        "prompt": render_inline(draft.heading, media),
        "body": render_markdown("\n".join(draft.body), media) if "".join(draft.body).strip() else "",
        "feedback": render_markdown("\n".join(draft.feedback), media) if draft.feedback else "",
    }
    if draft.options:
        correct = [i for i, (_, is_correct) in enumerate(draft.options) if is_correct]
        if len(draft.options) < 2:
            report(draft.line, "too_few_options")
            return None
        if not correct:
            report(draft.line, "no_correct_option")
            return None
        question.update(
            kind="single" if len(correct) == 1 else "multiple",
            options=[render_inline(text, media) for text, _ in draft.options],
            correct=correct,
        )
        return question
    if not draft.answer_seen:
        report(draft.line, "question_without_answer")
        return None
    if draft.answer is None:
        return None  # the answer line's own problem was reported
    question.update(draft.answer)
    return question


def compare_translation(main: list[dict], translated: list[dict], report: ProblemList) -> None:
    """A translated quiz must ask the same questions with the same right answers."""
    if len(main) != len(translated):
        report(1, "translation_question_count", count=len(translated), main=len(main))
        return
    for number, (original, other) in enumerate(zip(main, translated, strict=True), start=1):
        where = other["line"]
        if original["kind"] != other["kind"]:
            report(where, "translation_question_kind", number=number, kind=other["kind"], main_kind=original["kind"])
            continue
        if original["kind"] in ("single", "multiple"):
            if len(original["options"]) != len(other["options"]) or original["correct"] != other["correct"]:
                report(where, "translation_options", number=number)
        elif original["kind"] == "numeric":
            if (original["value"], original["tolerance"]) != (other["value"], other["tolerance"]):
                report(where, "translation_number", number=number)
            _compare_units(number, original.get("unit"), other.get("unit"), where, report)
        elif original["kind"] == "true_false" and original["truth"] != other["truth"]:
            report(where, "translation_true_false", number=number)


def _compare_units(number: int, main: str | None, translated: str | None, where: int, report: ProblemList) -> None:
    """Both name a unit or neither does; two units the platform knows must be the same one (斤 and jin)."""
    if main and not translated:
        report(where, "translation_unit_missing", number=number, unit=main)
    elif translated and not main:
        report(where, "translation_unit_extra", number=number, unit=translated)
    elif main and translated:
        ours, theirs = units.canonical(main), units.canonical(translated)
        if ours and theirs and ours != theirs:
            report(where, "translation_unit_differs", number=number, unit=translated, main_unit=main)
