"""Registration, sign-in and passwords for people who sign in with a phone number."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import flask
import pytest
from flask_login import LoginManager, current_user
from sqlalchemy import select

from lms import create_app
from lms.accounts import loader, service
from lms.accounts.models import User
from lms.accounts.passwords import password_problem
from lms.accounts.service import AccountError, normalize_phone
from lms.accounts.sign_ins import start_sign_in
from lms.audit.models import AuditEvent
from lms.extensions import db, login_manager
from tests.conftest import EXTERNAL_DATABASE, PASSWORD


@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "008613812345678",
                                   "１３８１２３４５６７８"])
def test_phone_numbers_are_stored_in_one_form(typed):
    assert normalize_phone(typed) == "13812345678"


@pytest.mark.parametrize("typed", ["", "12345", "23812345678", "1381234567", "138123456789", "abc"])
def test_bad_phone_numbers_are_refused(typed):
    with pytest.raises(AccountError):
        normalize_phone(typed)


@pytest.mark.parametrize(("password", "problem"), [
    ("short1", "too_short"), ("12345678", "too_common"), ("88888888", "too_common"),
    ("woaini1314", "too_common"), ("aaaaaaaaa", "too_common"), ("98765432", "too_common"),
    ("x13812345678x", "contains_phone"), ("chairs from beishan", None),
])
def test_password_rules(password, problem):
    assert password_problem(password, phone="13812345678") == problem


def test_registration_stores_an_argon2id_hash_and_a_chinese_name(client):
    response = client.post("/register", data={"phone": "13812345678", "display_name": " 吕  𠮷䶮 ",
                                              "password": "folding-chairs-88", "confirm": "folding-chairs-88"})
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.display_name == "吕 𠮷䶮"
    assert user.password_hash.startswith("$argon2id$")
    assert "folding-chairs-88" not in user.password_hash


def test_registration_errors_are_shown_next_to_their_fields(client, trainee):
    response = client.post("/register", data={"phone": trainee.phone, "display_name": "",
                                              "password": "123456", "confirm": "654321"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="display_name-error"' in html
    assert re.search(r'aria-describedby="[^"]*\bdisplay_name-error"', html)
    assert "至少要 8 个字符" in html
    assert "两次输入的密码不一样" in html
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def register(client, phone, name="另一个人"):
    return client.post("/register", data={"phone": phone, "display_name": name, "password": "another-good-one",
                                          "confirm": "another-good-one"})


def test_registering_a_taken_number_answers_like_a_new_one_and_confirms_nothing(client, trainee, monkeypatch):
    """A stranger must not learn from /register whose number has an account: same status, same Argon2 work."""
    from lms.accounts import service

    hashed = []
    real_hash = service.hash_password
    monkeypatch.setattr(service, "hash_password", lambda password: hashed.append(password) or real_hash(password))
    taken = register(client, trainee.phone)
    fresh = register(app_client := client.application.test_client(), "13912345678")
    assert taken.status_code == fresh.status_code == 302
    assert hashed == ["another-good-one", "another-good-one"]  # the slow part runs for both
    page = client.get(taken.headers["Location"]).get_data(as_text=True)
    assert "如果号码是你的" in page and "已经注册" not in page and "已有账号" not in page
    assert db.session.scalar(select(db.func.count(User.id))) == 2  # the trainee and the new number only
    assert app_client.get("/my").status_code == 200 and client.get("/my").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.registration_refused"))
    assert event.target_id == trainee.id and event.actor_id is None


def test_a_deactivated_account_cannot_sign_in_and_its_session_ends(client, auth, make_user):
    user = make_user()
    auth.login(user)
    assert client.get("/my").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/my").status_code == 302
    assert auth.login(user).status_code == 400


def session_cookie(response) -> str | None:
    return next((value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")), None)


def test_a_kept_session_cookie_is_renewed_with_the_first_page_of_a_day_not_with_every_page(client, auth, trainee,
                                                                                          monkeypatch):
    assert session_cookie(auth.login(trainee, remember="y"))
    assert client.get("/my").status_code == 200
    assert session_cookie(client.get("/my")) is None  # the rest of the day: no cookie re-sent

    monkeypatch.setattr(loader, "_today", lambda: "2999-01-01")  # the next day the trainee comes back
    renewed = session_cookie(client.get("/my"))
    assert renewed is not None
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", renewed).group(1))
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)
    assert session_cookie(client.get("/my")) is None
    assert client.get("/my").status_code == 200  # still signed in


def test_a_new_password_ends_other_sessions_and_remember_me_cookies(app, auth, trainee):
    phone_one, phone_two = app.test_client(), app.test_client()
    phone_one.post("/login", data={"phone": trainee.phone, "password": PASSWORD, "remember": "y"})
    phone_two.post("/login", data={"phone": trainee.phone, "password": PASSWORD})
    response = phone_two.post("/account/password", data={"current": PASSWORD, "password": "new-chairs-2025",
                                                          "confirm": "new-chairs-2025"})
    assert response.status_code == 302
    assert phone_two.get("/my").status_code == 200  # the phone that changed it stays signed in
    assert phone_one.get("/my").status_code == 302
    phone_one.delete_cookie("session")  # only the remember-me cookie is left: it is dead too
    assert phone_one.get("/my").status_code == 302
    old = app.test_client().post("/login", data={"phone": trainee.phone, "password": PASSWORD})
    assert old.status_code == 400


def test_a_pages_user_joins_the_pages_database_session_so_a_change_to_it_is_saved(app, trainee):
    """Pages read their user directly, outside the session; once a page uses its session, the user is in it."""
    start_sign_in(trainee)
    session_id, trainee_id = trainee.get_id(), trainee.id
    db.session.commit()
    db.session.remove()  # a request starts with a session of its own
    with app.test_request_context("/my", method="GET"):
        flask.session["_user_id"] = session_id
        user = current_user._get_current_object()
        assert user.display_name == "吕振鸿" and user not in db.session
        assert db.session.get(User, trainee_id) is user  # the first query of the page brings it in
        user.locale = "en"
        db.session.commit()
    db.session.remove()
    assert db.session.get(User, trainee_id).locale == "en"


def test_a_new_secret_key_ends_every_session(app, client, auth, trainee):
    auth.login(trainee)
    assert client.get("/my").status_code == 200
    app.secret_key = "a-new-secret-after-a-leak"
    assert client.get("/my").status_code == 302


def test_a_session_follows_a_phone_across_networks_without_hashing_its_address(app, client, auth, trainee,
                                                                              monkeypatch):
    auth.login(trainee)
    hashed = []
    real = login_manager._session_identifier_generator
    monkeypatch.setattr(login_manager, "_session_identifier_generator", lambda: hashed.append(1) or real())
    for address, browser in (("10.1.2.3", "Android 10"), ("172.16.0.9", "Android 10; another app")):
        response = client.get("/my", environ_base={"REMOTE_ADDR": address}, headers={"User-Agent": browser})
        assert response.status_code == 200
    assert hashed == []
    with client.session_transaction() as session:
        assert session["_fresh"] is True
    assert "_session_protection_failed" in vars(LoginManager)  # the method Cunke's login manager replaces


@pytest.mark.app_config(SESSION_PROTECTION="strong")
def test_session_protection_still_works_when_configured(client, auth, trainee):
    auth.login(trainee, remember="y")
    client.get("/my", headers={"User-Agent": "the same cookie in another browser"})
    with client.session_transaction() as session:
        assert session["_fresh"] is False  # Flask-Login's verdict for a permanent session


def open_session(app, cookie: str):
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        return app.session_interface.open_session(app, flask.request)


def test_a_session_cookie_is_verified_once_per_process_yet_still_expires(app, client, auth, trainee, monkeypatch):
    auth.login(trainee)
    client.get("/my")  # its first form adds a CSRF secret: a new cookie, which the next page verifies
    client.get("/my")
    serializer = app.session_interface.get_signing_serializer(app)
    verifications = []
    real_loads = serializer.loads
    monkeypatch.setattr(serializer, "loads", lambda *args, **kwargs: verifications.append(1) or real_loads(
        *args, **kwargs))
    assert client.get("/my").status_code == 200
    assert client.get("/my").status_code == 200
    assert verifications == []

    later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(loader, "time", lambda: later)  # the same cookie, sent after its lifetime
    assert client.get("/my").status_code == 302


def test_a_kept_session_is_copied_for_each_request(app):
    cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": "7:abc", "lang": "zh"})
    first = open_session(app, cookie)
    first["_user_id"] = "8:changed"
    assert open_session(app, cookie)["_user_id"] == "7:abc"

    with_list = app.session_interface.get_signing_serializer(app).dumps({"_flashes": [["info", "Saved"]]})
    first = open_session(app, with_list)
    first["_flashes"].append(["info", "Saved again"])  # as flash() changes the list in place
    assert open_session(app, with_list)["_flashes"] == [["info", "Saved"]]


def test_a_tampered_session_cookie_is_an_empty_session(app):
    cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": "7:abc"})
    assert open_session(app, cookie)["_user_id"] == "7:abc"
    assert dict(open_session(app, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))) == {}


def test_the_generated_secret_key_is_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from lms.config import load_secret_key

    key = load_secret_key(tmp_path)
    assert len(key) >= 64
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600
    assert load_secret_key(tmp_path) == key


def test_forwarded_headers_are_ignored_unless_a_proxy_is_configured(tmp_path):
    def remote_addr(app) -> str:
        @app.route("/whoami")
        def whoami():
            from flask import request

            return request.remote_addr

        whoami.access_rule = "public"
        return app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"}).get_data(as_text=True)

    base = {"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}
    assert remote_addr(create_app(base)) == "127.0.0.1"
    assert remote_addr(create_app({**base, "LMS_TRUSTED_PROXIES": 1})) == "203.0.113.9"


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024)
def test_an_oversized_post_gets_a_clear_413(client):
    response = client.post("/login", data={"phone": "1" * 5000, "password": "x"})
    assert response.status_code == 413
    assert "文件太大了" in response.get_data(as_text=True)


@pytest.mark.skipif(bool(EXTERNAL_DATABASE), reason="SQLite's single write lock")
def test_checking_a_password_does_not_hold_the_database_write_lock(app, client, trainee, monkeypatch):
    """Argon2 takes about 0.2 s; a workshop signing in at once must not stop everyone else's writes."""
    checking, may_finish = threading.Event(), threading.Event()
    real_verify = service.verify_password

    def slow_verify(stored_hash, password):
        checking.set()
        may_finish.wait(10)
        return real_verify(stored_hash, password)

    monkeypatch.setattr(service, "verify_password", slow_verify)
    answers, phone, trainee_id = [], trainee.phone, trainee.id

    def sign_in():
        with app.app_context():
            answers.append(client.post("/login", data={"phone": phone, "password": PASSWORD}).status_code)

    signing_in = threading.Thread(target=sign_in)
    db.session.commit()
    signing_in.start()
    try:
        assert checking.wait(10)
        other = sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), timeout=0.5)
        other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if the sign-in still held the lock
        other.execute("UPDATE user SET village = '南山村' WHERE id = ?", (trainee_id,))
        other.commit()
        other.close()
    finally:
        may_finish.set()
        signing_in.join(10)
    assert answers == [302]


@pytest.mark.parametrize(("role", "landing"), [("trainee", "/my"), ("instructor", "/workshops/"),
                                               ("admin", "/admin/reports/")])
def test_each_role_lands_where_its_day_starts(client, auth, make_user, role, landing):
    user = make_user(role)
    assert auth.login(user).headers["Location"] == landing
    assert client.get("/login").headers["Location"] == landing  # signed in already: the same place
