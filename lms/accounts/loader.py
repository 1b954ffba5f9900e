"""Flask-Login wiring: the session holds "id:token", so a new password ends old sessions."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from lms.accounts.models import User
from lms.database import utcnow
from lms.extensions import db, login_manager

# Built once: this runs on every signed-in request, and a prepared statement costs half of `session.get`.
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.execute(_USER_BY_ID, {"user_id": int(user_id)}).scalar_one_or_none()
    if user is None or user.session_token != token or not user.active:
        return None
    return user


class DailyRenewedSessions(SecureCookieSessionInterface):
    """A signed-in session lasts 31 days from the last day it was used, renewed once a day.

    Flask renews a permanent session's cookie on every response; that is a signature computed
    and about 300 bytes sent with every page, which a phone on a weak signal pays for. Renewing
    it with the first response of each day keeps the same sliding lifetime.
    """

    RENEWED = "_renewed"

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        return (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
                and session.get(self.RENEWED) != _today())

    def save_session(self, app: Flask, session, response) -> None:
        if session.permanent and session and session.get(self.RENEWED) != _today():
            session[self.RENEWED] = _today()
        super().save_session(app, session, response)


def _today() -> str:
    return utcnow().date().isoformat()


def init_login(app: Flask) -> None:
    app.session_interface = DailyRenewedSessions()
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
