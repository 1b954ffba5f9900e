"""What a rate-limit check costs with the counters every worker shares, next to a sign-in.

    .venv/bin/python -m benchmarks.ratelimits          # or `make bench`

A sign-in checks two limits (per address and per account), each one increment. This times
`incr` of the `database://` store (lms/rate_limits.py) on SQLite (its side file) and on a scratch
PostgreSQL database, against the per-process `memory://` store it replaced, and prints each as a
share of one Argon2id password check. Target: a shared check under 1 ms, so the two checks of a
sign-in cost under 1 % of its password check.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks._support import scratch_postgres

INCREMENTS = 3_000
TARGET_MS = 1.0


def _per_check_ms(storage) -> float:
    keys = [f"LIMITER/bench/{n % 300}" for n in range(INCREMENTS)]  # 300 accounts, 10 tries each
    started = time.perf_counter()
    for key in keys:
        storage.incr(key, 60)
    return (time.perf_counter() - started) / INCREMENTS * 1000


def _password_check_ms() -> float:
    from lms.accounts.passwords import hash_password, verify_password

    stored = hash_password("bench-village-2024")
    started = time.perf_counter()
    for _ in range(5):
        verify_password(stored, "bench-village-2024")
    return (time.perf_counter() - started) / 5 * 1000


def main(argv: list[str]) -> int:
    from limits.storage import MemoryStorage

    from lms.extensions import db
    from lms.rate_limits import DatabaseStorage, rate_limit_counter

    results = {"memory:// (one worker's own count)": _per_check_ms(MemoryStorage())}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = DatabaseStorage("database://", database_url=f"sqlite:///{Path(folder) / 'cunke.sqlite3'}")
        results["database:// on SQLite (side file)"] = _per_check_ms(sqlite)
        sqlite.dispose(close=True)
    with scratch_postgres() as url:
        if url:
            postgres = DatabaseStorage("database://", database_url=url)
            rate_limit_counter.create(postgres.engine)
            assert db.metadata is rate_limit_counter.metadata
            results["database:// on PostgreSQL"] = _per_check_ms(postgres)
            postgres.dispose(close=True)
        else:
            print("PostgreSQL: no server reachable, skipped")
    password_ms = _password_check_ms()
    memory_ms = next(iter(results.values()))
    print(f"{INCREMENTS} increments over 300 keys; one Argon2id password check: {password_ms:.0f} ms")
    missed = False
    for name, ms in results.items():
        print(f"  {name:40s} {ms * 1000:8.0f} µs a check  {ms / memory_ms:6.1f}× memory  "
              f"two checks = {2 * ms / password_ms:.2%} of a password check")
        missed |= ms > TARGET_MS
    print(f"target: a shared check under {TARGET_MS:.0f} ms: {'missed' if missed else 'met'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
