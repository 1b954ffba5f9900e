"""Drawing and grading quiz questions: pure functions of questions and answers, no database.

Answers arrive as form strings. Choice answers name options by their index in the file, so the
order shown to one trainee (shuffled) never changes what counts as right.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from dataclasses import dataclass

from lms.content import units
from lms.content.quizfile import normalize_answer

Answer = str | list[str] | None


@dataclass(frozen=True)
class QuestionResult:
    credit: float  # 0.0 to 1.0
    given: Answer
    answer_in: str | None = None  # the question's unit, when the answer was in another one

    @property
    def correct(self) -> bool:
        return self.credit >= 1.0

    def stored(self) -> dict:
        """As kept with the attempt and shown in its review."""
        kept: dict = {"credit": self.credit, "given": self.given}
        if self.answer_in:
            kept["answer_in"] = self.answer_in
        return kept


@dataclass(frozen=True)
class Grade:
    score: float  # percent, 0 to 100
    passed: bool
    results: list[QuestionResult]


def draw_layout(question_count: int, option_counts: list[int], draw: int | None, shuffle: bool,
                rng: random.Random) -> list[dict]:
    """Which questions this attempt asks, in which order, with options in which order."""
    indices = list(range(question_count))
    if draw is not None and draw < question_count:
        indices = sorted(rng.sample(indices, draw))
    if shuffle:
        rng.shuffle(indices)
    layout = []
    for index in indices:
        options = None
        if option_counts[index]:
            options = list(range(option_counts[index]))
            if shuffle:
                rng.shuffle(options)
        layout.append({"q": index, "options": options})
    return layout


_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_TYPED = re.compile(r"^(?P<currency>¥?)(?P<number>[-+]?[\d.,]+)(?P<unit>\D*)$")


def read_number(text: str) -> tuple[float | None, str]:
    """Read a typed number and the unit typed after it: full-width forms, "1,800" (thousands),
    "2,5" (decimal comma), "240 斤", "¥120". The unit is "" when none was typed."""
    cleaned = "".join(unicodedata.normalize("NFKC", text or "").split())
    match = _TYPED.match(cleaned)
    if not match:
        return None, ""
    number = match["number"]
    number = number.replace(",", "") if _THOUSANDS.match(number) else number.replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        return None, ""
    unit = match["unit"] or match["currency"]
    return (value, unit) if math.isfinite(value) else (None, "")


def parse_number(text: str) -> float | None:
    """A typed number for a question without a unit: bare, or in 元 or % as answers always could be."""
    value, unit = read_number(text)
    return value if units.accepts(None, unit) else None


def _choice_indices(given: Answer, option_count: int) -> set[int] | None:
    values = given if isinstance(given, list) else [given] if given else []
    chosen = set()
    for value in values:
        if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or int(value) >= option_count:
            return None
        chosen.add(int(value))
    return chosen


def grade_question(question: dict, given: Answer, partial_credit: bool = False) -> QuestionResult:
    kind = question["kind"]
    credit = 0.0
    answer_in = None
    if kind in ("single", "multiple"):
        chosen = _choice_indices(given, len(question["options"]))
        correct = set(question["correct"])
        if chosen:
            if chosen == correct:
                credit = 1.0
            elif kind == "multiple" and partial_credit:
                right = len(chosen & correct) - len(chosen - correct)
                credit = max(0.0, right / len(correct))
    elif kind == "true_false":
        if given in ("true", "false"):
            credit = 1.0 if (given == "true") == question["truth"] else 0.0
    elif kind == "numeric":
        value, unit = read_number(given) if isinstance(given, str) else (None, "")
        wanted = question.get("unit")
        if value is not None and not units.accepts(wanted, unit):
            if wanted and units.is_known(unit):
                answer_in = wanted  # a different unit: say which one, rather than a silent wrong
        elif value is not None and abs(value - question["value"]) <= question["tolerance"] + 1e-9:
            credit = 1.0
    elif kind == "short":
        if isinstance(given, str) and given.strip():
            accepted = {normalize_answer(a) for a in question["accepted"]}
            credit = 1.0 if normalize_answer(given) in accepted else 0.0
    if isinstance(given, str):
        given = given[:500]
    return QuestionResult(credit=credit, given=given, answer_in=answer_in)


def grade_attempt(questions: list[dict], layout: list[dict], answers: dict[str, Answer],
                  pass_mark: int, partial_credit: bool = False) -> Grade:
    """Grade answers keyed by position in the layout ("0", "1", ...)."""
    results = [
        grade_question(questions[entry["q"]], answers.get(str(position)), partial_credit)
        for position, entry in enumerate(layout)
    ]
    score = round(100 * sum(r.credit for r in results) / len(results), 1) if results else 0.0
    return Grade(score=score, passed=score >= pass_mark, results=results)
