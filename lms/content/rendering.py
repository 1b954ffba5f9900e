"""Markdown to safe HTML: render with Python-Markdown, then sanitize with nh3.

Sanitizing comes after rendering, whoever wrote the file: raw HTML, event handlers, `style`
and `javascript:` links are removed from the finished HTML, not guessed at in the source.
Images from the course's media/ folder get their size and `loading="lazy"` so phones do not
jump while reading, and a content digest so browsers may cache them for a year.

Course text sits inside the site's own pages, so it must not be able to pass for them: an
author may use only the classes in CONTENT_CLASSES (a `button` class would fake the site's
buttons), and every id an author or a heading sets is prefixed with `user-content-` (an id such
as `csrf_token` or `main` would clobber the page's own), with in-page links following it.
Every link gets `rel="noopener nofollow noreferrer"`; links that leave the site are marked by
the stylesheet (`.prose a[href^="http"]`).
"""

from __future__ import annotations

import re
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
# Classes course text may carry: the boxes of `!!! tip|note|warning` and code languages (docs/authoring.md).
CONTENT_CLASSES = frozenset({"admonition", "admonition-title", "tip", "note", "warning"})
CODE_LANGUAGE_CLASS = re.compile(r"^language-[a-z0-9+#-]{1,30}$")
ID_PREFIX = "user-content-"
RENDERING_VERSION = "2"  # raise it with any change to the HTML made from the same markdown
LINK_REL = "noopener nofollow noreferrer"
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


def allowed_class(name: str) -> bool:
    return name in CONTENT_CLASSES or bool(CODE_LANGUAGE_CLASS.match(name))


def _author_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3's filter for every attribute it kept: classes from the allowed set, ids in their own namespace."""
    if attribute == "class":
        kept = [name for name in value.split() if allowed_class(name)]
        return " ".join(kept) or None
    if attribute == "id":
        return value if value.startswith(ID_PREFIX) else ID_PREFIX + value
    if tag == "a" and attribute == "href" and value.startswith("#") and not value.startswith("#" + ID_PREFIX):
        return "#" + ID_PREFIX + value[1:]
    return value


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_author_attribute,
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
