"""Printable sign-in cards: A4 sheets of eight cards, each with a QR code of a one-time sign-in link.

Rendered by WeasyPrint from an autoescaped template (names are what trainees typed) with plain
data, not ORM objects, and with every outside fetch refused: the QR codes are inline SVG and the
font is the system's Noto Sans CJK found through fontconfig.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import segno
from flask import render_template
from markupsafe import Markup

CARDS_PER_PAGE = 8  # 2 × 4 on A4


@dataclass(frozen=True)
class Card:
    name: str
    phone: str
    village: str
    cohort_name: str
    url: str
    expires_at: datetime


def qr_svg(url: str) -> Markup:
    """A QR code as inline SVG that scales with its box (no width/height, a viewBox)."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, border=2, svgclass="qr", lineclass=None)
    return Markup(svg)  # noqa: S704 (segno's own markup; the URL inside is encoded as modules, not text)


def _refusing_fetcher():
    """Nothing on a card comes from outside the document."""
    import weasyprint  # loaded on first use: it costs every worker ~90 MB otherwise

    fetcher_class = getattr(weasyprint, "URLFetcher", None)
    if fetcher_class is not None:  # WeasyPrint 66 and later
        return fetcher_class(allowed_protocols=frozenset())

    def refuse(url, *args, **kwargs):
        raise ValueError(f"fetching {url} is not allowed")

    return refuse


def render_cards_pdf(cards: list[Card], site: str) -> bytes:
    pages = [cards[start:start + CARDS_PER_PAGE] for start in range(0, len(cards), CARDS_PER_PAGE)]
    html = render_template("cohorts/cards_pdf.html", pages=pages, qr_svg=qr_svg, site=site)
    css = render_template("cohorts/cards_pdf.css")
    import weasyprint

    fetcher = _refusing_fetcher()
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[weasyprint.CSS(string=css, url_fetcher=fetcher)])
