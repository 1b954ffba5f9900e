"""Flask-Login wiring: the session holds "user id:sign-in token", checked against the server on every request."""

from __future__ import annotations

from dataclasses import dataclass
from time import time

from flask import Flask, g, has_request_context
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, event, inspect, select
from sqlalchemy.orm import Session

from lms.accounts.models import SignIn, User
from lms.accounts.sign_ins import parse_cookie_value, token_hash
from lms.database import transaction_writes, utcnow
from lms.extensions import db, login_manager
from lms.kept import KeptCopies
from lms.reads import DirectRead, detached

VERIFIED_COOKIES = 4096  # session cookies one process keeps verified

# Built once: these run on every signed-in request. One statement reads the user and checks the sign-in.
_SIGNED_IN = (SignIn.user_id == bindparam("user_id"), SignIn.token_hash == bindparam("token_hash"),
              SignIn.ended_at.is_(None), SignIn.expires_at > bindparam("now"))
_USER_BY_SIGN_IN = select(User).join(SignIn, SignIn.user_id == User.id).where(*_SIGNED_IN)
_USER_ROW = DirectRead(select(*User.__table__.columns).join(SignIn, SignIn.user_id == User.id).where(*_SIGNED_IN))


def load_user(session_id: str) -> User | None:
    """The user of a sign-in that is still open: signing out, a new password or a closed account end it.

    A request that writes loads the user in its own transaction. A read-only request (most pages)
    reads the row directly and gets the user outside any session; it joins the request's
    session as soon as that session starts (`_attach_signed_in_user`).
    """
    parsed = parse_cookie_value(session_id)
    if parsed is None:
        return None
    user_id, token = parsed
    parameters = {"user_id": user_id, "token_hash": token_hash(token), "now": utcnow()}
    if transaction_writes():
        user = db.session.execute(_USER_BY_SIGN_IN, parameters).scalar_one_or_none()
    else:
        row = _USER_ROW.first(**parameters)
        user = detached(User, row) if row is not None else None
    if user is None or not user.active:
        return None
    user.sign_in_cookie = session_id
    return user


@event.listens_for(Session, "after_begin")
def _attach_signed_in_user(session: Session, transaction, connection) -> None:
    """Once a read-only request uses its session, its user read directly belongs to it: a change
    to the user is saved on commit, and a query for the same user returns the same object."""
    if not has_request_context():
        return
    user = g.get("_login_user")  # where Flask-Login keeps the request's user once loaded
    if not isinstance(user, User):
        return
    state = inspect(user)
    if state.detached and state.key not in session.identity_map:
        session.add(user)


class DailyRenewedSessions(SecureCookieSessionInterface):
    """A signed-in session lasts 31 days from the last day it was used, renewed once a day.

    Flask renews a permanent session's cookie on every response; that is a signature computed
    and about 300 bytes sent with every page, which a phone on a weak signal pays for. Renewing
    it with the first response of each day keeps the same sliding lifetime.

    A browser sends the same cookie with every page of a day, and checking its signature and
    decoding it cost a sixth of a lesson page. So each process keeps the cookies it has verified
    (with the time they were signed, for the age check) until the keys change.
    """

    RENEWED = "_renewed"

    def __init__(self):
        self._signing: _Signing | None = None

    def _signing_for(self, app: Flask) -> _Signing:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._signing is None or self._signing.keys != keys:
            self._signing = _Signing(keys, super().get_signing_serializer(app), KeptCopies())
        return self._signing

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, built once per key instead of twice for every request."""
        return self._signing_for(app).serializer

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        """Flask's, verifying and decoding each cookie once per process."""
        signing = self._signing_for(app)
        if signing.serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        kept = signing.verified.get(cookie)
        if kept is None:
            try:
                values, signed_at = signing.serializer.loads(cookie, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            # Only flat values: a list or dict in one request's session must not change the kept copy.
            if all(isinstance(value, _FLAT) for value in values.values()):
                signing.verified.put(cookie, (int(signed_at.timestamp()), values), VERIFIED_COOKIES)
            return self.session_class(values)
        signed_at, values = kept
        if not 0 <= int(time()) - signed_at <= max_age:  # as itsdangerous checks a cookie's age
            return self.session_class()
        return self.session_class(values)  # a copy: the kept values stay as they were signed

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        return (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
                and session.get(self.RENEWED) != _today())

    def save_session(self, app: Flask, session, response) -> None:
        if session.permanent and session and session.get(self.RENEWED) != _today():
            session[self.RENEWED] = _today()
        super().save_session(app, session, response)


@dataclass(frozen=True)
class _Signing:
    keys: tuple
    serializer: URLSafeTimedSerializer | None
    verified: KeptCopies[tuple[int, dict]]  # cookie -> (signed at, its values)


_FLAT = (str, int, float, bool, type(None))


def _today() -> str:
    return utcnow().date().isoformat()


def init_login(app: Flask) -> None:
    app.session_interface = DailyRenewedSessions()
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    # Flask-Login's session protection would hash the visitor's address and browser on every
    # request only to mark a permanent session "not fresh" when they change, which phones moving
    # between networks do all day; nothing here asks for a fresh sign-in. A stolen or old session
    # ends on the server instead (sign out, "sign out everywhere", a new password: `load_user`).
    login_manager.session_protection = None
