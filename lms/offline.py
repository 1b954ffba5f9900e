"""The installable, offline-readable shell: web app manifest, service worker, offline page."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from lms.access import public
from lms.config import LANGUAGES
from lms.templating import asset_url

bp = Blueprint("offline", __name__)
SHELL_ASSETS = ("app.css", "app.js", "icon.svg")


def _shell_urls() -> list[str]:
    return [url_for("offline.offline_page"), url_for("offline.offline_page", sent=0),
            *(asset_url(name) for name in SHELL_ASSETS)]


@bp.route("/sw.js")
@public
def service_worker():
    urls = _shell_urls()
    # The offline page itself counts: a new wording or layout reaches phones that saved the old one.
    version = hashlib.sha256((json.dumps(urls) + offline_page()).encode()).hexdigest()[:10]
    script = render_template("offline/sw.js", shell_urls=urls, version=version)
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
@public
def manifest():
    data = {
        "name": _("Cunke · village e-commerce courses"),
        "short_name": _("Cunke"),
        "start_url": url_for("learning.my_learning"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#fffdf8",
        "theme_color": "#b8322a",
        "icons": [{"src": asset_url("icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }
    response = Response(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/offline")
@public
def offline_page():
    not_sent = request.args.get("sent") == "0"
    first = str(get_locale())
    order = [first] + [code for code in LANGUAGES if code != first]
    parts = []
    for level, code in enumerate(order, start=1):
        with force_locale(code):
            parts.append(render_template("offline/_message.html", message_lang=code, not_sent=not_sent,
                                         level=min(level, 2)))
    return render_template("offline/offline.html", messages=Markup("".join(parts)))  # noqa: S704 (rendered by Jinja)
