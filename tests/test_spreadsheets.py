"""The streamed XLSX: what Excel and WPS need to read it as the openpyxl-built one was read."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from lms.spreadsheets import safe_row, xlsx_chunks


def _workbook(chunks):
    return load_workbook(io.BytesIO(b"".join(chunks)))


def test_a_streamed_sheet_holds_text_numbers_and_real_dates_under_a_bold_frozen_header():
    enrolled = datetime(2025, 3, 10, 10, 0)
    row = safe_row(["王芳", "13900000001", 85.5, 3, "", None, "=HYPERLINK(\"x\")", " 前后有空格 ", "A&B <c>"])
    row[4] = enrolled  # moments are set after the text is made safe, as the completion export does
    rows = [row]
    book = _workbook(xlsx_chunks("完成记录: 五月", ["姓名", "手机", "分数", "次数", "报名", "完成", "备注", "村", "店"],
                                 [rows], widths=[12, 14]))
    sheet = book.active

    assert sheet.title == "完成记录  五月"  # ':' is not allowed in a sheet name
    assert [cell.value for cell in sheet[1]] == ["姓名", "手机", "分数", "次数", "报名", "完成", "备注", "村", "店"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 12
    name, phone, score, tries, date, empty, formula, spaced, escaped = (cell.value for cell in sheet[2])
    assert (name, phone, score, tries) == ("王芳", "13900000001", 85.5, 3)  # a phone number stays text
    assert date == enrolled and sheet["E2"].number_format == "yyyy-mm-dd hh:mm"
    assert empty is None
    assert formula == "'=HYPERLINK(\"x\")" and sheet["G2"].data_type == "s"  # shown as text, never run
    assert spaced == " 前后有空格 " and escaped == "A&B <c>"


def test_the_download_starts_before_the_rows_are_read():
    read = []

    def batches():
        for number in range(3):
            read.append(number)
            yield [[f"trainee {number}", number]]

    chunks = xlsx_chunks("sheet", ["name", "n"], batches())
    first = next(chunks)
    assert first.startswith(b"PK") and read == []  # bytes to send while nothing was read yet
    rest = list(chunks)
    assert read == [0, 1, 2]
    sheet = _workbook([first, *rest]).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["trainee 0", 0], ["trainee 1", 1], ["trainee 2", 2]]
