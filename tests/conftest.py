"""Shared fixtures: an app on a fresh database, a client, users and a small bilingual course set.

Tests run on SQLite by default. With LMS_TEST_DATABASE_URL set (CI sets it to PostgreSQL), the
same tests run against that database instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from lms import create_app
from lms.accounts.models import User
from lms.accounts.passwords import hash_password
from lms.content.parser import load_catalog
from lms.content.sync import sync_catalog
from lms.extensions import db
from lms.reads import dispose_connections

FIXTURES = Path(__file__).parent / "fixtures"
COURSES = FIXTURES / "courses"
PASSWORD = "village-shop-2024"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: Argon2 is slow on purpose
EXTERNAL_DATABASE = os.environ.get("LMS_TEST_DATABASE_URL")


@pytest.fixture
def app_config(tmp_path, request) -> dict:
    """Test settings; a test may add its own with @pytest.mark.app_config(KEY=value)."""
    marker = request.node.get_closest_marker("app_config")
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": EXTERNAL_DATABASE or f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "LMS_COURSES_DIR": str(COURSES),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        **(marker.kwargs if marker else {}),
    }


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and so its own `g` and database session), as in production,
    even though the test itself holds one open for its own queries."""

    def open(self, *args, **kwargs):
        db.session.commit()  # the test's own transaction ends first, as between two real requests
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # and the test then sees what the request wrote
        return response


@pytest.fixture(autouse=True)
def english_command_line(monkeypatch):
    """Commands speak the shell's language (lms/i18n.py, cli_language): English in tests, whatever the
    developer's shell says. A test that wants Chinese passes LANG=zh_CN.UTF-8, as an administrator's shell would."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        if EXTERNAL_DATABASE:
            db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        if EXTERNAL_DATABASE:
            db.drop_all()
        dispose_connections(app, close=True)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    counter = iter(range(10_000))

    def make(role: str = "trainee", name: str | None = None, phone: str | None = None,
             village: str = "北山村", active: bool = True) -> User:
        number = next(counter)
        user = User(
            phone=phone or f"139{number:08d}",
            display_name=name or f"学员{number}",
            role=role, village=village, password_hash=_PASSWORD_HASH, active=active,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user: User, password: str = PASSWORD, **extra):
        return self.client.post("/login", data={"phone": user.phone, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def courses(app):
    """The fixture catalog, synced: shop-basics (intro) and shop-growth (requires it)."""
    sync_catalog(load_catalog(COURSES))
    db.session.commit()
    from lms.learning.progress import find_course

    return {slug: find_course(slug) for slug in ("shop-basics", "shop-growth")}


@pytest.fixture
def trainee(make_user):
    return make_user("trainee", name="吕振鸿")


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def error_next_to(html: str, field_id: str) -> str:
    """The message shown under one field of a form, as its reader sees it."""
    match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert match, f"no message next to the field {field_id}"
    return match.group(1).strip()


def sql(statement: str, **params):
    return db.session.execute(text(statement), params)
