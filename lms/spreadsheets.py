"""Spreadsheet files that Excel and WPS on Windows open correctly and safely.

* CSV is UTF-8 with a byte-order mark (without it Excel reads Chinese as mojibake), every text
  field quoted, numbers left bare so they stay numbers.
* XLSX: the large completion export is streamed as it is read (`xlsx_chunks`: a ZIP written on the
  fly, memory flat, the download starting at once); the small ones (summary, attendance) are built
  with openpyxl in write-only mode.
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
from datetime import datetime

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


# ---------------------------------------------------------------- streamed XLSX

_EXCEL_EPOCH = datetime(1899, 12, 30)
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})  # in attributes
_STYLE_BOLD, _STYLE_DATE = 1, 2  # cellXfs indexes in _STYLES

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    '</Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="styles.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
    '</Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


def _column_letters(count: int) -> list[str]:
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, remainder = divmod(number - 1, 26)
            name = chr(65 + remainder) + name
        letters.append(name)
    return letters


class _Chunks:
    """A write-only file for zipfile that hands over what was written so far (an unseekable stream)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here: zipfile calls it, the caller takes the bytes."""

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def xlsx_chunks(title: str, header: Sequence, batches: Iterable[Sequence[Sequence]],
                widths: Sequence[int] = ()) -> Iterator[bytes]:
    """An XLSX workbook of one sheet, as bytes while its rows are read: the download starts at once.

    The rows must be safe (see `safe_row`); datetimes (naive, local) become date cells, numbers stay
    numbers, everything else is an inline string. The header row is bold and frozen. Written straight
    into a streamed ZIP (zipfile writes data descriptors on a stream it cannot seek), so memory holds
    one batch; openpyxl's write-only mode took several times as long and could send nothing before
    the whole file was on disk (docs/performance.md).
    """
    import zipfile

    out = _Chunks()
    letters = _column_letters(len(header))
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES),
                           ("xl/workbook.xml", _workbook_xml(title))):
            package.writestr(name, text)
        yield out.take()
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_sheet_start(widths).encode())
            sheet.write(_row_xml(1, header, letters, _STYLE_BOLD).encode())
            number = 1
            for batch in batches:
                parts = []
                for values in batch:
                    number += 1
                    parts.append(_row_xml(number, values, letters))
                sheet.write("".join(parts).encode())
                yield out.take()
            sheet.write(b"</sheetData></worksheet>")
    yield out.take()


def _workbook_xml(title: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{sheet_title(title).translate(_XML_ESCAPES)}" sheetId="1" r:id="rId1"/></sheets>'
            '</workbook>')


def _sheet_start(widths: Sequence[int]) -> str:
    columns = "".join(f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
                      for n, width in enumerate(widths, start=1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            + (f"<cols>{columns}</cols>" if columns else "") + "<sheetData>")


def _row_xml(number: int, values: Sequence, letters: list[str], style: int = 0) -> str:
    """One `<row>`; kept plain (type checks by identity, no escaping unless needed): it runs per row."""
    cells = []
    styled = f' s="{style}"' if style else ""
    for letter, value in zip(letters, values, strict=False):  # a row may stop short of the header
        if value is None or value == "":
            continue
        kind = type(value)
        if kind is datetime:
            serial = (value - _EXCEL_EPOCH).total_seconds() / 86400
            cells.append(f'<c r="{letter}{number}" s="{_STYLE_DATE}"><v>{serial!r}</v></c>')
        elif kind is bool:
            cells.append(f'<c r="{letter}{number}"{styled}><v>{int(value)}</v></c>')
        elif kind is int or kind is float:
            cells.append(f'<c r="{letter}{number}"{styled}><v>{value!r}</v></c>')
        else:
            text = value if kind is str else str(value)
            if "&" in text or "<" in text or ">" in text:
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
            cells.append(f'<c r="{letter}{number}" t="inlineStr"{styled}><is><t{space}>{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'
