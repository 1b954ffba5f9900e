"""The printable A4 sign-in sheet of a session: every member's name and village, a signature column.

For the paper record the county files and for halls without signal, whose marks the instructor
enters afterwards. Rendered by WeasyPrint with the certificates' font (lms/certificates/fonts.py),
subset to the page's characters and served from memory; every other fetch is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from weasyprint.text.fonts import FontConfiguration

from lms.certificates.fonts import faces_for, missing_characters, subset_font
from lms.certificates.rendering import (
    BOLD_FONT_URL,
    FONT_FACES,
    REGULAR_FONT_URL,
    certificate_fetcher,
    page_text,
)

ROWS_PER_PAGE = 20


@dataclass(frozen=True)
class SheetRow:
    number: int
    name: str
    village: str
    status: str  # what is already marked, in words; empty when nothing


@dataclass(frozen=True)
class SheetHeader:
    workshop: str
    topic: str
    place: str
    when: str
    hours: str
    cancelled: bool


def render_sheet_pdf(header: SheetHeader, rows: list[SheetRow], config) -> bytes:
    import weasyprint

    html = render_template("attendance/sheet_pdf.html", header=header, rows=rows)
    css = render_template("attendance/sheet_pdf.css")
    regular, bold = faces_for(config)
    text = page_text(html)
    missing = missing_characters(text, (regular,))
    if missing:
        raise ValueError("characters the font cannot draw: " + "".join(missing))
    fetcher = certificate_fetcher({REGULAR_FONT_URL: (subset_font(regular, text), "font/otf"),
                                   BOLD_FONT_URL: (subset_font(bold, text), "font/otf")})
    font_config = FontConfiguration()
    stylesheets = [weasyprint.CSS(string=FONT_FACES, url_fetcher=fetcher, font_config=font_config),
                   weasyprint.CSS(string=css, url_fetcher=fetcher, font_config=font_config)]
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=stylesheets,
                                                                      font_config=font_config)
