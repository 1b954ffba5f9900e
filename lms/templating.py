"""Template helpers: content-hashed asset URLs, course HTML, dates in the reader's language."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Flask, abort, current_app, request, send_from_directory, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

from lms.access import public
from lms.config import LANGUAGES
from lms.content.models import Course
from lms.i18n import LANGUAGE_NAMES, html_lang

ONE_YEAR = 365 * 24 * 3600
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[a-z0-9]+)$")


@cache
def _digest(static_root: str, filename: str) -> str:
    return hashlib.sha256((Path(static_root) / filename).read_bytes()).hexdigest()[:10]


def fixed_url(endpoint: str, **values) -> str:
    """`url_for` for a URL that never changes while the application runs (a menu link, an asset).

    Worked out once per application root: every page's header and footer have a dozen of them.
    """
    known = current_app.extensions.setdefault("lms.fixed_urls", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = known.get(key)
    if url is None:
        url = known[key] = url_for(endpoint, **values)
    return url


def asset_url(filename: str) -> str:
    """`app.css` becomes `/assets/app.<hash>.css`: a new file, a new name, cached for a year."""
    path = Path(filename)
    digest = _digest(current_app.static_folder, filename)
    return fixed_url("assets", filename=f"{path.with_suffix('')}.{digest}{path.suffix}")


def serve_asset(filename: str):
    match = _HASHED.match(filename)
    if not match:
        abort(404)
    original = f"{match['stem']}{match['suffix']}"
    if original.startswith("/") or ".." in original.split("/"):
        abort(404)
    try:
        if _digest(current_app.static_folder, original) != match["digest"]:
            abort(404)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, ValueError):
        abort(404)
    response = send_from_directory(current_app.static_folder, original, max_age=ONE_YEAR)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


def current_path() -> str:
    """This page's path and query, for "come back here" links; broken UTF-8 in the query is replaced."""
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


def page_translations() -> dict:
    """`_()` and `ngettext()` bound to this page's catalog, for the template context.

    Flask-Babel looks the catalog up again for every string, and a page has dozens; binding it
    once per page keeps the same behaviour (new-style gettext: escaped, `%` formatted) for less.
    """
    translations = get_translations()

    @pass_context
    def gettext(context, message: str, /, **variables) -> str:
        text = translations.ugettext(message)  # our own catalog: trusted, like a template's literal text
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704

    @pass_context
    def ngettext(context, singular: str, plural: str, num: int, /, **variables) -> str:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704

    return {"gettext": gettext, "ngettext": ngettext}


def init_templating(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["fixed_url"] = fixed_url

    app.add_url_rule("/assets/<path:filename>", "assets", public(serve_asset))

    @app.template_filter("course_html")
    def course_html(html: str, course: Course) -> Markup:
        """Point stored `media/...` links at this course's media route. The HTML is sanitized already."""
        base = url_for("content.media", slug=course.slug, path="")
        linked = html.replace('src="media/', f'src="{base}').replace('href="media/', f'href="{base}')
        return Markup(linked)  # noqa: S704 (course HTML is sanitized by nh3 when it is synced)

    @app.template_filter("number")
    def number_filter(value) -> str:
        return format_decimal(value) if value is not None else ""

    @app.template_filter("date")
    def date_filter(value, style: str = "medium") -> str:
        return format_date(value, style) if value else ""

    @app.template_filter("datetime")
    def datetime_filter(value, style: str = "medium") -> str:
        return format_datetime(value, style) if value else ""

    @app.context_processor
    def interface():
        locale = str(get_locale())
        return {
            "locale": locale,
            "html_lang": html_lang(locale),
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "current_path": current_path(),
            **page_translations(),
        }
