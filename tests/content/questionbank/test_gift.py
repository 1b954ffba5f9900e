"""A Moodle GIFT file: every type Cunke has becomes a quiz question; every other type is named by its line."""

from __future__ import annotations

from lms.content.questionbank.gift import read_gift
from lms.content.questionbank.importing import quiz_files
from tests.content.questionbank.test_excel import check_course

GIFT = """\
// a comment before the first category
$CATEGORY: $course$/top/Basics

::Q1:: Who is buried in Grant's tomb? {~Grant#He is not. ~Jefferson =no one#Right: it is a tomb.}

::Q2:: Grant is buried in Grant's tomb. {F#Nobody is buried there.}

Which numbers are prime? {~%50%2 ~%50%3 ~%-100%4 ####Primes have two divisors.}

What is two plus two in words? {=four =Four =vier}

::Pi:: Pi to two places? {#3.14:0.005}

A number from 1 to 5? {#1..5}

Several right numbers {#=10:1 =%50%10:3}

Escaped \\{braces\\} and 1\\=1? {T}

$CATEGORY: Other

Match the pairs {=cat -> meow =dog -> woof}

Write an essay. {}

Moodle costs {~lots of money =nothing} to download.

Just some text with no answers.

Cloze {1:MULTICHOICE:=right~wrong}

No right answer here {~a ~b}

Numbers that are not {#many}
"""


def test_every_supported_type_imports_and_every_other_is_listed_by_line(app, runner, tmp_path):
    result = read_gift(GIFT)
    assert list(result.quizzes) == ["Basics"]
    kinds = [q.kind for q in result.quizzes["Basics"]]
    assert kinds == ["single", "true_false", "multiple", "short", "numeric", "numeric", "numeric", "true_false"]
    found = {p.where: (p.code, dict(p.params).get("kind")) for p in result.problems}
    assert found == {
        "line 22": ("gift_unsupported", "matching"),
        "line 24": ("gift_unsupported", "essay"),
        "line 26": ("gift_unsupported", "missing_word"),
        "line 28": ("gift_unsupported", "description"),
        "line 30": ("gift_unsupported", "cloze"),
        "line 32": ("gift_no_right_answer", None),
        "line 34": ("gift_unreadable", None),
    }
    assert all(p.message for p in result.problems)
    files = quiz_files(result, "shop-basics/09-from-moodle.quiz.md", None)
    text = files["shop-basics/09-from-moodle.quiz.md"]
    assert "partial_credit: true" in text
    assert "= 3.14 ± 0.005" in text and "= 3 ± 2" in text and "= 10 ± 1" in text
    assert "= four | Four | vier" in text
    assert "## Escaped {braces} and 1=1?" in text
    assert "> no one: Right: it is a tomb." in text and "> Primes have two divisors." in text
    outcome = check_course(runner, tmp_path, files)
    assert outcome.exit_code == 0, outcome.output


def test_categories_become_separate_quizzes_with_the_next_numbers(app, runner, tmp_path):
    result = read_gift("$CATEGORY: A\n\nOne? {T}\n\n$CATEGORY: B\n\nTwo? {=2 ~3}\n")
    files = quiz_files(result, "shop-basics/09-bank.quiz.md", None)
    assert list(files) == ["shop-basics/09-bank.quiz.md", "shop-basics/10-bank-2.quiz.md"]
    assert "title: B" in files["shop-basics/10-bank-2.quiz.md"]
    assert check_course(runner, tmp_path, files).exit_code == 0


def test_the_command_line_imports_and_exports(app, runner, tmp_path):
    bank = tmp_path / "bank.gift"
    bank.write_text(GIFT, encoding="utf-8")
    folder = tmp_path / "out"
    outcome = runner.invoke(args=["courses", "import-questions", str(bank), "--into", "demo/05-moodle.quiz.md",
                                  "--directory", str(folder)])
    assert outcome.exit_code == 0, outcome.output
    assert "bank.gift:line 22: matching questions have no Cunke equivalent: skipped" in outcome.output
    quiz = folder / "demo" / "05-moodle.quiz.md"
    assert quiz.exists()
    sheet = tmp_path / "out.xlsx"
    outcome = runner.invoke(args=["courses", "export-questions", str(quiz), "-o", str(sheet)])
    assert outcome.exit_code == 0, outcome.output
    from lms.content.questionbank.excel import read_bank  # noqa: PLC0415
    assert len(read_bank(sheet.read_bytes(), "out.xlsx").questions) == 8
