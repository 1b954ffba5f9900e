"""The Excel 题库 of Chinese training centres: one question a row, read from XLSX or CSV, written back as XLSX.

Columns (the header row names them, in any order): 题型 (单选/多选/判断/填空/数值), 题干, 选项A … 选项F,
答案, 解析, and optionally 分值 and 难度. English columns (题干(英文) or "Question (EN)", 选项A(英文) …,
答案(英文), 解析(英文)) give the `.en.md` twin.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator

from lms.content.questionbank.model import BankProblem, BankQuestion, BankResult, Wording
from lms.content.questionbank.writer import question_problems

LETTERS = "ABCDEF"
MAX_ROWS = 5000

KIND_NAMES = {
    "single": ("单选", "单选题", "单项选择", "单项选择题", "single", "single choice"),
    "multiple": ("多选", "多选题", "多项选择", "多项选择题", "multiple", "multiple choice"),
    "true_false": ("判断", "判断题", "是非", "是非题", "true/false", "true_false", "true or false"),
    "short": ("填空", "填空题", "简答", "short", "short answer"),
    "numeric": ("数值", "数值题", "计算", "计算题", "numeric", "number"),
}
KIND_OF_NAME = {unicodedata.normalize("NFKC", name).casefold(): kind
                for kind, names in KIND_NAMES.items() for name in names}
EXPORT_KIND = {"single": "单选", "multiple": "多选", "true_false": "判断", "short": "填空", "numeric": "数值"}
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "t", "true", "yes", "y", "1"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "x", "f", "false", "no", "n", "0"}

# Header names, folded, to the field they fill; `@en` marks the English twin's columns.
_HEADERS = {
    "kind": ("题型", "类型", "type", "questiontype"),
    "prompt": ("题干", "题目", "question", "stem"),
    "answer": ("答案", "正确答案", "answer"),
    "feedback": ("解析", "答案解析", "explanation", "feedback"),
    "points": ("分值", "分数", "points", "score"),
    "difficulty": ("难度", "difficulty"),
}
ZH_HEADER = ["题型", "题干", *[f"选项{letter}" for letter in LETTERS], "答案", "解析", "分值", "难度"]
EN_HEADER = ["Type", "Question", *[f"Option {letter}" for letter in LETTERS], "Answer", "Explanation",
             "Points", "Difficulty"]
EN_TWIN_HEADER = ["题干(英文)", *[f"选项{letter}(英文)" for letter in LETTERS], "答案(英文)", "解析(英文)"]


def _fold(text: str) -> str:
    return re.sub(r"[\s_\-:：]", "", unicodedata.normalize("NFKC", str(text)).casefold())


def _column_field(header: str) -> str | None:
    folded = _fold(header)
    english = False
    for mark in ("(英文)", "(en)", "(english)", "英文", "en"):
        if folded.endswith(mark) and folded != mark and folded[: -len(mark)]:
            folded, english = folded[: -len(mark)], True
            break
    suffix = "@en" if english else ""
    for name, names in _HEADERS.items():
        if folded in names:
            return name + suffix
    match = re.fullmatch(r"(?:选项|option)([a-f])", folded)
    if match:
        return f"option{match[1].upper()}{suffix}"
    return None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "对" if value else "错"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(sheet: str, rows: Iterable[tuple[int, list]], result: BankResult) -> None:
    """Read one sheet's rows (number, cells) into `result`: a header row, then one question a row."""
    rows = iter(rows)
    columns: dict[str, int] = {}
    for _number, cells in rows:
        fields = {_column_field(c): i for i, c in reversed(list(enumerate(cells))) if c not in (None, "")}
        fields.pop(None, None)
        if "prompt" in fields or "kind" in fields:
            columns = fields
            break
    if not columns:
        result.problems.append(BankProblem.at(f"{sheet}!1", "no_header"))
        return
    for needed, label in (("kind", "题型"), ("prompt", "题干"), ("answer", "答案")):
        if needed not in columns:
            result.problems.append(BankProblem.at(f"{sheet}!1", "column_missing", column=label))
            return
    questions = result.quizzes.setdefault(sheet, [])
    for number, cells in rows:
        values = {name: _cell_text(cells[i]) if i < len(cells) else "" for name, i in columns.items()}
        if not any(values.values()):
            continue
        where = f"{sheet}!{number}"
        question, problems = _read_row(values, where)
        if question is not None and not problems:
            problems = question_problems(question)
            if not problems and question.english is not None:
                problems = question_problems(question, english=True)
        result.problems.extend(problems)
        if question is not None and not problems:
            questions.append(question)


def _options(values: dict, suffix: str, where: str, problems: list[BankProblem]) -> list[str]:
    filled = [values.get(f"option{letter}{suffix}", "") for letter in LETTERS]
    while filled and not filled[-1]:
        filled.pop()
    for letter, text in zip(LETTERS, filled, strict=False):
        if not text:
            problems.append(BankProblem.at(where, "options_gap", letter=letter))
    return filled


def _read_row(values: dict, where: str) -> tuple[BankQuestion | None, list[BankProblem]]:
    problems: list[BankProblem] = []
    kind = KIND_OF_NAME.get(unicodedata.normalize("NFKC", values["kind"]).casefold().strip())
    if kind is None:
        return None, [BankProblem.at(where, "type_unknown", value=values["kind"])]
    if not values["prompt"]:
        problems.append(BankProblem.at(where, "prompt_missing"))
    answer = values["answer"]
    if not answer:
        problems.append(BankProblem.at(where, "answer_missing"))
    main = Wording(prompt=values["prompt"], feedback=values.get("feedback", ""))
    question = BankQuestion(kind=kind, main=main, source=where, difficulty=values.get("difficulty", ""))
    if values.get("points"):
        try:
            question.points = float(values["points"])
            if question.points <= 0:
                raise ValueError
        except ValueError:
            problems.append(BankProblem.at(where, "points_not_number", value=values["points"]))
    if problems:
        return None, problems
    if kind in ("single", "multiple"):
        main.options = _options(values, "", where, problems)
        letters = [c for c in unicodedata.normalize("NFKC", answer).upper() if c.strip() and c not in ",，、;；/"]
        if any(c not in LETTERS[: len(main.options)] for c in letters):
            problems.append(BankProblem.at(where, "answer_letter_unknown", value=answer))
        elif kind == "single" and len(letters) != 1:
            problems.append(BankProblem.at(where, "single_several_letters", value=answer))
        question.correct = sorted({LETTERS.index(c) for c in letters})
    elif kind == "true_false":
        word = unicodedata.normalize("NFKC", answer).casefold()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            main.answer = "true" if word in TRUE_WORDS else "false"
        else:
            problems.append(BankProblem.at(where, "true_false_unreadable", value=answer))
    elif kind == "numeric":
        main.answer = unicodedata.normalize("NFKC", answer).replace("+/-", "±").strip()
        if not re.match(r"^[-+]?\d", main.answer):
            problems.append(BankProblem.at(where, "numeric_not_number", value=answer))
    else:
        main.answer = " | ".join(p.strip() for p in re.split(r"[|｜;；]", answer) if p.strip())
    question.english = _english(values, question, where, problems)
    return (None if problems else question), problems


def _english(values: dict, question: BankQuestion, where: str, problems: list[BankProblem]) -> Wording | None:
    if not any(name.endswith("@en") and value for name, value in values.items()):
        return None
    english = Wording(prompt=values.get("prompt@en", ""), feedback=values.get("feedback@en", ""),
                      answer=values.get("answer@en", "") or question.main.answer)
    missing = [] if english.prompt else ["Question (EN)"]
    if question.kind in ("single", "multiple"):
        english.options = _options(values, "@en", where, problems)
        if len(english.options) != len(question.main.options):
            missing.append("Option A–F (EN)")
    elif question.kind == "true_false":
        english.answer = question.main.answer
    if missing:
        problems.append(BankProblem.at(where, "english_incomplete", missing=", ".join(missing)))
    return english


def read_csv(data: bytes, sheet: str = "CSV") -> BankResult:
    result = BankResult()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        result.problems.append(BankProblem.at(f"{sheet}!1", "csv_not_utf8"))
        return result
    rows = csv.reader(io.StringIO(text))
    read_rows(sheet, ((n, row) for n, row in enumerate(rows, start=1) if n <= MAX_ROWS), result)
    return result


def read_xlsx(data: bytes) -> BankResult:
    """Values as Excel last saved them (data_only); a formula never saved with a value, or cells merged
    across columns, are named by cell; cells merged down a column take the top cell's value."""
    from openpyxl import load_workbook  # noqa: PLC0415 (only the importer needs it)

    result = BankResult()
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception as error:  # noqa: BLE001 (zip, XML and openpyxl errors: all mean "not a workbook")
        result.problems.append(BankProblem.at("1", "file_unreadable", error=type(error).__name__))
        return result
    for sheet in values.worksheets:
        full = formulas[sheet.title]
        rows = _sheet_rows(sheet, full, result)
        read_rows(sheet.title, rows, result)
    values.close()
    return result


def _sheet_rows(sheet, full, result: BankResult) -> Iterator[tuple[int, list]]:
    fill: dict[tuple[int, int], object] = {}
    for merged in full.merged_cells.ranges:
        if merged.min_col != merged.max_col:
            for row in range(merged.min_row, merged.max_row + 1):
                result.problems.append(BankProblem.at(f"{sheet.title}!{row}", "merged_cells", range=merged.coord))
            continue
        top = full.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row + 1, merged.max_row + 1):
            fill[(row, merged.min_col)] = top
    refused = {int(p.where.rsplit("!", 1)[1]) for p in result.problems if p.code == "merged_cells"
               and p.where.startswith(f"{sheet.title}!")}
    for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS or number in refused:
            continue
        cells = list(cells)
        bad = False
        for column, value in enumerate(cells, start=1):
            if (number, column) in fill:
                cells[column - 1] = fill[(number, column)]
            elif value is None:
                formula = full.cell(number, column).value
                if isinstance(formula, str) and formula.startswith("="):
                    result.problems.append(BankProblem.at(f"{sheet.title}!{number}", "formula_without_value",
                                                          cell=full.cell(number, column).coordinate))
                    bad = True
        if not bad:
            yield number, cells


def read_bank(data: bytes, filename: str) -> BankResult:
    """An uploaded bank by its name: .csv is CSV, anything else is tried as XLSX."""
    result = read_csv(data) if filename.lower().endswith(".csv") else read_xlsx(data)
    if not result.problems and not result.questions:
        result.problems.append(BankProblem.at("1", "nothing_imported"))
    return result


def write_xlsx(questions: list[BankQuestion], sheet: str = "题库", english_header: bool = False) -> bytes:
    """The Excel layout of these questions; English columns when any question has an English wording."""
    from openpyxl import Workbook  # noqa: PLC0415

    book = Workbook(write_only=True)
    out = book.create_sheet(sheet[:31])
    twin = any(q.english for q in questions)
    out.append((EN_HEADER if english_header else ZH_HEADER) + (EN_TWIN_HEADER if twin else []))
    for question in questions:
        out.append(_row(question, twin))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _answer_cell(question: BankQuestion, wording) -> str:
    if question.kind in ("single", "multiple"):
        return "".join(LETTERS[i] for i in question.correct)
    if question.kind == "true_false":
        return "对" if wording.answer == "true" else "错"
    return wording.answer


def _row(question: BankQuestion, twin: bool) -> list:
    main = question.main
    options = main.options + [""] * (len(LETTERS) - len(main.options))
    row = [EXPORT_KIND[question.kind], main.prompt, *options, _answer_cell(question, main), main.feedback,
           question.points if question.points is not None else "", question.difficulty]
    if twin:
        en = question.english or Wording(prompt="")
        en_options = en.options + [""] * (len(LETTERS) - len(en.options))
        en_answer = en.answer if question.kind in ("short", "numeric") else ""
        row += [en.prompt, *en_options, en_answer, en.feedback]
    return row


def template_xlsx(english: bool = False) -> bytes:
    """The downloadable template: the header and one example row of each question type."""
    from lms.content.questionbank.examples import template_questions  # noqa: PLC0415

    return write_xlsx(template_questions(english), sheet="Questions" if english else "题库", english_header=english)
