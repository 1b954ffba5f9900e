"""Files in and out for the command line: which reader a bank needs, where its quiz files go."""

from __future__ import annotations

import re
from pathlib import Path

from lms.content.questionbank.excel import read_bank, write_xlsx
from lms.content.questionbank.gift import read_gift
from lms.content.questionbank.model import BankProblem, BankResult
from lms.content.questionbank.writer import add_translation, quiz_markdown, read_quiz_source

_TARGET = re.compile(r"^(?P<course>[a-z0-9-]+)/(?P<number>\d+)-(?P<slug>[a-z0-9-]+)\.quiz\.md$")


def read_any(data: bytes, filename: str) -> BankResult:
    if filename.lower().endswith((".gift", ".txt")):
        return read_gift(data.decode("utf-8", errors="replace"))
    return read_bank(data, filename)


def quiz_files(result: BankResult, target: str, title: str | None) -> dict[str, str]:
    """File name (relative to the course folder) → text; a second category gets the next number."""
    match = _TARGET.match(target)
    if not match:
        raise ValueError(target)
    files: dict[str, str] = {}
    number = int(match["number"])
    for index, (category, questions) in enumerate(result.quizzes.items()):
        if not questions:
            continue
        slug = match["slug"] if index == 0 else f"{match['slug']}-{index + 1}"
        stem = f"{match['course']}/{number + index:02d}-{slug}.quiz"
        name = title or category
        files[f"{stem}.md"] = quiz_markdown(name, questions)
        if all(q.english for q in questions):
            files[f"{stem}.en.md"] = quiz_markdown(name, questions, english=True)
    return files


def import_bank(bank: Path, courses: Path, target: str, title: str | None) -> tuple[list[Path], list[BankProblem]]:
    result = read_any(bank.read_bytes(), bank.name)
    written = []
    for relative, text in quiz_files(result, target, title).items():
        path = courses / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written, sorted(result.problems)


def export_quiz(quiz: Path) -> bytes:
    _, _, questions = read_quiz_source(quiz.read_text(encoding="utf-8"))
    twin = quiz.with_name(quiz.name.removesuffix(".md") + ".en.md")
    if twin.exists():
        add_translation(questions, read_quiz_source(twin.read_text(encoding="utf-8"))[2])
    return write_xlsx(questions)
