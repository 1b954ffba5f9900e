"""The dataset generator: `flask --app app dev seed --trainees 100000 --cohorts 200`, timed.

    .venv/bin/python -m benchmarks.seeding             # or `make bench`, which runs every benchmark
    .venv/bin/python -m benchmarks.seeding --trainees 20000 --runs 1 --no-postgresql   # a quick run

Runs the command as an administrator would, in a fresh process on a fresh database (schema
and the bundled course catalog prepared first, not timed), and reports the wall time, rows
written per second and the database size; on SQLite the median of `--runs` runs, on PostgreSQL
one run in a scratch database. Target: 100,000 trainees in under 3 minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from benchmarks._support import (
    BIN,
    ROOT,
    SECRET,
    load_average,
    machine,
    median,
    postgres_server_url,
    prepare_database,
    scratch_postgres,
)

TARGET_SECONDS = 180


def seed_once(url: str, trainees: int, cohorts: int) -> dict:
    from lms.extensions import db

    app = prepare_database(url)
    with app.app_context():
        db.engine.dispose()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "DATABASE_URL"))},
           "DATABASE_URL": url, "SECRET_KEY": SECRET}
    started = time.perf_counter()
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "app", "dev", "seed", "--trainees", str(trainees), "--cohorts", str(cohorts)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"flask dev seed failed:\n{result.stdout}\n{result.stderr[-2000:]}")
    summary = re.search(r"Generated (.+?) in [\d.]+ s \(([\d,]+) rows/s\)", result.stdout)
    with app.app_context():
        from sqlalchemy import text

        if url.startswith("sqlite"):
            size = Path(url.removeprefix("sqlite:///")).stat().st_size
        else:
            size = db.session.execute(text("SELECT pg_database_size(current_database())")).scalar()
        db.session.remove()
        db.engine.dispose()
    return {"seconds": seconds, "summary": summary.group(1) if summary else result.stdout.strip(),
            "rows_per_second": int(summary.group(2).replace(",", "")) if summary else 0, "size": size}


def report(label: str, runs: list[dict] | None, trainees: int) -> bool:
    if runs is None:
        print(f"seeding: {label:<10} skipped: no PostgreSQL server at {postgres_server_url()}")
        return True
    seconds = median([r["seconds"] for r in runs])
    print(f"seeding: {label:<10} {trainees:,} trainees in {seconds:6.1f} s (median of {len(runs)}, whole command) "
          f"= {median([r['rows_per_second'] for r in runs]):,.0f} rows/s while writing; "
          f"database {runs[0]['size'] / 1_048_576:,.0f} MB")
    print(f"seeding: {label:<10} {runs[0]['summary']}")
    return seconds * 100_000 / trainees < TARGET_SECONDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seeding", description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=100_000)
    parser.add_argument("--cohorts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="runs on SQLite (default 3)")
    parser.add_argument("--no-postgresql", dest="postgresql", action="store_false")
    args = parser.parse_args(argv)
    print(f"seeding: {machine()}; load average {load_average()}")
    sqlite = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="cunke-bench-") as folder:
            sqlite.append(seed_once(f"sqlite:///{Path(folder) / f'seed{run}.sqlite3'}", args.trainees, args.cohorts))
    with scratch_postgres() if args.postgresql else nullcontext(None) as postgres_url:
        postgres = [seed_once(postgres_url, args.trainees, args.cohorts)] if postgres_url else None
    ok = report("SQLite", sqlite, args.trainees)
    ok = report("PostgreSQL", postgres, args.trainees) and ok
    print(f"seeding: {'target met' if ok else 'TARGET MISSED'} (100,000 trainees in under {TARGET_SECONDS} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
