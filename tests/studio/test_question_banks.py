"""A question bank uploaded in the studio: previewed with every unreadable row named, then saved in the draft."""

from __future__ import annotations

import io
import re
from html import unescape

from openpyxl import load_workbook

from lms.extensions import db
from lms.studio.workspace import check_course, working_files
from tests.content.questionbank.test_excel import BROKEN_ROWS, GOOD, workbook_bytes


def preview(client, data: bytes, filename: str = "题库.xlsx", name: str = "03-bank.quiz.md"):
    return client.post("/studio/pack-and-ship/questions", data={
        "bank": (io.BytesIO(data), filename), "name": name, "action": "preview"}, content_type="multipart/form-data")


def test_a_bank_is_previewed_with_its_problems_and_nothing_is_saved(uploaded):
    before = working_files("pack-and-ship")[0]
    response = preview(uploaded, workbook_bytes(GOOD + BROKEN_ROWS[:2]))
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "2 rows or questions were not imported" in page
    assert "题库!8: question type '问答' is not one of" in re.sub(r"<[^>]+>", "", page)
    assert "注册淘宝店铺要交钱吗？" in page and "(right answer)" in page
    db.session.expire_all()
    assert working_files("pack-and-ship")[0] == before


def test_saving_the_preview_adds_the_quiz_to_the_draft_and_the_course_still_checks(uploaded):
    page = preview(uploaded, workbook_bytes(GOOD)).get_data(as_text=True)
    fields = {name: unescape(value) for name, value in
              re.findall(r'<input type="hidden" name="(csrf_token|revision|path)" value="([^"]*)"', page)}
    text = unescape(re.search(r'<input type="hidden" name="text" value="([^"]*)"', page, re.S).group(1))
    response = uploaded.post("/studio/pack-and-ship/questions", data={**fields, "text": text, "action": "save"})
    assert response.status_code == 302
    db.session.expire_all()
    files = working_files("pack-and-ship")[0]
    assert "- [x] 不要" in files["03-bank.quiz.md"].decode()
    assert check_course("pack-and-ship", files).problems == []


def test_a_gift_file_lists_the_skipped_questions_by_line(uploaded):
    page = preview(uploaded, b"Q? {T}\n\nEssay {}\n", filename="moodle.gift").get_data(as_text=True)
    assert "line 3" in page and "essay questions have no Cunke equivalent" in page


def test_both_templates_download(uploaded):
    for lang, first in (("zh", "题型"), ("en", "Type")):
        response = uploaded.get(f"/studio/question-bank-template.{lang}.xlsx")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
        assert next(sheet.iter_rows(values_only=True))[0] == first


def test_another_instructor_cannot_import_into_the_course(uploaded, signed_in, other_instructor):
    signed_in(other_instructor)
    assert preview(uploaded, workbook_bytes(GOOD)).status_code == 404
