"""Requests and sessions: CSRF, cookies, headers, redirects, rate limits."""

from __future__ import annotations

import re
import time

import pytest

from lms import create_app, security
from tests.conftest import PASSWORD, csrf_token_from


def post_routes(app) -> list[str]:
    def sample(match: re.Match) -> str:
        return "1" if match.group(1).endswith("id") else "shop-basics"

    return [re.sub(r"<(?:[^:>]+:)?([^>]+)>", sample, rule.rule)
            for rule in app.url_map.iter_rules() if "POST" in (rule.methods or set())]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_state_changing_request_needs_a_csrf_token(app, client, auth, trainee):
    paths = post_routes(app)
    assert "/login" in paths and "/logout" in paths
    for path in paths:
        response = client.post(path, data={"phone": trainee.phone, "password": PASSWORD})
        assert response.status_code == 400, path
        assert "表单" in response.get_data(as_text=True), path  # a clear message, in Chinese


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_form_with_its_token_is_accepted(client, trainee):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"phone": trainee.phone, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_sessions_pages_share_a_token_for_a_minute_and_each_session_has_its_own(app, client, monkeypatch):
    """The token every form of a page carries, signed at most once a minute per session."""
    first = csrf_token_from(client.get("/").get_data(as_text=True))
    time.sleep(1.1)  # a token carries the second it was signed in: signed again, it would differ
    assert csrf_token_from(client.get("/").get_data(as_text=True)) == first
    other = csrf_token_from(app.test_client().get("/").get_data(as_text=True))
    assert other != first

    later = time.monotonic() + 60
    monkeypatch.setattr(security, "monotonic", lambda: later)
    renewed = csrf_token_from(client.get("/").get_data(as_text=True))
    assert renewed != first
    for token in (first, renewed):  # both still work: a form left open keeps working
        assert client.post("/language", data={"language": "en", "csrf_token": token}).status_code == 302
    assert client.post("/language", data={"language": "en", "csrf_token": other}).status_code == 400


def test_security_headers_on_every_kind_of_response(client, courses):
    for path in ("/", "/login", "/nowhere", "/healthz", "/courses/shop-basics/"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy.split("style-src")[0]
        assert "frame-ancestors 'self'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pages_have_no_inline_scripts_or_styles(client, auth, trainee, courses):
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    for path in ("/", "/courses/shop-basics/", "/courses/shop-basics/choose-product", "/my", "/login"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and "<style" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


def test_session_cookie_is_http_only_and_same_site(client, auth, trainee):
    response = auth.login(trainee, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie
    assert not any(c.startswith("remember_token=") for c in cookies)  # one cookie signs in, not two


def test_cookies_are_secure_when_served_over_https(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_HTTPS", "1")
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_sign_in_never_redirects_to_another_site(client, trainee, target):
    response = client.post(f"/login?next={target}", data={"phone": trainee.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/my"


def test_sign_in_returns_to_a_page_on_this_site(client, trainee):
    response = client.post("/login?next=/courses/shop-basics/", data={"phone": trainee.phone, "password": PASSWORD})
    assert response.headers["Location"] == "/courses/shop-basics/"


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_the_eleventh_wrong_password_in_a_minute_is_refused(client, trainee):
    for _ in range(10):
        assert client.post("/login", data={"phone": trainee.phone, "password": "wrong"}).status_code == 400
    refused = client.post("/login", data={"phone": trainee.phone, "password": PASSWORD})
    assert refused.status_code == 429
    assert "尝试次数太多" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0


def test_sign_in_does_not_tell_whether_a_phone_is_registered(client, trainee):
    known = client.post("/login", data={"phone": trainee.phone, "password": "wrong-password"})
    unknown = client.post("/login", data={"phone": "13700000000", "password": "wrong-password"})
    assert known.status_code == unknown.status_code == 400
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))


def test_signing_out_ends_the_session(client, auth, trainee):
    auth.login(trainee)
    assert client.get("/my").status_code == 200
    auth.logout()
    assert client.get("/my").status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_a_room_sharing_one_address_can_all_sign_in(client, make_user):
    """Thirty trainees behind the village hall's router sign in within the same minute."""
    trainees = [make_user() for _ in range(30)]
    for trainee in trainees:
        response = client.post("/login", data={"phone": trainee.phone, "password": PASSWORD})
        assert response.status_code == 302
        client.post("/logout")
