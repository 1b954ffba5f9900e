"""Turning a certificate's snapshot into a one-page A4 PDF with WeasyPrint.

The template gets plain data (`CertificateDocument`), never ORM objects, and is rendered in an
autoescaping sandboxed Jinja environment of its own: names and titles are what people typed.
WeasyPrint may fetch exactly three things, all served from memory by `_CertificateFetcher`: the
two font subsets made for this page and the configured seal image. Everything else (`file:`,
`http:`, `data:`...) is refused, and a refused fetch stops the rendering.

Before rendering, every character of every text is looked up in the font's character map: a
character the font cannot draw stops the rendering with `MissingGlyphs`, which names the field
and the characters, instead of printing a box where a trainee's name should be.
"""

from __future__ import annotations

import mimetypes
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import segno
import weasyprint
import weasyprint.urls
from babel.dates import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from weasyprint.text.fonts import FontConfiguration

from lms.certificates.codes import format_code
from lms.certificates.fonts import FontFace, missing_characters, subset_font
from lms.config import PROJECT_ROOT

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "certificates" / "pdf"
FONT_FAMILY = "Cunke Certificate"
_RESOURCE = "cunke-certificate:"
REGULAR_FONT_URL, BOLD_FONT_URL, SEAL_URL = (f"{_RESOURCE}font-regular", f"{_RESOURCE}font-bold",
                                             f"{_RESOURCE}seal")
LEVEL_NAMES = {"intro": ("入门", "Introductory"), "intermediate": ("进阶", "Intermediate")}
# Name and title sizes by printed width (a Chinese character counts 1, a Latin letter about half).
NAME_SIZES = ((6, "size-xl"), (10, "size-l"), (16, "size-m"), (24, "size-s"))
TITLE_SIZES = ((14, "size-xl"), (22, "size-l"), (34, "size-m"), (52, "size-s"))


class CertificateRenderError(Exception):
    """The certificate cannot be rendered as it stands; the message says why."""


# The texts of a certificate, named in the messages about them (CertificateDocument.texts and the template).
TEXT_NAMES = {"name": _l("holder's name"), "course_title": _l("course title"), "track": _l("track and specialty"),
              "organisation_name": _l("organisation's name"), "address": _l("verification address"),
              "signatories": _l("signatories"), "template": _l("certificate template")}


class MissingGlyphs(CertificateRenderError):
    def __init__(self, field_name: str, characters: list[str]):
        self.field_name = field_name
        self.characters = characters
        listed = " ".join(f"{char} (U+{ord(char):04X})" for char in characters)
        super().__init__(_("The certificate font cannot draw %(characters)s in the %(text)s.", characters=listed,
                           text=TEXT_NAMES.get(field_name, field_name)))


@dataclass(frozen=True)
class Signatory:
    title: str
    title_en: str = ""
    name: str = ""


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on a certificate, as plain text."""

    code: str
    verify_url: str
    holder_name: str
    title: str
    title_secondary: str
    track: str
    track_en: str
    specialty: str
    specialty_en: str
    level: str
    level_en: str
    hours: str
    completed_on: date
    issued_on: date
    org_name: str
    org_name_en: str
    signatories: tuple[Signatory, ...] = field(default_factory=tuple)
    attended_hours: str = ""  # hours attended at the workshop's sessions; empty when none were held

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def verify_address(self) -> str:
        """Where to type the code: the verification page without the code or the scheme."""
        parts = urlsplit(self.verify_url)
        path = parts.path.rsplit("/", 1)[0] if parts.path.rstrip("/").count("/") > 1 else parts.path
        return f"{parts.netloc}{path}"

    def texts(self) -> dict[str, str]:
        """Every text that comes from data (not the template), by the name used in error messages."""
        texts = {"name": self.holder_name, "course_title": f"{self.title} {self.title_secondary}",
                 "track": f"{self.track} {self.track_en} {self.specialty} {self.specialty_en}",
                 "organisation_name": f"{self.org_name} {self.org_name_en}", "address": self.verify_address}
        texts["signatories"] = " ".join(f"{s.title} {s.title_en} {s.name}" for s in self.signatories)
        return texts


# ---------------------------------------------------------------- from a certificate's snapshot


def _pick(texts: dict | None, language: str) -> str:
    return (texts or {}).get(language) or ""


def _hours(hours: float) -> str:
    return f"{hours:g}"


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def document_from(certificate, verify_url: str, timezone: str) -> CertificateDocument:
    """The printable data of a certificate row (its snapshot only, never the live profile or course)."""
    titles = certificate.course_titles or {}
    title = titles.get("zh") or titles.get(certificate.course_language) or next(iter(titles.values()), "")
    secondary = titles.get("en") or ""
    level, level_en = LEVEL_NAMES.get(certificate.level, (certificate.level, certificate.level))
    return CertificateDocument(
        code=certificate.code,
        verify_url=verify_url,
        holder_name=certificate.holder_name,
        title=title,
        title_secondary=secondary if secondary != title else "",
        track=_pick(certificate.track_names, "zh"),
        track_en=_pick(certificate.track_names, "en"),
        specialty=_pick(certificate.specialty_names, "zh"),
        specialty_en=_pick(certificate.specialty_names, "en"),
        level=level,
        level_en=level_en,
        hours=_hours(certificate.hours),
        attended_hours=_hours(certificate.attended_hours) if certificate.attended_hours is not None else "",
        completed_on=local_date(certificate.completed_at, timezone),
        issued_on=local_date(certificate.issued_at, timezone),
        org_name=certificate.org_name,
        org_name_en=certificate.org_name_en,
        signatories=tuple(Signatory(title=str(line.get("title", "")), title_en=str(line.get("title_en", "")),
                                    name=str(line.get("name", "")))
                          for line in (certificate.signatories or []) if isinstance(line, dict)),
    )


# ---------------------------------------------------------------- layout helpers


def printed_width(text: str) -> float:
    """Roughly how many Chinese characters wide `text` prints."""
    return sum(1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.55 for char in text)


def size_class(text: str, sizes: tuple[tuple[int, str], ...]) -> str:
    width = printed_width(text)
    for limit, name in sizes:
        if width <= limit:
            return name
    return "size-xs"


def qr_svg(url: str) -> Markup:
    svg = segno.make(url, error="m").svg_inline(omitsize=True, border=0, svgclass="qr-code", lineclass=None)
    return Markup(svg)  # noqa: S704 (segno's own markup; the URL is encoded as modules, not text)


def _dates(day: date) -> tuple[str, str]:
    return format_date(day, "long", locale="zh_Hans_CN"), format_date(day, "d MMMM y", locale="en")


@cache
def _environment() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    environment.globals.update(dates=_dates, qr_svg=qr_svg)
    return environment


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


def certificate_html(document: CertificateDocument, with_seal: bool = False) -> str:
    return _environment().get_template("certificate.html").render(
        doc=document, name_size=size_class(document.holder_name, NAME_SIZES),
        title_size=size_class(document.title, TITLE_SIZES), with_seal=with_seal,
    )


def certificate_css() -> str:
    return _environment().get_template("certificate.css").render(family=FONT_FAMILY)


# ---------------------------------------------------------------- fetching and rendering


def _refuse(url: str):
    raise CertificateRenderError(_("A certificate may not load %(url)s", url=url))


_URLFetcher = getattr(weasyprint, "URLFetcher", None)
_FETCH_REFUSED = getattr(weasyprint.urls, "FatalURLFetchingError", CertificateRenderError)

if _URLFetcher is not None:  # WeasyPrint 66 and later
    from weasyprint.urls import URLFetcherResponse

    class _CertificateFetcher(_URLFetcher):
        """Serves this page's fonts and seal from memory; refuses every other URL, which stops the rendering."""

        def __init__(self, resources: dict[str, tuple[bytes, str]]):
            super().__init__(allowed_protocols=frozenset({_RESOURCE.rstrip(":")}), fail_on_errors=True)
            self._resources = resources

        def fetch(self, url, headers=None):
            if url not in self._resources:
                _refuse(url)
            content, mime_type = self._resources[url]
            return URLFetcherResponse(url, content, {"Content-Type": mime_type})

    def certificate_fetcher(resources: dict[str, tuple[bytes, str]]):
        return _CertificateFetcher(resources)

else:  # pragma: no cover (WeasyPrint 62 to 65 take a function returning a dict)

    def certificate_fetcher(resources: dict[str, tuple[bytes, str]]):
        def fetch(url, *args, **kwargs):
            if url not in resources:
                _refuse(url)
            content, mime_type = resources[url]
            return {"string": content, "mime_type": mime_type}

        return fetch


@cache
def _stylesheet() -> weasyprint.CSS:
    """The certificate's design, parsed once per process and shared by every rendering."""
    return weasyprint.CSS(string=certificate_css(), url_fetcher=certificate_fetcher({}))


# The page's only font family: this certificate's two subsets, served by its fetcher.
FONT_FACES = (f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: 400; src: url("{REGULAR_FONT_URL}"); }}\n'
              f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: 700; src: url("{BOLD_FONT_URL}"); }}\n')


def check_characters(document: CertificateDocument, faces: tuple[FontFace, FontFace]) -> None:
    """Raise `MissingGlyphs` for the first text the font cannot fully draw (the name is checked first)."""
    for field_name, text in document.texts().items():
        missing = missing_characters(text, faces)
        if missing:
            raise MissingGlyphs(field_name, missing)


def _seal(seal_path: str) -> tuple[bytes, str]:
    path = Path(seal_path)
    mime_type = mimetypes.guess_type(path.name)[0] or ""
    if mime_type not in ("image/png", "image/svg+xml", "image/jpeg"):
        raise CertificateRenderError(_("The seal image %(path)s must be a PNG, JPEG or SVG file.", path=seal_path))
    try:
        return path.read_bytes(), mime_type
    except OSError as error:
        raise CertificateRenderError(_("The seal image %(path)s cannot be read: %(error)s", path=seal_path,
                                       error=str(error))) from error


def render_certificate_pdf(document: CertificateDocument, faces: tuple[FontFace, FontFace],
                           seal_path: str = "") -> bytes:
    """The certificate as a one-page PDF. Raises `CertificateRenderError` (or `MissingGlyphs`)."""
    regular, bold = faces
    check_characters(document, faces)
    html = certificate_html(document, with_seal=bool(seal_path))
    text = page_text(html)
    missing = missing_characters(text, faces)
    if missing:  # a label of the template itself: a template bug, not bad data
        raise MissingGlyphs("template", missing)
    resources = {
        REGULAR_FONT_URL: (subset_font(regular, text), "font/otf"),
        BOLD_FONT_URL: (subset_font(bold, text), "font/otf"),
    }
    if seal_path:
        resources[SEAL_URL] = _seal(seal_path)
    fetcher = certificate_fetcher(resources)
    font_config = FontConfiguration()
    try:
        fonts = weasyprint.CSS(string=FONT_FACES, url_fetcher=fetcher, font_config=font_config)
        document = weasyprint.HTML(string=html, url_fetcher=fetcher).render(
            stylesheets=[_stylesheet(), fonts], font_config=font_config)
        if len(document.pages) != 1:
            raise CertificateRenderError(_("The certificate came out on %(pages)s pages, not one.",
                                           pages=len(document.pages)))
        pdf = document.write_pdf()
    except _FETCH_REFUSED as refused:  # a refused fetch stops WeasyPrint with a BaseException
        raise CertificateRenderError(str(refused.__cause__ or refused)) from refused
    families = {font.family for font in document.fonts.values()}
    if families - {FONT_FAMILY}:  # a system font stood in: the page would not print as designed
        raise CertificateRenderError(_("The certificate used fonts it should not: %(fonts)s.",
                                       fonts=", ".join(sorted(families))))
    return pdf
