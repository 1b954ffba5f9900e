"""Spreadsheet files that Excel and WPS on Windows open correctly and safely.

* CSV is UTF-8 with a byte-order mark (without it Excel reads Chinese as mojibake), every text
  field quoted, numbers left bare so they stay numbers.
* XLSX is written by openpyxl in write-only mode: rows go straight to a temporary file, so memory
  stays flat however many rows there are.
* Every text cell that a spreadsheet would read as a formula is prefixed with an apostrophe, in
  both formats, so `=HYPERLINK(...)` in a name is shown as text and never runs: a first character
  `=`, `+`, `-`, `@`, tab or carriage return (OWASP's CSV-injection advice), their full-width and
  small forms (`＝＋－＠`, which WPS and Excel on Chinese systems may read as the same), and any
  of these after leading spaces (ASCII or ideographic). Characters that XML (and so XLSX) cannot
  hold are dropped from both formats alike.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

BOM = "\ufeff"
FORMULA_STARTS = frozenset("=+-@\t\r")  # after NFKC, which turns ＝＋－＠ and ﹦﹢﹣﹫ into these
_LEADING_SPACE = " \u3000\u00a0\n"
# Control characters that XML 1.0 forbids (tab, newline and carriage return are allowed).
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NEEDS_CLEANING = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: formula-looking cells get a leading apostrophe."""
    if value and not _NEEDS_CLEANING.isdisjoint(value):
        value = _XML_ILLEGAL.sub("", value)
    if value and looks_like_a_formula(value):
        return "'" + value
    return value


def looks_like_a_formula(value: str) -> bool:
    """Whether a spreadsheet might run this text: its first character past any spaces starts a formula."""
    if value[0] in FORMULA_STARTS:  # tab and carriage return count before any stripping
        return True
    first = value.lstrip(_LEADING_SPACE)[:1]
    return bool(first) and unicodedata.normalize("NFKC", first) in FORMULA_STARTS


def safe_cell(value):
    """A cell value for either format: numbers stay numbers, None becomes empty, text is made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]


class CsvEncoder:
    """Turns rows into UTF-8 bytes, a batch at a time. The first batch starts with the BOM."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
        self._started = False

    def encode(self, rows: Iterable[Sequence]) -> bytes:
        """Rows must already be safe (see `safe_row`); text is quoted, numbers are not."""
        if not self._started:
            self._buffer.write(BOM)
            self._started = True
        self._writer.writerows(rows)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")


def csv_chunks(batches: Iterable[Sequence[Sequence]]) -> Iterator[bytes]:
    """Encode batches of safe rows; yields the BOM at once even before the first batch is ready."""
    encoder = CsvEncoder()
    yield encoder.encode(())
    for batch in batches:
        data = encoder.encode(batch)
        if data:
            yield data


def new_write_only_workbook():
    from openpyxl import Workbook

    return Workbook(write_only=True)


DATE_FORMAT = "yyyy-mm-dd hh:mm"  # read the same in Chinese Excel and WPS, and sorts as a date


def date_cell(sheet):
    """A write-only cell formatted as a date and time; set its value, then append it in a row."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    cell.number_format = DATE_FORMAT
    return cell


def add_sheet(workbook, title: str, header: Sequence[str], widths: Sequence[int] | None = None):
    """A write-only sheet with a bold, frozen header row. Returns the sheet for `append`."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title=sheet_title(title))
    for index, width in enumerate(widths or (), start=1):
        from openpyxl.utils import get_column_letter

        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(label))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    return sheet


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ ."""
    return _SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet"
