"""Signing out on a shared phone ends the sign-in on the server: the next person, and any copied
cookie, is signed out too. "Keep me signed in" is off unless ticked, and every sign-in can be ended."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from lms.accounts.models import SignIn
from lms.accounts.sign_ins import MAX_ACTIVE_SIGN_INS, describe_browser
from lms.extensions import db
from tests.conftest import PASSWORD

PHONE_BROWSER = {"User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537"}


def signed_in(client) -> bool:
    return client.get("/my").status_code == 200


def copy_cookies(source, target) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_signing_out_after_keep_me_signed_in_leaves_the_phone_signed_out(app, client, auth, trainee):
    auth.login(trainee, remember="y")
    assert signed_in(client)
    thief = app.test_client()
    copy_cookies(client, thief)  # someone copied the cookies before the trainee signed out
    assert signed_in(thief)

    response = auth.logout()
    assert response.status_code == 302
    assert not signed_in(client)  # the next person on this phone
    assert not signed_in(thief)  # and any copy of the cookie
    assert db.session.scalar(select(SignIn.ended_at)) is not None


def test_sign_out_deletes_an_old_remember_me_cookie_too(client, auth, trainee):
    client.set_cookie("remember_token", "1:old")
    auth.login(trainee)
    deleted = [c for c in auth.logout().headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert deleted and "Expires=Thu, 01 Jan 1970" in deleted[0]


def test_keep_me_signed_in_is_off_by_default_and_says_not_to_tick_it_on_a_shared_phone(app, client, trainee):
    page = client.get("/login").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="remember"[^>]*>', page).group(0)
    assert "checked" not in box
    assert "公用的手机或电脑上不要勾" in page

    response = client.post("/login", data={"phone": trainee.phone, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Expires=" not in cookie  # ends with the browser
    ticked = app.test_client().post("/login", data={"phone": trainee.phone, "password": PASSWORD, "remember": "y"})
    assert "Expires=" in next(c for c in ticked.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_a_sign_in_without_keep_me_signed_in_ends_on_the_server_after_twelve_hours(client, auth, trainee):
    auth.login(trainee)
    sign_in = db.session.scalar(select(SignIn))
    assert timedelta(hours=11) < sign_in.expires_at - sign_in.created_at <= timedelta(hours=12)
    assert signed_in(client)
    db.session.execute(update(SignIn).values(expires_at=sign_in.created_at))  # twelve hours later
    assert not signed_in(client)


def test_a_trainee_sees_where_they_are_signed_in_and_ends_the_others(app, client, auth, trainee):
    other_phone = app.test_client()
    other_phone.post("/login", data={"phone": trainee.phone, "password": PASSWORD}, headers=PHONE_BROWSER)
    auth.login(trainee)
    page = client.get("/account/sign-ins").get_data(as_text=True)
    assert "安卓手机" in page and "就是这台" in page
    assert page.count("登录时间") == 2

    client.post("/account/sign-ins", data={"which": "others"})
    assert not signed_in(other_phone)
    assert signed_in(client)

    client.post("/account/sign-ins", data={"which": "everywhere"})
    assert not signed_in(client)


def test_one_sign_in_can_be_ended_but_only_ones_own(app, client, auth, trainee, make_user):
    lost_phone = app.test_client()
    lost_phone.post("/login", data={"phone": trainee.phone, "password": PASSWORD})
    lost = db.session.scalar(select(SignIn.id))
    someone = make_user(name="别人")
    auth.login(someone)
    client.post("/account/sign-ins", data={"which": str(lost)})
    assert signed_in(lost_phone)  # not theirs to end
    auth.logout()
    auth.login(trainee)
    client.post("/account/sign-ins", data={"which": str(lost)})
    assert not signed_in(lost_phone)
    assert signed_in(client)


def test_ending_a_sign_in_no_row_could_have_ends_nothing(app, client, auth, trainee):
    other_phone = app.test_client()
    other_phone.post("/login", data={"phone": trainee.phone, "password": PASSWORD})
    auth.login(trainee)
    for which in ("2147483648", "9223372036854775808", "9" * 12, "0", "-1"):
        assert client.post("/account/sign-ins", data={"which": which}).status_code in (200, 302), which
    assert signed_in(other_phone) and signed_in(client)


def test_a_new_password_ends_every_other_sign_in_at_once(app, client, auth, trainee):
    other = app.test_client()
    other.post("/login", data={"phone": trainee.phone, "password": PASSWORD, "remember": "y"})
    auth.login(trainee)
    client.post("/account/password", data={"current": PASSWORD, "password": "new-chairs-2025",
                                           "confirm": "new-chairs-2025"})
    assert signed_in(client) and not signed_in(other)


def test_old_sign_ins_end_when_a_person_has_too_many_open(app, trainee):
    from lms.accounts.sign_ins import start_sign_in

    for _ in range(MAX_ACTIVE_SIGN_INS + 3):
        start_sign_in(trainee)
    db.session.commit()
    assert db.session.scalar(select(db.func.count(SignIn.id)).where(SignIn.ended_at.is_(None))) == MAX_ACTIVE_SIGN_INS


def test_a_cookie_with_a_made_up_or_ended_token_signs_nobody_in(app, client, auth, trainee):
    auth.login(trainee)
    with client.session_transaction() as session:
        session["_user_id"] = f"{trainee.id}:{'x' * 43}"
    assert not signed_in(client)
    with client.session_transaction() as session:
        session["_user_id"] = str(trainee.id)  # the shape of an id alone
    assert not signed_in(client)


def test_browsers_are_described_in_a_few_words():
    assert describe_browser(PHONE_BROWSER["User-Agent"]) == ("android", "chrome")
    wechat = "Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 Chrome/107 Mobile Safari/537.36 MicroMessenger/8.0"
    assert describe_browser(wechat) == ("android", "wechat")
    assert describe_browser("") == ("other", "other")
