"""Interface language: Simplified Chinese by default, English on request, remembered.

Order of choice: the signed-in user's saved language, the `lang` cookie, the browser's
Accept-Language, then Chinese.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user

from lms.access import public
from lms.config import HTML_LANG, LANGUAGES
from lms.extensions import db
from lms.security import safe_next

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
bp = Blueprint("language", __name__)


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=current_app.config["BABEL_DEFAULT_LOCALE"])


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
