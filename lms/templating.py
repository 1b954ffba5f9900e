"""Template helpers: content-hashed asset URLs, course HTML, dates in the reader's language."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Hashable
from functools import cache
from pathlib import Path

from flask import Flask, abort, current_app, g, render_template, request, send_from_directory, session, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from lms.access import public
from lms.config import LANGUAGES
from lms.content.models import Course
from lms.i18n import LANGUAGE_NAMES, html_lang
from lms.kept import KeptCopies, kept_by_app
from lms.security import signed_csrf_token

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


def flash_messages() -> Markup:
    """This page's flashed messages; nothing, without touching the session, when there are none."""
    if g.get(_KEEPING_PAGE):
        return Markup(_hole("flash_messages"))  # noqa: S704 (a marker of our own)
    if "_flashes" not in session:
        return Markup("")
    return Markup(render_template("flash_messages.html"))  # noqa: S704 (a rendered, autoescaped template)


def account_notices() -> Markup:
    """What the signed-in person must answer wherever they are (workshop invitations); the count
    is a column of the user row every page reads, so there is nothing to query when it is 0."""
    if g.get(_KEEPING_PAGE):
        return Markup(_hole("account_notices"))  # noqa: S704 (a marker of our own)
    count = getattr(current_user, "pending_invitations", 0) if current_user.is_authenticated else 0
    if not count:
        return Markup("")
    return Markup(render_template("account_notices.html", count=count))  # noqa: S704 (autoescaped template)


def csrf_token() -> str:
    """Flask-WTF's token for this page's forms."""
    return _hole("csrf_token") if g.get(_KEEPING_PAGE) else signed_csrf_token()


# ---------------------------------------------------------------- pages kept whole, with holes

CACHED_PAGES = 512  # per process; a page is 5–15 KB, so at most about 8 MB
_KEEPING_PAGE = "lms_keeping_page"  # set on `g` while a page to keep is rendered
_HOLE_MARK = f"hole{secrets.token_hex(8)}"  # unguessable, so no course text can open a hole
_HOLES = re.compile(rf"{_HOLE_MARK}([a-z_]+){_HOLE_MARK}")


def _hole(name: str) -> str:
    return f"{_HOLE_MARK}{name}{_HOLE_MARK}"


class CachedPageError(RuntimeError):
    """A kept page's template asked for something that differs between visitors and has no hole."""


def refuse_on_kept_page(what: str) -> None:
    """For helpers that read the visitor: they must not run while a page for everyone is rendered."""
    if g.get(_KEEPING_PAGE):
        raise CachedPageError(f"{what} cannot be shown on a kept page: add a hole or a key")


class _Unavailable:
    """Stands for `request`, `session` or `g` in a kept page's template: any use raises."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        refuse_on_kept_page(f"{self._name}.{attribute}")

    def __getitem__(self, key):
        refuse_on_kept_page(f"{self._name}[{key!r}]")


class _LayoutUser:
    """The signed-in user as a kept page may show them: the role picks the menu, the name is a hole.

    Any other attribute raises instead of rendering one trainee's details into everyone's page.
    """

    is_authenticated = True
    is_anonymous = False

    def __init__(self, user):
        self.is_instructor = user.is_instructor
        self.is_admin = user.is_admin
        self.display_name = _hole("display_name")

    def __getattr__(self, name: str):
        raise CachedPageError(f"current_user.{name} cannot be shown on a kept page: add a hole or a key")


_FILLERS = {
    "csrf_token": lambda: escape(signed_csrf_token()),
    "display_name": lambda: escape(current_user.display_name),
    "current_path": lambda: escape(current_path()),
    "flash_messages": flash_messages,
    "account_notices": account_notices,
}


def _keep(template: str, user, context: dict) -> list[str]:
    """Render the page for everyone: markers where a visitor's own values go, then cut at them."""
    setattr(g, _KEEPING_PAGE, True)
    try:
        html = render_template(
            template, **context, current_user=_LayoutUser(user), current_path=_hole("current_path"),
            request=_Unavailable("request"), session=_Unavailable("session"), g=_Unavailable("g"),
        )
    finally:
        g.pop(_KEEPING_PAGE, None)
    pieces = _HOLES.split(html)
    if any(_HOLE_MARK in piece.lower() for piece in pieces[::2]) or not set(pieces[1::2]) <= _FILLERS.keys():
        raise CachedPageError(f"{template}: a hole was changed on its way into the page (a filter, quoting)")
    return pieces


def render_cached_page(template: str, key: tuple[Hashable, ...], **context) -> str:
    """`render_template` for a signed-in page that is the same for everyone with the same `key`.

    A lesson page differs between trainees only in the footer's name, the forms' CSRF token, the
    page's own address and any flashed message. So it is rendered once per process and key with
    markers in those places, cut at the markers, and each request joins the pieces with its own
    values: microseconds instead of a full render. `key` must name everything else the template
    shows (content version, the trainee's progress); the interface language, the role (which
    picks the menu) and the application's root are added here. A visitor's values are escaped
    for HTML text and attribute values, the only places a hole may be put; a template that reads
    anything else of the visitor (their other details, the request, the session) raises.
    """
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return render_template(template, **context)
    full_key = (template, request.script_root, str(get_locale()), user.is_instructor, user.is_admin, *key)
    pages: KeptCopies[list[str]] = kept_by_app("lms.cached_pages", KeptCopies)  # each as pieces between holes
    pieces = pages.get(full_key)
    if pieces is None:
        pieces = _keep(template, user, context)
        pages.put(full_key, pieces, CACHED_PAGES)
    values = {}
    parts = [pieces[0]]
    for index in range(1, len(pieces), 2):
        name = pieces[index]
        if name not in values:
            values[name] = _FILLERS[name]()
        parts.append(values[name])
        parts.append(pieces[index + 1])
    return "".join(parts)


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
    app.jinja_env.globals["flash_messages"] = flash_messages
    app.jinja_env.globals["account_notices"] = account_notices
    app.jinja_env.globals["csrf_token"] = csrf_token  # Flask-WTF's, aware of kept pages
    flask_flashed_messages = app.jinja_env.globals["get_flashed_messages"]

    def get_flashed_messages(*args, **kwargs):
        refuse_on_kept_page("get_flashed_messages()")
        return flask_flashed_messages(*args, **kwargs)

    app.jinja_env.globals["get_flashed_messages"] = get_flashed_messages

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

    @app.template_filter("time")
    def time_filter(value, style: str = "short") -> str:
        return format_time(value, style) if value else ""

    # WeChat's own browser does not download files: pages offer pictures and an "open in browser" hint.
    # A global, not a context variable, so imported macros see it too.
    app.jinja_env.globals["in_wechat"] = lambda: "MicroMessenger" in request.headers.get("User-Agent", "")

    @app.context_processor
    def interface():
        locale = str(get_locale())
        return {
            "locale": locale,
            "html_lang": html_lang(locale),
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "current_path": current_path(),
            "csrf_token": csrf_token,  # over Flask-WTF's own: aware of kept pages, signs once a minute
            **page_translations(),
        }
