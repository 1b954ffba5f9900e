"""Guessing is slowed down: reset codes per phone number, join codes per trainee, card links per address."""

from __future__ import annotations

import pytest

from lms import create_app
from lms.reads import dispose_connections


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


def test_reset_attempts_are_limited_per_phone_number(app, trainee):
    statuses = []
    for n in range(12):
        client = app.test_client()  # same address in tests; the phone-number limit trips at the same point
        statuses.append(client.post("/reset", data={"phone": trainee.phone, "code": f"{n:08d}",
                                                    "password": "new-pass-word-1", "confirm": "new-pass-word-1"}
                                    ).status_code)
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]


def test_card_sign_in_attempts_are_limited_per_address(client):
    statuses = [client.post(f"/signin/guess-{n}").status_code for n in range(62)]
    assert statuses[:60] == [404] * 60 and statuses[60:] == [429, 429]


def test_join_attempts_are_limited_per_trainee(client, auth, make_user):
    auth.login(make_user())
    statuses = [client.post("/join", data={"code": "AAAAAA"}).status_code for _ in range(12)]
    assert statuses[:10] == [400] * 10 and statuses[10:] == [429, 429]
    auth.logout()
    auth.login(make_user())  # another trainee on the same Wi-Fi is not blocked
    assert client.post("/join", data={"code": "AAAAAA"}).status_code == 400


def test_a_site_wide_limit_still_applies_to_every_page(app_config):
    """Views check their own limits; a site-wide limit, once configured, reaches undecorated pages too."""
    app = create_app({**app_config, "RATELIMIT_DEFAULT": "3 per minute"})
    client = app.test_client()
    statuses = [client.get("/healthz").status_code for _ in range(4)]
    dispose_connections(app, close=True)
    assert statuses == [200, 200, 200, 429]
