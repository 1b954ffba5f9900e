"""Signed-in lesson pages per second under gunicorn, as a ratio to Flask's "hello world".

    .venv/bin/python -m benchmarks.serving            # or `make bench`, which runs every benchmark
    .venv/bin/python -m benchmarks.serving --runs 3 --seconds 3      # a quick run

Four apps run in turn under the repository's gunicorn.conf.py with the same worker count:
Flask's "hello world"; a reference page (one 9 KB row from SQLite, a two-level Jinja layout, a
session cookie: the practical ceiling for a database-backed page); the stack floor (a signed-in
page with a form on Flask-Login, Flask-SQLAlchemy and Flask-WTF, reading through the ORM session,
see benchmarks/_apps.py); and Cunke's lesson page for a signed-in, enrolled trainee on the bundled
course catalog in SQLite. Each is loaded by 32
concurrent connections (wrk when installed) for several interleaved runs; the figures are
medians. Target: lesson page ≥ 0.5 × hello world. On Linux it also prints the workers' CPU time
per request, which leaves out the load generator's share of the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks._load import Request, run_load
from benchmarks._support import Browser, Gunicorn, add_load_arguments, median, prepare_database, print_load_setup

TARGET_RATIO = 0.5
COURSE = "open-your-shop"
PHONE = "13900000001"
PASSWORD = "bench-village-2024"


def prepare_lesson(folder: Path) -> tuple[str, str]:
    """A database with the bundled catalog and one enrolled trainee. Returns (database URL, lesson path)."""
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.accounts.passwords import hash_password
    from lms.content.models import CourseItem
    from lms.extensions import db
    from lms.learning.progress import enrol, find_course

    url = f"sqlite:///{folder / 'serving.sqlite3'}"
    app = prepare_database(url)
    with app.app_context():
        trainee = User(phone=PHONE, display_name="吕振鸿", village="北山村", password_hash=hash_password(PASSWORD))
        db.session.add(trainee)
        db.session.flush()
        course = find_course(COURSE)
        enrol(trainee, course)
        lesson = db.session.scalars(select(CourseItem).where(CourseItem.course_id == course.id,
                                                             CourseItem.kind == "lesson")
                                    .order_by(CourseItem.position)).all()[1]
        path = f"/courses/{COURSE}/{lesson.slug}"
        db.session.commit()
        db.engine.dispose()
    return url, path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serving", description=__doc__.splitlines()[0])
    add_load_arguments(parser, runs=5, per="app")
    args = parser.parse_args(argv)

    from benchmarks._apps import create_floor_database, create_reference_database

    print_load_setup("serving", args)
    with tempfile.TemporaryDirectory(prefix="cunke-bench-") as folder:
        folder = Path(folder)
        database_url, lesson_path = prepare_lesson(folder)
        reference_db = folder / "reference.sqlite3"
        create_reference_database(reference_db)
        floor_db = folder / "stack-floor.sqlite3"
        create_floor_database(floor_db)
        rates: dict[str, list[float]] = {"hello": [], "reference": [], "floor": [], "lesson": []}
        errors = dict.fromkeys(rates, 0)
        cpu: dict[str, list[float]] = {name: [] for name in rates}  # workers' CPU ms per answered request
        servers = {
            "hello": Gunicorn("benchmarks._apps:hello", folder / "hello.log", args.workers),
            "reference": Gunicorn("benchmarks._apps:reference", folder / "reference.log", args.workers,
                                  BENCH_REFERENCE_DB=str(reference_db)),
            "floor": Gunicorn("benchmarks._apps:stack_floor", folder / "floor.log", args.workers,
                              BENCH_FLOOR_DB=str(floor_db)),
            "lesson": Gunicorn("app:app", folder / "lesson.log", args.workers, DATABASE_URL=database_url),
        }
        with (servers["hello"] as hello, servers["reference"] as reference, servers["floor"] as floor,
              servers["lesson"] as lesson):
            browser = Browser(lesson.url)
            browser.sign_in(PHONE, PASSWORD)
            status, _, html = browser.request("GET", lesson_path)
            if status != 200 or "csrf_token" not in html:
                print(f"serving: the lesson page answered {status}; not measured")
                return 1
            visitor = Browser(reference.url)
            visitor.request("GET", "/sign-in")
            floor_visitor = Browser(floor.url)
            floor_visitor.request("GET", "/sign-in")
            floor_visitor.request("GET", "/")  # the session now holds its CSRF secret, as after any first page
            requests = {
                "hello": [Request("GET", "/")],
                "reference": [Request("GET", "/", cookie=visitor.cookie_header)],
                "floor": [Request("GET", "/", cookie=floor_visitor.cookie_header)],
                "lesson": [Request("GET", lesson_path, cookie=browser.cookie_header)],
            }
            urls = {"hello": hello.url, "reference": reference.url, "floor": floor.url, "lesson": lesson.url}
            for name in rates:  # warm-up: templates compiled, caches filled, connections made
                run_load(urls[name], requests[name], 200, args.connections, 1.0)
            for _ in range(args.runs):  # interleaved, so a slow moment of the machine hits all alike
                for name in rates:
                    before = servers[name].worker_cpu_seconds()
                    result = run_load(urls[name], requests[name], 200, args.connections, args.seconds)
                    after = servers[name].worker_cpu_seconds()
                    rates[name].append(result.rate)
                    errors[name] += result.errors
                    if before is not None and after is not None and result.ok:
                        cpu[name].append((after - before) / result.ok * 1000)
            problems = lesson.problems()

    hello_rate, reference_rate, floor_rate, lesson_rate = (
        median(rates[name]) for name in ("hello", "reference", "floor", "lesson"))
    ratio = lesson_rate / hello_rate if hello_rate else 0.0
    print(f"serving: Flask hello world     {hello_rate:8,.0f} requests/s   errors {errors['hello']}")
    print(f"serving: reference page        {reference_rate:8,.0f} requests/s   ratio {reference_rate / hello_rate:.2f} "
          f"(practical ceiling)   errors {errors['reference']}")
    print(f"serving: stack floor           {floor_rate:8,.0f} requests/s   ratio {floor_rate / hello_rate:.2f} "
          f"(signed-in page with a form on Flask-Login, Flask-SQLAlchemy, Flask-WTF)   errors {errors['floor']}")
    print(f"serving: signed-in lesson page {lesson_rate:8,.0f} requests/s   ratio {ratio:.2f} "
          f"(target >= {TARGET_RATIO})   {lesson_rate / reference_rate:.2f} of the ceiling, "
          f"{lesson_rate / floor_rate:.2f} of the floor   errors {errors['lesson']}")
    if all(cpu.values()):
        spent = {name: median(values) for name, values in cpu.items()}
        print(f"serving: workers' CPU per request (the load generator left out): hello world "
              f"{spent['hello']:.3f} ms, reference {spent['reference']:.3f} ms, floor {spent['floor']:.3f} ms, "
              f"lesson {spent['lesson']:.3f} ms (hello / lesson {spent['hello'] / spent['lesson']:.2f})")
    ok = ratio >= TARGET_RATIO and not any(errors.values()) and not problems
    if problems:
        print(f"serving: server log problems: {problems[:3]}")
    print(f"serving: {'target met' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
