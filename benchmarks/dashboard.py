"""The cohort dashboard for 300 trainees × 40 items: time and SQL query count, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.dashboard           # or `make bench`, which runs every benchmark
    .venv/bin/python -m benchmarks.dashboard --repeat 3 --no-postgresql   # a quick run

Builds a workshop of 300 trainees following four courses of the bundled catalog (40 items in
all), with the progress real trainees leave (most items done by some, few by others, quiz
scores), then measures in a warm process, each figure the median of `--repeat` runs:

* `build_grid` (lms/cohorts/dashboard.py), which computes the 12,000 cells;
* the instructor's progress page (GET /workshops/<id>/progress) and its CSV download, through the
  application, signed in as the workshop's instructor;
* the SQL statements each one sends (BEGIN and the connection check not counted), and the same
  for a workshop of 30 trainees: the count must not grow with the number of trainees.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path

from benchmarks._support import load_average, machine, median, postgres_server_url, prepare_database, scratch_postgres

TRAINEES = 300
ITEMS = 40
SMALL = 30
PASSWORD = "bench-village-2024"


def pick_courses(counts: dict[int, int], total: int) -> list[int]:
    """Course ids whose active items add up to `total` (or as close above it as the catalog allows)."""
    best: tuple[int, list[int]] | None = None
    for size in range(1, min(6, len(counts)) + 1):
        for combination in itertools.combinations(sorted(counts), size):
            items = sum(counts[c] for c in combination)
            if items == total:
                return list(combination)
            if items > total and (best is None or items < best[0]):
                best = (items, list(combination))
    return best[1] if best else sorted(counts)


def build_workshop(app, trainees: int, name: str, seed: int = 2024) -> tuple[int, str, int]:
    """A workshop, its instructor and its trainees' progress. Returns (cohort id, instructor phone, item count)."""
    from sqlalchemy import func, insert, select

    from lms.accounts.models import User
    from lms.accounts.passwords import hash_password
    from lms.cohorts.models import Cohort, CohortMember
    from lms.cohorts.workshops import new_join_code
    from lms.content.models import Course, CourseItem
    from lms.database import utcnow
    from lms.extensions import db
    from lms.learning.models import Enrolment, ItemProgress

    rng = random.Random(seed)
    now = utcnow()
    with app.app_context():
        counts = dict(db.session.execute(
            select(CourseItem.course_id, func.count(CourseItem.id)).where(CourseItem.is_active)
            .group_by(CourseItem.course_id)).all())
        course_ids = pick_courses(counts, ITEMS)
        courses = db.session.scalars(select(Course).where(Course.id.in_(course_ids))).all()
        taken = db.session.scalar(select(func.count(User.id)))
        instructor = User(phone=f"198{taken:08d}", display_name="王老师", role="instructor",
                          password_hash=hash_password(PASSWORD))
        cohort = Cohort(name=name, location="北山村村委会", join_code=new_join_code(), courses=list(courses),
                        instructors=[instructor])
        db.session.add(cohort)
        db.session.flush()
        first = taken + 1
        db.session.execute(insert(User), [
            {"phone": f"199{first + n:08d}", "display_name": f"学员{n:03d}", "village": rng.choice("东西南北") + "山村",
             "password_hash": "", "created_at": now - timedelta(days=30)} for n in range(trainees)])
        user_ids = list(db.session.scalars(select(User.id).where(User.phone >= f"199{first:08d}")
                                           .where(User.phone < f"199{first + trainees:08d}")))
        items = db.session.execute(
            select(CourseItem.id, CourseItem.course_id, CourseItem.kind).where(CourseItem.course_id.in_(course_ids),
                                                                               CourseItem.is_active)
            .order_by(CourseItem.course_id, CourseItem.position)).all()
        members, enrolments, progress = [], [], []
        for user_id in user_ids:
            members.append({"cohort_id": cohort.id, "user_id": user_id, "joined_at": now - timedelta(days=20)})
            share = rng.random()
            for course_id in course_ids:
                course_items = [i for i in items if i.course_id == course_id]
                done = int(len(course_items) * min(1.0, share * rng.uniform(0.5, 1.5)))
                finished_at = now - timedelta(days=rng.randint(0, 19), minutes=rng.randint(0, 1440))
                enrolments.append({"user_id": user_id, "course_id": course_id, "enrolled_at": now - timedelta(days=20),
                                   "last_activity_at": finished_at,
                                   "completed_at": finished_at if done == len(course_items) else None})
                for item in course_items[:done]:
                    progress.append({"user_id": user_id, "item_id": item.id, "completed_at": finished_at,
                                     "updated_at": finished_at,
                                     "best_score": float(rng.randint(14, 20) * 5) if item.kind == "quiz" else None})
        db.session.execute(insert(CohortMember), members)
        db.session.execute(insert(Enrolment), enrolments)
        db.session.execute(insert(ItemProgress), progress)
        db.session.commit()
        result = (cohort.id, instructor.phone, len(items))
        db.session.remove()
    return result


@contextmanager
def counting(app):
    """Counts the statements sent to the database, leaving out BEGIN and the pool's liveness check.

    Direct reads (lms/reads.py: the signed-in user) bypass SQLAlchemy's execution and its events;
    each takes one connection from its own pool, so they are counted by those checkouts.
    """
    from sqlalchemy import event

    counter = {"statements": 0}

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "SELECT 1", "SAVEPOINT", "RELEASE")):
            counter["statements"] += 1

    def count_direct_read(dbapi_connection, connection_record, connection_proxy):
        counter["statements"] += 1

    from lms.extensions import db
    from lms.reads import reader_engine

    with app.app_context():
        engine = db.engine
    readers = reader_engine(app)
    event.listen(engine, "before_cursor_execute", count)
    event.listen(readers, "checkout", count_direct_read)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(readers, "checkout", count_direct_read)


def measure(url: str, repeat: int) -> dict:
    from lms.cohorts.dashboard import build_grid
    from lms.cohorts.models import Cohort
    from lms.extensions import db

    app = prepare_database(url)
    big, instructor, items = build_workshop(app, TRAINEES, "北山村电商培训第1期")
    small, small_instructor, _ = build_workshop(app, SMALL, "南岭村电商培训第2期", seed=7)
    app.config.update(TESTING=False, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    figures: dict = {"items": items}
    with app.app_context():
        for label, cohort_id in (("grid", big), ("grid_small", small)):
            times, statements = [], 0
            for _ in range(repeat + 1):
                db.session.remove()
                with counting(app) as counter:
                    started = time.perf_counter()
                    grid = build_grid(db.session.get(Cohort, cohort_id))
                    times.append(time.perf_counter() - started)
                statements = counter["statements"] - 1  # the cohort itself, loaded above
                figures[f"{label}_cells"] = len(grid.rows) * len(grid.columns)
            figures[label] = (median(times[1:]), statements)
        db.session.remove()
    for label, cohort_id, phone in (("page", big, instructor), ("page_small", small, small_instructor)):
        client = app.test_client()
        response = client.post("/login", data={"phone": phone, "password": PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"the instructor could not sign in ({response.status_code})")
        for path, key in ((f"/workshops/{cohort_id}/progress", label), (f"/workshops/{cohort_id}/progress.csv",
                                                                         label.replace("page", "csv"))):
            times, statements, size = [], 0, 0
            for _ in range(repeat + 1):
                with counting(app) as counter:
                    started = time.perf_counter()
                    response = client.get(path)
                    body = response.get_data()
                    times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                statements, size = counter["statements"], len(body)
            figures[key] = (median(times[1:]), statements, size)
    with app.app_context():
        db.engine.dispose()
    return figures


def report(label: str, figures: dict | None) -> bool:
    if figures is None:
        print(f"dashboard: {label:<10} skipped: no PostgreSQL server at {postgres_server_url()}")
        return True
    grid, page, csv = figures["grid"], figures["page"], figures["csv"]
    print(f"dashboard: {label:<10} {TRAINEES} trainees × {figures['items']} items ({figures['grid_cells']:,} cells): "
          f"build_grid {grid[0] * 1000:6.1f} ms, {grid[1]} queries; "
          f"progress page {page[0] * 1000:6.1f} ms, {page[1]} queries, {page[2] / 1024:,.0f} KB; "
          f"CSV {csv[0] * 1000:6.1f} ms, {csv[1]} queries")
    constant = (figures["grid"][1] == figures["grid_small"][1] and figures["page"][1] == figures["page_small"][1]
                and figures["csv"][1] == figures["csv_small"][1])
    print(f"dashboard: {label:<10} queries the same for {SMALL} trainees: {'yes' if constant else 'NO'} "
          f"(grid {figures['grid_small'][1]}, page {figures['page_small'][1]}, CSV {figures['csv_small'][1]})")
    return constant


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each measurement (default 7)")
    parser.add_argument("--no-postgresql", dest="postgresql", action="store_false")
    args = parser.parse_args(argv)
    print(f"dashboard: {machine()}; load average {load_average()}")
    with tempfile.TemporaryDirectory(prefix="cunke-bench-") as folder:
        sqlite = measure(f"sqlite:///{Path(folder) / 'dashboard.sqlite3'}", args.repeat)
    with scratch_postgres() if args.postgresql else nullcontext(None) as postgres_url:
        postgres = measure(postgres_url, args.repeat) if postgres_url else None
    ok = report("SQLite", sqlite)
    ok = report("PostgreSQL", postgres) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
