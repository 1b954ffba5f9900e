"""One server, four workers, one count: limits hold however gunicorn spreads the tries.

With the default store (`database://`, lms/rate_limits.py) every worker counts in the same table,
so "10 wrong passwords a minute per account" is 10 for the server, not 10 per worker (with the
old per-process store, 4 workers checked up to 40).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.production.live import Trainee

WORKERS = 4
SETTINGS = {"LMS_RATELIMIT_ENABLED": "1", "WEB_CONCURRENCY": str(WORKERS)}


def _start_four_workers(deployment, gunicorn):
    server = gunicorn(deployment, **SETTINGS)
    deadline = time.monotonic() + 30
    while len(server.worker_pids()) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(server.worker_pids()) == WORKERS
    return server


def _guess_all_at_once(server, phone: str, path: str, form: dict, clients: int, tries_each: int) -> list[int]:
    """`clients` browsers, each with its own CSRF token, send `tries_each` wrong tries in parallel."""
    browsers = [Trainee(server.url, phone) for _ in range(clients)]
    for browser in browsers:
        browser.get(path)

    def guess(browser: Trainee) -> list[int]:
        return [browser.post(path, form).status_code for _ in range(tries_each)]

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = [status for batch in pool.map(guess, browsers) for status in batch]
    for browser in browsers:
        browser.close()
    return statuses


@pytest.mark.slow
def test_four_workers_check_at_most_ten_wrong_passwords_a_minute_for_one_account(deployment, gunicorn):
    (phone,) = deployment.add_trainees(1)
    server = _start_four_workers(deployment, gunicorn)

    statuses = _guess_all_at_once(server, phone, "/login", {"phone": phone, "password": "wrong-password"},
                                  clients=12, tries_each=3)

    assert statuses.count(400) == 10, statuses  # checked: "wrong phone or password"
    assert statuses.count(429) == len(statuses) - 10
    assert server.server_errors() == []


@pytest.mark.slow
def test_four_workers_check_at_most_ten_wrong_reset_codes_a_minute_for_one_phone(deployment, gunicorn):
    (phone,) = deployment.add_trainees(1)
    server = _start_four_workers(deployment, gunicorn)
    form = {"phone": phone, "code": "12345678", "password": "new-pass-word-1", "confirm": "new-pass-word-1"}

    statuses = _guess_all_at_once(server, phone, "/reset", form, clients=8, tries_each=3)

    assert statuses.count(400) == 10, statuses
    assert statuses.count(429) == len(statuses) - 10
    assert server.server_errors() == []


@pytest.mark.slow
def test_four_workers_take_at_most_two_hundred_registrations_an_hour_from_one_address(deployment, gunicorn):
    server = _start_four_workers(deployment, gunicorn)
    form = {"display_name": "王芳", "phone": "13900000000", "password": "pass-word-one-1", "confirm": "another-pass-2"}

    statuses = _guess_all_at_once(server, "", "/register", form, clients=10, tries_each=21)

    assert statuses.count(400) == 200, statuses  # read, and answered "the passwords differ"
    assert statuses.count(429) == 10
    assert server.server_errors() == []
