"""The rate-limit counters every worker shares (`database://`, lms/rate_limits.py).

One count per key however many connections add to it at once, a fresh window once the old one has
ended, counters of a SQLite database in a file beside it, and sign-ins still limited (per worker)
when the store fails.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import OperationalError

from lms import rate_limits
from lms.rate_limits import DatabaseStorage, counters_url


@pytest.fixture
def storage(app):
    store = DatabaseStorage("database://", database_url=app.config["SQLALCHEMY_DATABASE_URI"])
    store.reset()
    yield store
    store.dispose(close=True)


def test_counters_of_a_sqlite_database_live_in_a_file_beside_it():
    assert (counters_url("sqlite:////srv/cunke/instance/cunke.sqlite3")
            == "sqlite:////srv/cunke/instance/cunke.rate-limits.sqlite3")
    assert counters_url("sqlite://") == "sqlite://"
    assert counters_url("postgresql+psycopg://cunke@db/cunke") == "postgresql+psycopg://cunke@db/cunke"


def test_tries_sent_at_once_from_many_connections_are_each_counted_once(storage):
    def tries(_) -> list[int]:
        return [storage.incr("LIMITER/login/one-account", 60) for _ in range(25)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = [count for batch in pool.map(tries, range(8)) for count in batch]

    assert sorted(counts) == list(range(1, 201))  # no two tries ever saw the same count
    assert storage.get("LIMITER/login/one-account") == 200


def test_a_window_starts_afresh_once_the_old_one_has_ended(storage, monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(rate_limits.time, "time", lambda: now[0])
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get_expiry("k") == 1_000_060.0

    now[0] += 61
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1
    assert storage.get_expiry("k") == 1_000_121.0


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_when_the_store_fails_sign_ins_still_work_and_stay_limited(app, client, trainee, monkeypatch, caplog):
    def broken(self):
        raise OperationalError("INSERT INTO rate_limit_counter", {}, Exception("disk I/O error"))

    monkeypatch.setattr(DatabaseStorage, "engine", property(broken))
    statuses = [client.post("/login", data={"phone": trainee.phone, "password": "wrong"}).status_code
                for _ in range(11)]
    assert statuses == [400] * 10 + [429]  # counted in this worker's memory until the store is back
