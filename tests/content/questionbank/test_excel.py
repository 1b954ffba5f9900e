"""An Excel 题库 becomes a quiz `courses check` accepts; every row it cannot read is named `sheet!row`."""

from __future__ import annotations

import io
import shutil

import pytest
from openpyxl import Workbook, load_workbook

from lms.content.problems import ProblemList
from lms.content.questionbank.excel import EN_TWIN_HEADER, ZH_HEADER, read_bank, template_xlsx, write_xlsx
from lms.content.questionbank.importing import quiz_files
from lms.content.questionbank.writer import quiz_markdown, read_quiz_source
from lms.content.quizfile import parse_quiz_body
from tests.conftest import COURSES

GOOD = [
    ["单选", "注册淘宝店铺要交钱吗？", "要", "不要", "", "", "", "", "B", "注册免费。", 2, "易"],
    ["多选题", "哪些影响排名？（多选）", "关键词", "销量", "店主年龄", "", "", "", "A、B", "看商品。", 3, "中"],
    ["判断", "差评一定不能回复。", "", "", "", "", "", "", "错", "要礼貌回复。", "", ""],
    ["填空", "淘宝的聊天工具叫什么？", "", "", "", "", "", "", "旺旺；阿里旺旺", "", "", ""],
    ["数值", "毛利是多少元？", "", "", "", "", "", "", "20 ± 0.5 元", "50 − 30 = 20。", "", ""],
    ["数值", "卖了几件？", "", "", "", "", "", "", 12, "", "", ""],
]
BROKEN = {  # row → the message id it must be reported with
    "问答": "type_unknown",
    "no_prompt": "prompt_missing",
    "no_answer": "answer_missing",
    "bad_letter": "answer_letter_unknown",
    "two_letters": "single_several_letters",
    "bad_truth": "true_false_unreadable",
    "not_number": "numeric_not_number",
    "gap": "options_gap",
    "one_option": "checker:too_few_options",
    "bad_unit": "checker:unit_before_tolerance",
    "bad_points": "points_not_number",
}
BROKEN_ROWS = [
    ["问答", "说说你的看法。", "", "", "", "", "", "", "随便", "", "", ""],
    ["单选", "", "甲", "乙", "", "", "", "", "A", "", "", ""],
    ["单选", "没有答案的题", "甲", "乙", "", "", "", "", "", "", "", ""],
    ["单选", "字母不对", "甲", "乙", "", "", "", "", "E", "", "", ""],
    ["单选", "两个答案", "甲", "乙", "", "", "", "", "AB", "", "", ""],
    ["判断", "判断不清", "", "", "", "", "", "", "也许", "", "", ""],
    ["数值", "不是数", "", "", "", "", "", "", "很多", "", "", ""],
    ["多选", "选项有空", "甲", "", "丙", "", "", "", "AC", "", "", ""],
    ["单选", "只有一个选项", "甲", "", "", "", "", "", "A", "", "", ""],
    ["数值", "单位写错", "", "", "", "", "", "", "240 斤 ± 5", "", "", ""],
    ["单选", "分值不对", "甲", "乙", "", "", "", "", "A", "", "很多", ""],
]


def workbook_bytes(rows, header=ZH_HEADER, setup=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "题库"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if setup:
        setup(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check_course(runner, tmp_path, files: dict[str, str]):
    """Copy the fixture courses, add the files, and run `courses check` on them."""
    folder = tmp_path / "courses"
    shutil.copytree(COURSES, folder)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return runner.invoke(args=["courses", "check", str(folder)])


def test_every_type_imports_and_passes_the_checker(app, runner, tmp_path):
    result = read_bank(workbook_bytes(GOOD), "bank.xlsx")
    assert result.problems == []
    assert [q.kind for q in result.questions] == ["single", "multiple", "true_false", "short", "numeric", "numeric"]
    files = quiz_files(result, "shop-basics/09-imported.quiz.md", "导入的题")
    assert list(files) == ["shop-basics/09-imported.quiz.md"]
    text = files["shop-basics/09-imported.quiz.md"]
    assert "- [x] 不要" in text and "= 旺旺 | 阿里旺旺" in text and "= false" in text and "= 12" in text
    outcome = check_course(runner, tmp_path, files)
    assert outcome.exit_code == 0, outcome.output


def test_every_broken_row_is_named_by_sheet_and_row(app):
    result = read_bank(workbook_bytes(GOOD + BROKEN_ROWS), "bank.xlsx")
    found = {p.where: p.code for p in result.problems}
    first = len(GOOD) + 2  # the header is row 1
    expected = {f"题库!{first + i}": code for i, code in enumerate(BROKEN.values())}
    assert found == expected
    assert len(result.questions) == len(GOOD)
    assert all(str(p).startswith("题库!") and p.message for p in result.problems)


def test_messages_are_in_the_readers_language(app):
    result = read_bank(workbook_bytes(BROKEN_ROWS[:1]), "bank.xlsx")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "is not one of 单选" in str(result.problems[0])


def test_a_formula_without_a_saved_value_is_refused_by_cell(app):
    def formula(sheet):
        sheet["I2"] = "=CHAR(66)"  # openpyxl saves no value with a formula, as a script-made file would
    result = read_bank(workbook_bytes(GOOD[:1], setup=formula), "bank.xlsx")
    assert [(p.where, p.code, dict(p.params)) for p in result.problems] == [
        ("题库!2", "formula_without_value", {"cell": "I2"})]


def test_cells_merged_down_a_column_share_their_value_and_across_columns_are_refused(app):
    rows = [GOOD[0], ["", "第二道单选", "甲", "乙", "", "", "", "", "A", "", "", ""],
            ["判断", "合并了两格", "", "", "", "", "", "", "对", "", "", ""]]

    def merge(sheet):
        sheet.merge_cells("A2:A3")  # 单选 for two rows
        sheet.merge_cells("J4:K4")  # 解析 across 分值
    result = read_bank(workbook_bytes(rows, setup=merge), "bank.xlsx")
    assert [q.kind for q in result.questions] == ["single", "single"]
    assert [(p.where, p.code) for p in result.problems] == [("题库!4", "merged_cells")]


def test_csv_in_utf8_or_gbk(app):
    lines = [",".join(ZH_HEADER), "判断,差评一定不能回复。,,,,,,,错,,,"]
    for encoding in ("utf-8-sig", "gbk"):
        result = read_bank("\n".join(lines).encode(encoding), "bank.csv")
        assert [q.main.answer for q in result.questions] == ["false"], encoding


def test_english_columns_give_the_twin(app, runner, tmp_path):
    row = GOOD[0] + ["Does a shop cost a fee?", "Yes", "No", "", "", "", "", "", "Opening is free."]
    numeric = GOOD[4] + ["Margin in yuan?", "", "", "", "", "", "", "20 ± 0.5 元", "50 − 30 = 20."]
    result = read_bank(workbook_bytes([row, numeric], header=ZH_HEADER + EN_TWIN_HEADER), "bank.xlsx")
    assert result.problems == []
    files = quiz_files(result, "shop-basics/09-imported.quiz.md", "导入")
    assert "- [x] No" in files["shop-basics/09-imported.quiz.en.md"]
    assert check_course(runner, tmp_path, files).exit_code == 0


@pytest.mark.parametrize("english", [False, True])
def test_the_template_reads_back_without_problems(app, english):
    data = template_xlsx(english)
    header = next(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))
    assert header[0] == ("Type" if english else "题型")
    result = read_bank(data, "template.xlsx")
    assert result.problems == [] and len(result.questions) == 5


def test_every_bundled_quiz_survives_the_round_trip_through_excel(app):
    from lms.content.questionbank.importing import export_quiz  # noqa: PLC0415
    root = COURSES.parents[2] / "courses"
    quizzes = sorted(root.glob("*/*.quiz.md"))
    assert quizzes
    for path in quizzes:
        _, _, original = read_quiz_source(path.read_text(encoding="utf-8"))
        back = read_bank(export_quiz(path), "x.xlsx")
        assert back.problems == [], (path, back.problems[:3])
        assert [(q.kind, q.main.prompt, q.main.options, q.correct, q.main.answer, q.main.feedback)
                for q in back.questions] == [
            (q.kind, q.main.prompt, q.main.options, q.correct, q.main.answer, q.main.feedback)
            for q in original], path
        twin = path.with_name(path.name.removesuffix(".md") + ".en.md")
        if twin.exists():
            _, _, english = read_quiz_source(twin.read_text(encoding="utf-8"))
            assert [q.english.prompt for q in back.questions] == [q.main.prompt for q in english]
            assert [q.english.options for q in back.questions] == [q.main.options for q in english]
        assert graded(quiz_markdown("t", back.questions)) == graded(path.read_text(encoding="utf-8")), path


def graded(text: str) -> list[dict]:
    """The questions as the course checker reads them, without their line numbers."""
    body = text.split("---", 2)[2]
    _, questions = parse_quiz_body(body, 1, ProblemList([], ""), {})
    return [{k: v for k, v in q.items() if k != "line"} for q in questions]


def test_write_xlsx_keeps_points_and_difficulty(app):
    result = read_bank(write_xlsx(read_bank(workbook_bytes(GOOD[:2]), "b.xlsx").questions), "b.xlsx")
    assert [(q.points, q.difficulty) for q in result.questions] == [(2.0, "易"), (3.0, "中")]
