"""The authoring guide, served in the studio in the reader's language.

docs/authoring.md and docs/authoring.zh.md are the same guide in two languages. Their headings carry
the same anchors (`## 4. Quizzes {#quizzes}`), so the checker's messages link to the section that
explains them whichever guide the reader gets (lms/content/messages.py names the sections). They are
rendered like course text, with the course renderer and its sanitizer, which prefixes every id with
`user-content-`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from lms.config import PROJECT_ROOT
from lms.content.rendering import ID_PREFIX, render_markdown

GUIDES = {"zh": PROJECT_ROOT / "docs" / "authoring.zh.md", "en": PROJECT_ROOT / "docs" / "authoring.md"}
_SECTION = re.compile(r'<h2 id="(?P<id>[^"]+)">(?P<title>.*?)</h2>', re.S)


@dataclass(frozen=True)
class Guide:
    language: str
    title: str
    intro: Markup  # what comes before the first section
    sections: list[tuple[str, str]]  # (id on the page, heading text) of each `## ` section
    html: Markup  # the sections


def section_id(section: str) -> str:
    """The page id of a guide section: its anchor as the sanitizer leaves it."""
    return ID_PREFIX + section


def read_guide(language: str) -> Guide:
    """The guide in this language (English for any other), rendered on each request: about 10 ms, for a page
    opened now and then."""
    language = language if language in GUIDES else "en"
    title, _, body = GUIDES[language].read_text(encoding="utf-8").partition("\n")
    html = Markup(render_markdown(body))  # noqa: S704 (sanitized as course text is)
    # Examples and tables wider than a phone scroll sideways: a keyboard must reach them too.
    html = html.replace("<pre>", Markup('<pre tabindex="0">')).replace("<table>", Markup('<table tabindex="0">'))
    found = list(_SECTION.finditer(html))
    start = found[0].start() if found else len(html)
    sections = [(m["id"], html[m.start("title"):m.end("title")].striptags()) for m in found]
    return Guide(language, title.removeprefix("# ").strip(), html[:start], sections, html[start:])
