"""Flask-Login wiring: the session holds "id:token", so a new password ends old sessions."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.extensions import db, login_manager


def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
