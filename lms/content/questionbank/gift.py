"""Moodle GIFT: multiple choice (one or several right answers, %weights), true/false, short answer,
numeric (tolerance `#3:0.5`, range `#1..5`), feedback (`#...` per answer, `####` general) and
`$CATEGORY:` (each category its own quiz). Matching, essay, cloze, missing-word and description
questions have no Cunke equivalent: each is reported as skipped with its line, never dropped silently.
"""

from __future__ import annotations

import re

from lms.content.questionbank.model import BankProblem, BankQuestion, BankResult, Wording
from lms.content.questionbank.writer import question_problems

_ESCAPED = {"\\~": "\x00", "\\=": "\x01", "\\#": "\x02", "\\{": "\x03", "\\}": "\x04", "\\:": "\x05", "\\n": "\n"}
_RESTORE = {"\x00": "~", "\x01": "=", "\x02": "#", "\x03": "{", "\x04": "}", "\x05": ":"}
_FORMAT = re.compile(r"^\[(?:html|markdown|plain|moodle)\]\s*")
_TAG = re.compile(r"<[^>]+>")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_CLOZE = re.compile(r"\{\d+:[A-Z_]+:")
DEFAULT_CATEGORY = "questions"


def _protect(text: str) -> str:
    for escaped, mark in _ESCAPED.items():
        text = text.replace(escaped, mark)
    return text


def _restore(text: str) -> str:
    for mark, plain in _RESTORE.items():
        text = text.replace(mark, plain)
    return _TAG.sub("", _FORMAT.sub("", text.strip())).strip()


def _blocks(text: str):
    """(first line, category, question text) for each question; comments and blank lines separate them."""
    category = DEFAULT_CATEGORY
    lines: list[str] = []
    start = 0
    for number, raw in enumerate([*text.splitlines(), ""], start=1):
        stripped = raw.strip()
        if stripped.startswith("//") and not lines:
            continue
        if stripped.startswith("$CATEGORY:") and not lines:
            category = stripped.removeprefix("$CATEGORY:").strip().rsplit("/", 1)[-1] or DEFAULT_CATEGORY
            continue
        if stripped:
            if not lines:
                start = number
            lines.append(raw)
            continue
        if lines and ("{" not in "".join(lines) or "}" in "".join(lines).split("{", 1)[1]):
            yield start, category, "\n".join(lines)
            lines = []


def read_gift(text: str) -> BankResult:
    result = BankResult()
    for line, category, block in _blocks(_protect(text.lstrip("\ufeff"))):
        where = f"line {line}"
        question, problem = _read_question(block, where)
        if problem is not None:
            result.problems.append(problem)
            continue
        problems = question_problems(question)
        result.problems.extend(problems)
        if not problems:
            result.quizzes.setdefault(category, []).append(question)
    if not result.questions and not result.problems:
        result.problems.append(BankProblem.at("line 1", "nothing_imported"))
    return result


def _read_question(block: str, where: str) -> tuple[BankQuestion | None, BankProblem | None]:
    block = "\n".join(line for line in block.splitlines() if not line.strip().startswith("//"))
    title = re.match(r"^\s*::(.*?)::", block, re.S)
    if title:
        block = block[title.end():]
    if _CLOZE.search(block):
        return None, BankProblem.at(where, "gift_unsupported", kind="cloze")
    if "{" not in block:
        return None, BankProblem.at(where, "gift_unsupported", kind="description")
    before, _, rest = block.partition("{")
    answers, _, after = rest.partition("}")
    if "{" in after:
        return None, BankProblem.at(where, "gift_unsupported", kind="cloze")
    if _restore(after):
        return None, BankProblem.at(where, "gift_unsupported", kind="missing_word")
    prompt = _restore(before)
    answers, _, general = answers.partition("####")
    general = _restore(general)
    body = answers.strip()
    if not body:
        return None, BankProblem.at(where, "gift_unsupported", kind="essay")
    if "->" in body:
        return None, BankProblem.at(where, "gift_unsupported", kind="matching")
    main = Wording(prompt=prompt)
    question = BankQuestion(kind="short", main=main, source=where)
    truth = re.fullmatch(r"(T|TRUE|F|FALSE)((?:\s*#[^#]*)*)", body, re.I)
    feedbacks: list[str] = []
    if truth:
        question.kind = "true_false"
        main.answer = "true" if truth[1].upper().startswith("T") else "false"
        feedbacks = [_restore(f) for f in truth[2].split("#") if _restore(f)][:1]
    elif body.startswith("#"):
        question.kind = "numeric"
        answer = _numeric(body[1:])
        if answer is None:
            return None, BankProblem.at(where, "gift_unreadable", problem=_restore(body))
        main.answer, feedbacks = answer
    else:
        parts = re.findall(r"([=~])([^=~]*)", body)
        if not parts:
            return None, BankProblem.at(where, "gift_unreadable", problem=_restore(body))
        choices = []
        for sign, raw in parts:
            text, _, feedback = raw.partition("#")
            weight_match = _WEIGHT.match(text.strip())
            weight = float(weight_match[1]) if weight_match else (100.0 if sign == "=" else 0.0)
            text = _WEIGHT.sub("", text.strip())
            choices.append((sign, _restore(text), weight, _restore(feedback)))
        if all(sign == "=" for sign, *_ in choices):
            main.answer = " | ".join(text for _, text, _, _ in choices)
            feedbacks = [f for *_, f in choices if f][:1]
        else:
            question.kind = "multiple"
            main.options = [text for _, text, _, _ in choices]
            question.correct = [i for i, (_, _, weight, _) in enumerate(choices) if weight > 0]
            if not question.correct:
                return None, BankProblem.at(where, "gift_no_right_answer")
            if len(question.correct) == 1:
                question.kind = "single"
            question.weighted = any(0 < weight < 100 for _, _, weight, _ in choices)
            feedbacks = [f"{text}: {f}" for _, text, _, f in choices if f]
    main.feedback = "\n".join([*feedbacks, general] if general else feedbacks)
    return question, None


def _numeric(body: str) -> tuple[str, list[str]] | None:
    """The right (100 %) numeric answer of `3.14:0.01`, `1..5` or `=3:0.1 =%50%3:1`, as a quiz answer line."""
    candidates = [part for part in re.split(r"(?==)", body) if part.strip()]
    for candidate in candidates:
        text, _, feedback = candidate.lstrip("=").partition("#")
        weight = _WEIGHT.match(text.strip())
        if weight and float(weight[1]) < 100:
            continue
        text = _WEIGHT.sub("", text.strip()).strip()
        match = re.fullmatch(r"(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?)|\.\.(-?\d+(?:\.\d+)?))?", text)
        if not match:
            return None
        feedbacks = [_restore(feedback)] if _restore(feedback) else []
        if match[3] is not None:
            low, high = float(match[1]), float(match[3])
            middle, half = (low + high) / 2, abs(high - low) / 2
            return f"{_plain(middle)} ± {_plain(half)}", feedbacks
        if match[2] is not None and float(match[2]) > 0:
            return f"{match[1]} ± {match[2]}", feedbacks
        return match[1], feedbacks
    return None


def _plain(number: float) -> str:
    return f"{number:g}" if abs(number) < 1e15 else str(number)
