"""Several app servers share their sign-in limits through Redis, and survive Redis going away.

With LMS_RATELIMIT_STORAGE_URI=redis://..., a password guesser gains nothing by spreading tries
over the app servers behind the proxy: the count is one. Redis is needed for the first test:
it is skipped with the reason when Redis is unreachable, unless LMS_REQUIRE_SERVICES=1 (CI),
which makes that a failure.
"""

from __future__ import annotations

import os
import random

import pytest

from tests.conftest import PASSWORD
from tests.production.live import Trainee, free_port

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        reason = f"Redis is not reachable at {REDIS_URL} ({error}); start it with `redis-server --daemonize yes`"
        client.close()
        if os.environ.get("LMS_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (LMS_REQUIRE_SERVICES=1 makes this a failure)")
        pytest.skip(reason)
    before = set(client.scan_iter(match="LIMIT*", count=1000))
    yield client
    created = set(client.scan_iter(match="LIMIT*", count=1000)) - before
    if created:
        client.delete(*created)
    client.close()


@pytest.mark.slow
def test_two_app_servers_count_sign_in_tries_together_in_redis(deployment, gunicorn, redis_client):
    (phone,) = deployment.add_trainees(1, first=random.randint(10_000_000, 99_999_999))  # its own Redis keys
    settings = {"LMS_RATELIMIT_ENABLED": "1", "LMS_RATELIMIT_STORAGE_URI": REDIS_URL, "WEB_CONCURRENCY": "1"}
    first, second = gunicorn(deployment, **settings), gunicorn(deployment, **settings)
    on_first, on_second = Trainee(first.url, phone), Trainee(second.url, phone)
    on_first.get("/login")
    on_second.get("/login")

    for attempt in range(10):  # the limit is 10 per account per minute, whichever server is asked
        client = on_first if attempt % 2 else on_second
        assert client.post("/login", {"phone": phone, "password": "wrong-password"}).status_code == 400

    assert on_first.post("/login", {"phone": phone, "password": PASSWORD}).status_code == 429
    assert on_second.post("/login", {"phone": phone, "password": PASSWORD}).status_code == 429
    keys = [key.decode() for key in redis_client.scan_iter(match="LIMIT*", count=1000)]
    assert any(phone in key for key in keys), keys
    for client in (on_first, on_second):
        client.close()
    assert first.server_errors() == second.server_errors() == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
def test_sign_in_keeps_working_and_limited_when_redis_is_down(client, trainee):
    assert client.post("/login", data={"phone": trainee.phone, "password": PASSWORD}).status_code == 302
    client.post("/logout")
    refused = [client.post("/login", data={"phone": trainee.phone, "password": "wrong"}).status_code
               for _ in range(10)]
    assert 500 not in refused
    assert refused[-1] == 429  # each server keeps counting on its own meanwhile
