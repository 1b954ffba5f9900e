"""Markdown to safe HTML: render with Python-Markdown, then sanitize with nh3.

Sanitizing comes after rendering, whoever wrote the file: raw HTML, event handlers, `style`
and `javascript:` links are removed from the finished HTML, not guessed at in the source.
Images from the course's media/ folder get their size and `loading="lazy"` so phones do not
jump while reading, and a content digest so browsers may cache them for a year.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

MARKDOWN_EXTENSIONS = ["tables", "fenced_code", "admonition", "attr_list", "toc", "sane_lists"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p",
    "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
MEDIA_PREFIX = "media/"


@dataclass(frozen=True)
class MediaInfo:
    digest: str
    width: int | None = None
    height: int | None = None


class _MediaImages(Treeprocessor):
    def __init__(self, md, media: Mapping[str, MediaInfo]):
        super().__init__(md)
        self.media = media

    def run(self, root: ET.Element) -> None:
        for image in root.iter("img"):
            image.set("loading", "lazy")
            image.set("decoding", "async")
            source = image.get("src", "")
            info = self.media.get(source)
            if info is None:
                continue
            image.set("src", f"{source}?v={info.digest[:12]}")
            if info.width and info.height:
                image.set("width", str(info.width))
                image.set("height", str(info.height))


class _MediaExtension(Extension):
    def __init__(self, media: Mapping[str, MediaInfo]):
        super().__init__()
        self.media = media

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's API name)
        md.treeprocessors.register(_MediaImages(md, self.media), "lms_media", 1)


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str, media: Mapping[str, MediaInfo] | None = None) -> str:
    """Render an author's markdown to HTML that is safe to show to anyone."""
    renderer = markdown.Markdown(
        extensions=[*MARKDOWN_EXTENSIONS, _MediaExtension(media or {})],
        extension_configs={"toc": {"permalink": False}},
    )
    return sanitize_html(renderer.convert(text))


def render_inline(text: str, media: Mapping[str, MediaInfo] | None = None) -> str:
    """Render a one-line text (an answer option) without the surrounding paragraph."""
    html = render_markdown(text, media)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
