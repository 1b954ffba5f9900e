"""One-time sign-in links on printed cards: work once, expire, are revoked by a newer card, force a password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import SignInToken, User
from lms.accounts.signin_links import issue_reset_code, issue_sign_in_link, link_token_hash
from lms.audit.models import AuditEvent
from lms.database import utcnow
from lms.extensions import db
from tests.conftest import PASSWORD

NEW_PASSWORD = "beishan-orchard-7"


@pytest.fixture
def instructor(make_user):
    return make_user("instructor", name="王老师")


@pytest.fixture
def newcomer(make_user):
    """An imported trainee: no password yet."""
    user = make_user(name="韦秀英")
    user.password_hash = ""
    db.session.commit()
    return user


def issue(user, actor, **kwargs) -> str:
    token = issue_sign_in_link(user, actor, **kwargs)
    db.session.commit()
    return token


def sign_in_with(client, token):
    return client.post(f"/signin/{token}")


def test_a_card_signs_in_once_and_asks_for_a_password(client, newcomer, instructor):
    token = issue(newcomer, instructor)
    page = client.get(f"/signin/{token}").get_data(as_text=True)
    assert "韦秀英" in page and 'method="post"' in page
    response = sign_in_with(client, token)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/choose-password")

    # Every page leads to "choose a password" until one is chosen.
    assert client.get("/my").headers["Location"].endswith("/account/choose-password")
    assert client.get("/courses/shop-basics/").status_code == 302
    response = client.post("/account/choose-password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/my")
    assert client.get("/my").status_code == 200

    client.post("/logout")
    assert sign_in_with(client, token).status_code == 404  # used up
    assert client.post("/login", data={"phone": newcomer.phone, "password": NEW_PASSWORD}).status_code == 302
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["account.sign_in_link_issued", "account.sign_in_link_used", "account.password_chosen"]


def test_opening_a_card_link_does_not_use_it_up(client, newcomer, instructor):
    token = issue(newcomer, instructor)
    for _ in range(3):  # a chat app's link preview, a second look…
        assert client.get(f"/signin/{token}").status_code == 200
    assert sign_in_with(client, token).status_code == 302


def test_the_chosen_password_follows_the_usual_rules(client, newcomer, instructor):
    sign_in_with(client, issue(newcomer, instructor))
    response = client.post("/account/choose-password", data={"password": "12345678", "confirm": "12345678"})
    assert response.status_code == 400 and "太容易被猜到" in response.get_data(as_text=True)
    response = client.post("/account/choose-password",
                           data={"password": f"a{newcomer.phone}", "confirm": f"a{newcomer.phone}"})
    assert response.status_code == 400
    assert db.session.get(User, newcomer.id).password_hash == ""


def test_an_expired_card_does_not_work(client, newcomer, instructor):
    token = issue(newcomer, instructor, days=14, now=utcnow() - timedelta(days=15))
    assert client.get(f"/signin/{token}").status_code == 404
    response = sign_in_with(client, token)
    assert response.status_code == 404 and "这张登录卡不能用了" in response.get_data(as_text=True)
    assert client.get("/my").status_code == 302  # not signed in


def test_a_newer_card_or_code_revokes_the_older_card(client, newcomer, instructor):
    old = issue(newcomer, instructor)
    new = issue(newcomer, instructor)
    assert sign_in_with(client, old).status_code == 404
    assert sign_in_with(client, new).status_code == 302
    client.post("/logout")

    third = issue(newcomer, instructor)
    issue_reset_code(newcomer, instructor)
    db.session.commit()
    assert sign_in_with(client, third).status_code == 404


def test_changing_the_password_voids_a_card_not_yet_used(app, client, auth, trainee, instructor):
    card = issue(trainee, instructor)  # printed, then lost on the way home
    auth.login(trainee)
    response = client.post("/account/password", data={"current": PASSWORD, "password": "new-chairs-2025",
                                                        "confirm": "new-chairs-2025"})
    assert response.status_code == 302
    finder = app.test_client()
    assert sign_in_with(finder, card).status_code == 404
    assert finder.get("/my").status_code == 302  # the finder is not signed in


def test_only_a_hash_of_the_token_is_stored(app, newcomer, instructor):
    token = issue(newcomer, instructor)
    stored = db.session.scalar(select(SignInToken))
    assert stored.token_hash == link_token_hash(token) and token not in stored.token_hash
    assert len(token) >= 40


def test_a_card_of_a_switched_off_account_does_not_work(client, newcomer, instructor):
    token = issue(newcomer, instructor)
    newcomer.active = False
    db.session.commit()
    assert sign_in_with(client, token).status_code == 404


def test_a_card_signs_out_whoever_was_signed_in_on_a_shared_phone(client, auth, make_user, newcomer, instructor):
    auth.login(make_user(name="另一个学员"))
    sign_in_with(client, issue(newcomer, instructor))
    page = client.get("/account/choose-password").get_data(as_text=True)
    assert "韦秀英" in page and "另一个学员" not in page


def test_on_a_shared_phone_the_next_card_works_before_the_first_trainee_chose_a_password(
        client, make_user, newcomer, instructor):
    second = make_user(name="第二个学员")
    first_card, second_card = issue(newcomer, instructor), issue(second, instructor)
    sign_in_with(client, first_card)  # and the phone is handed on without choosing a password
    assert client.get(f"/signin/{second_card}").status_code == 200
    sign_in_with(client, second_card)
    assert "第二个学员" in client.get("/account/choose-password").get_data(as_text=True)


def test_unknown_tokens_are_not_found(client):
    assert client.get("/signin/not-a-real-token").status_code == 404
    assert client.post("/signin/" + "x" * 300).status_code == 404
