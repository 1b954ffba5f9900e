"""Interface language: Simplified Chinese by default, English on request, remembered.

Order of choice on a page: the signed-in user's saved language, the `lang` cookie, the browser's
Accept-Language, then Chinese. On the command line (`flask ...`), the language of the shell:
LC_ALL, LC_MESSAGES or LANG (see `cli_language`).
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from pathlib import Path

import click
from babel import Locale
from babel.lists import format_list
from flask import Blueprint, current_app, has_app_context, has_request_context, redirect, request, url_for
from flask.cli import AppGroup
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from lms.access import public
from lms.config import HTML_LANG, LANGUAGES
from lms.extensions import db
from lms.security import safe_next

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
bp = Blueprint("language", __name__)


def select_locale() -> Locale:
    """The request's language, as the one `Locale` per language: Babel takes it as it is, where
    a code would be parsed again on every request. Outside a request, the command line's."""
    if not has_request_context():
        return _locale(cli_language())
    return _locale(chosen_language())


def chosen_language() -> str:
    saved = getattr(current_user, "locale", None)  # None for visitors: they have no saved language
    if saved in LANGUAGES:
        return saved
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return browser_language(request.headers.get("Accept-Language", ""), current_app.config["BABEL_DEFAULT_LOCALE"])


@cache  # our languages and the configured default
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@lru_cache(maxsize=256)
def browser_language(accept_language: str, default: str) -> str:
    """Our language the browser prefers. Phones send a handful of different headers, and parsing
    one costs more than the rest of choosing the language: each is parsed once per process."""
    return parse_accept_header(accept_language, LanguageAccept).best_match(LANGUAGES, default=default)


def html_lang(locale: str) -> str:
    return HTML_LANG.get(locale, locale)


@bp.route("/language", methods=["POST"])
@public
def switch_language():
    language = request.form.get("language")
    target = safe_next(request.form.get("next"), url_for("learning.catalog"))
    response = redirect(target)
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated:
            current_user.locale = language
            db.session.commit()
    return response


def course_titles(courses) -> str:
    """Course titles as one phrase in the reader's language: "A、B和C" or "A, B and C"."""
    language = str(get_locale())
    return format_list([course.title(course.shown_language(language)) for course in courses], locale=get_locale())


# ---------------------------------------------------------------- compiled catalogs


PACKAGE_TRANSLATIONS = Path(__file__).parent / "translations"


def _fresh(mo: Path, po: Path) -> bool:
    return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


def stale_catalogs(directory: Path, fallback: Path | None = None) -> list[Path]:
    """The .po files under `directory` without an up-to-date .mo beside them (or under `fallback`)."""
    return [po for po in sorted(directory.glob("*/LC_MESSAGES/*.po"))
            if not _fresh(po.with_suffix(".mo"), po)
            and not (fallback and _fresh(fallback / po.relative_to(directory).with_suffix(".mo"), po))]


def compile_catalog(po: Path, mo: Path) -> None:
    """Compile one catalog, atomically: workers starting together never read half a file."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source)
    mo.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=mo.parent, prefix=".messages-", suffix=".mo", delete=False) as target:
        write_mo(target, catalog)
    os.replace(target.name, mo)


def ensure_compiled_catalogs(app, directory: Path = PACKAGE_TRANSLATIONS) -> None:
    """Serve Chinese however Cunke was installed: `make` compiles the catalogs, but `pip install .` and
    a plain checkout do not. Stale or missing ones are compiled at start-up, next to their .po file, or
    into the instance folder when the package directory is read-only."""
    fallback = Path(app.instance_path) / "translations"
    for po in stale_catalogs(directory):
        try:
            compile_catalog(po, po.with_suffix(".mo"))
        except OSError:
            compile_catalog(po, fallback / po.relative_to(directory).with_suffix(".mo"))
    if stale_catalogs(directory) and not stale_catalogs(directory, fallback):
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = f"{fallback};{directory}"


# ---------------------------------------------------------------- the command line


def cli_language(environ: Mapping[str, str] | None = None) -> str:
    """The language `flask ...` commands speak, from the shell's locale as POSIX orders it: the first
    of LC_ALL, LC_MESSAGES and LANG that is set decides. zh_CN.UTF-8 (any zh) is Chinese; C, POSIX,
    en_US.UTF-8 and languages Cunke has no words for are English. With none set (a bare cron job or
    systemd unit), the site's default language: Chinese, as the county office reads it.
    """
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            language = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return language if language in LANGUAGES else "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"] if has_app_context() else LANGUAGES[0]


def in_cli_language(command: Callable) -> Callable:
    """Run a command (inside its app context) in the shell's language, read when it starts."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        with force_locale(cli_language()):
            return command(*args, **kwargs)

    return run


class CommandGroup(AppGroup):
    """A `flask` command group whose commands speak the shell's language (`cli_language`)."""

    def command(self, *args, **kwargs):
        in_app_context = kwargs.get("with_appcontext", True)
        decorate = super().command(*args, **kwargs)
        return lambda f: decorate(in_cli_language(f) if in_app_context else f)


class CommandError(click.ClickException):
    """A command's refusal, with Click's "Error:" in the shell's language too: worded when raised,
    because Click shows it after the command's app context (and so its language) has ended."""

    def __init__(self, message: str):
        super().__init__(message)
        self.shown = _("Error: %(message)s", message=message)

    def show(self, file=None) -> None:
        click.echo(self.shown, file=file, err=True, color=self.show_color)
