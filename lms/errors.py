"""Error pages in the reader's language. Nothing a visitor sends should produce a bare 500."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from lms.extensions import db


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Something in the request was not right"),
              _("Go back, check what you entered and try again.")),
        403: (_("This page is not for your account"),
              _("If you think you should see it, ask your instructor.")),
        404: (_("Page not found"), _("The page may have moved, or the address has a typo.")),
        405: (_("This action is not possible here"), _("Go back and use the buttons on the page.")),
        413: (_("The file is too large"), _("Choose a smaller file and try again.")),
        429: (_("Too many tries"), _("Please wait a minute, then try again.")),
        500: (_("Something went wrong on our side"), _("Please try again in a moment.")),
        503: (_("The service is busy"), _("Please try again in a moment.")),
    }


def render_error(code: int, detail: str | None = None, retry_after: str | None = None):
    title, advice = _messages().get(code, _messages()[500 if code >= 500 else 400])
    response = render_template("errors/error.html", code=code, title=title, advice=detail or advice,
                               retry_after=retry_after)
    return response, code


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("This form was open too long or came from another site. "
                                   "Go back, reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 429:
            retry = error.response.headers.get("Retry-After") if error.response else None
            retry = retry or request.environ.get("flask_limiter.retry_after")
            return render_error(429, retry_after=retry)
        if error.code and error.code < 400:
            return error
        return render_error(error.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
