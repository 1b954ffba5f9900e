"""Protections applied to every response, forms' CSRF tokens, and the one check for where a redirect may go."""

from __future__ import annotations

from time import monotonic
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request, session
from flask_wtf.csrf import generate_csrf

from lms.extensions import csrf
from lms.kept import KeptCopies, kept_by_app

SIGNED_CSRF_TOKENS = 4096  # sessions whose signed token one process keeps

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def safe_next(target: str | None, default: str) -> str:
    """Only paths on this site: `//evil.example` and `https://...` fall back to the default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ch in target for ch in "\\\r\n\t"):
        return default
    return target


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


class SecurityHeaders:
    """WSGI middleware: every response gets these, unless its view chose its own (a sandboxed
    preview's CSP).

    Added to the header list the server receives: an after-request hook adding them through
    Werkzeug's header checks cost about 15 µs per page for five fixed strings.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers.extend(header for header in SECURITY_HEADERS if header[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start_with_headers)


def signed_csrf_token() -> str:
    """Flask-WTF's CSRF token for a page's forms, signed anew at most once a minute per session.

    Flask-WTF signs the session's secret with the current time for every page: a serializer
    built, JSON, compression and an HMAC, a tenth of a lesson page's work. A token signed a
    moment ago is as good: forms take any token younger than WTF_CSRF_TIME_LIMIT. So each process
    keeps the last token it signed for each session, for a minute (a sixtieth of the limit, if one
    is set).
    """
    field = current_app.config["WTF_CSRF_FIELD_NAME"]
    kept_tokens: KeptCopies[tuple[float, str]] = kept_by_app("lms.signed_csrf_tokens", KeptCopies)
    now = monotonic()
    secret = session.get(field)
    if secret is not None:
        limit = current_app.config["WTF_CSRF_TIME_LIMIT"]
        kept = kept_tokens.get(secret)
        if kept is not None and now - kept[0] < (limit / 60 if limit else 60):
            return kept[1]
    token = generate_csrf()  # makes the session's secret on its first form
    kept_tokens.put(session[field], (now, token), SIGNED_CSRF_TOKENS)
    return token


def init_csrf(app: Flask) -> None:
    """Flask-WTF's CSRF protection, checked on the methods that can change something.

    Flask-WTF's own before-request check works out the endpoint and its exemptions before it
    looks at the method, on every page; a GET never needs it. So that check is off and this one
    calls the same `protect()` only for POST, PUT, PATCH and DELETE.
    """
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @app.before_request
    def check_csrf_on_writes() -> None:
        if request.method in app.config["WTF_CSRF_METHODS"] and app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()


def _holds_unusable_text() -> bool:
    """Whether the request holds text nobody types and the site cannot use: a NUL character in the address,
    query string or form (PostgreSQL can neither store nor compare text holding one, and its driver raises
    before the query is sent), or a query string that is not UTF-8 (Werkzeug raises reading it)."""
    query = request.query_string
    try:
        query.decode()
    except UnicodeDecodeError:
        return True
    if "\x00" in request.path or b"\x00" in query or b"%00" in query:
        return True
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    return (any("\x00" in key + value for key, value in request.form.items(multi=True))
            or any("\x00" in key + (upload.filename or "") for key, upload in request.files.items(multi=True)))


def init_security(app: Flask) -> None:
    @app.before_request
    def refuse_unusable_text() -> None:
        if _holds_unusable_text():
            abort(400)

    app.wsgi_app = SecurityHeaders(app.wsgi_app)
