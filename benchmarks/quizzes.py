"""Quiz submissions per second with 32 concurrent trainees, on SQLite and on PostgreSQL, with the error count.

    .venv/bin/python -m benchmarks.quizzes            # or `make bench`, which runs every benchmark
    .venv/bin/python -m benchmarks.quizzes --runs 1 --seconds 3 --no-postgresql     # a quick run

Each database gets the bundled course catalog, 32 signed-in trainees enrolled in one course and
enough open quiz attempts that no answer sheet is sent twice. The 32 connections then post
answer sheets (real answers, graded by the application, a write transaction each) under
gunicorn with the repository's settings. A submission counts when the server answers with its
redirect to the result page; afterwards the database must hold exactly that many graded
attempts. PostgreSQL runs in a scratch database on the server of LMS_BENCH_DATABASE_URL (else
LMS_TEST_DATABASE_URL, else the local default), dropped afterwards. Target on SQLite: at least
500 submissions/s with no errors.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlencode

from benchmarks._load import Request, run_load
from benchmarks._support import (
    Browser,
    Gunicorn,
    add_load_arguments,
    median,
    postgres_server_url,
    prepare_database,
    print_load_setup,
    scratch_postgres,
)

TARGET_SQLITE = 500
COURSE = "open-your-shop"
TRAINEES = 32
PASSWORD = "bench-village-2024"
MAX_RATE = 4_000  # answer sheets prepared per second of measurement: more than any run can send


def _answer(question: dict, entry: dict, rng: random.Random) -> str | list[str]:
    kind = question["kind"]
    if kind == "single":
        return str(rng.choice(entry["options"]))
    if kind == "multiple":
        return [str(o) for o in rng.sample(entry["options"], rng.randint(1, len(entry["options"])))]
    if kind == "true_false":
        return rng.choice(["true", "false"])
    if kind == "numeric":
        return str(rng.choice([question["value"], question["value"] + 1]))
    return rng.choice([question["accepted"][0], "不知道"])


def prepare(url: str, sheets: int, seed: int = 2024):
    """Catalog, trainees, enrolments and `sheets` open attempts. Returns (app, quiz item id, {phone: [(id, form)]})."""
    from sqlalchemy import insert, select

    from lms.accounts.models import User
    from lms.accounts.passwords import hash_password
    from lms.content.models import CourseItem
    from lms.extensions import db
    from lms.learning.models import Enrolment
    from lms.learning.progress import find_course
    from lms.quizzes.grading import draw_layout
    from lms.quizzes.models import QuizAttempt

    rng = random.Random(seed)
    app = prepare_database(url)
    with app.app_context():
        course = find_course(COURSE)
        quiz = db.session.scalars(select(CourseItem).where(CourseItem.course_id == course.id,
                                                           CourseItem.kind == "quiz")
                                  .order_by(CourseItem.position)).first()
        quiz.attempts_allowed = 0  # unlimited, so every trainee can send many sheets
        password_hash = hash_password(PASSWORD)
        phones = [f"139{n:08d}" for n in range(TRAINEES)]
        db.session.execute(insert(User), [{"phone": phone, "display_name": f"学员{n}", "village": "北山村",
                                           "password_hash": password_hash} for n, phone in enumerate(phones)])
        users = {phone: user_id for phone, user_id in db.session.execute(select(User.phone, User.id))}
        db.session.execute(insert(Enrolment), [{"user_id": users[p], "course_id": course.id} for p in phones])
        questions = quiz.questions[course.language]
        option_counts = [len(q.get("options") or []) for q in questions]
        rows, forms = [], []
        for number in range(sheets):
            phone = phones[number % TRAINEES]
            layout = draw_layout(len(questions), option_counts, quiz.draw, quiz.shuffle, rng)
            rows.append({"user_id": users[phone], "item_id": quiz.id, "number": number // TRAINEES + 1,
                         "language": course.language, "layout": layout})
            forms.append((phone, {f"q{position}": _answer(questions[entry["q"]], entry, rng)
                                  for position, entry in enumerate(layout)}))
        for start in range(0, len(rows), 5_000):
            db.session.execute(insert(QuizAttempt), rows[start:start + 5_000])
        db.session.commit()
        ids = {(user_id, number): attempt_id for attempt_id, user_id, number in
               db.session.execute(select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.number))}
        sheets_by_phone: dict[str, list[tuple[int, dict]]] = {phone: [] for phone in phones}
        for row, (phone, form) in zip(rows, forms, strict=True):
            sheets_by_phone[phone].append((ids[(row["user_id"], row["number"])], form))
        quiz_id = quiz.id
        db.engine.dispose()
    return app, quiz_id, sheets_by_phone


def graded_count(app) -> int:
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.quizzes.models import QuizAttempt

    with app.app_context():
        count = db.session.scalar(select(func.count(QuizAttempt.id)).where(QuizAttempt.submitted_at.is_not(None)))
        db.session.remove()
        db.engine.dispose()
    return count


def measure(label: str, url: str, folder: Path, args) -> dict:
    sheets = int(MAX_RATE * args.seconds * (args.runs + 1))
    app, _, sheets_by_phone = prepare(url, sheets)
    with Gunicorn("app:app", folder / f"{label}.log", args.workers, DATABASE_URL=url) as server:
        cookies, tokens = {}, {}
        for phone, sheets_of_one in sheets_by_phone.items():  # sign in and open one sheet to get the form token
            browser = Browser(server.url)
            browser.sign_in(phone, PASSWORD)
            status, _, _ = browser.request("GET", f"/attempts/{sheets_of_one[0][0]}")
            if status != 200:
                raise RuntimeError(f"the attempt page answered {status}")
            cookies[phone], tokens[phone] = browser.cookie_header, browser.token
        runs: list[list[Request]] = [[] for _ in range(args.runs + 1)]  # the first is the warm-up
        for phone, sheets_of_one in sheets_by_phone.items():
            for index, (attempt_id, form) in enumerate(sheets_of_one):
                body = urlencode({"csrf_token": tokens[phone], **form}, doseq=True)
                runs[index % len(runs)].append(Request("POST", f"/attempts/{attempt_id}", cookies[phone], body))
        for requests in runs:
            random.Random(len(requests)).shuffle(requests)
        results = [run_load(server.url, requests, 302, args.connections, args.seconds if n else 1.0, repeat=False)
                   for n, requests in enumerate(runs)]
        problems = server.problems()
    graded = graded_count(app)
    acknowledged = sum(r.ok for r in results)
    return {
        "rate": median([r.rate for r in results[1:]]),
        "errors": sum(r.errors for r in results) + len(problems),
        "wrapped": sum(r.wrapped for r in results),
        "acknowledged": acknowledged,
        "graded": graded,
        "problems": problems[:3],
    }


def report(label: str, figures: dict | None, connections: int, runs: int, target: int | None = None) -> bool:
    if figures is None:
        print(f"quizzes: {label:<10} skipped: no PostgreSQL server at {postgres_server_url()}")
        return True
    # Every acknowledged sheet must be graded. A few more may be: those in flight when a run's time ran out.
    in_flight = figures["graded"] - figures["acknowledged"]
    kept = 0 <= in_flight <= connections * (runs + 1) and not figures["wrapped"]
    line = (f"quizzes: {label:<10} {figures['rate']:7,.0f} submissions/s   errors {figures['errors']}   "
            f"every acknowledged submission graded: {'yes' if kept else 'NO'} "
            f"({figures['acknowledged']:,} acknowledged, {in_flight} more in flight at the end of a run)")
    if target:
        line += f"   target >= {target}/s with 0 errors"
    print(line)
    if figures["problems"]:
        print(f"quizzes: {label} server log: {figures['problems']}")
    return figures["errors"] == 0 and kept and (target is None or figures["rate"] >= target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quizzes", description=__doc__.splitlines()[0])
    add_load_arguments(parser, runs=3, per="database")
    parser.add_argument("--no-postgresql", dest="postgresql", action="store_false")
    args = parser.parse_args(argv)

    print_load_setup("quizzes", args)
    with tempfile.TemporaryDirectory(prefix="cunke-bench-") as folder:
        folder = Path(folder)
        sqlite = measure("sqlite", f"sqlite:///{folder / 'quizzes.sqlite3'}", folder, args)
        with scratch_postgres() if args.postgresql else nullcontext(None) as postgres_url:
            postgres = measure("postgresql", postgres_url, folder, args) if postgres_url else None
    ok = report("SQLite", sqlite, args.connections, args.runs, TARGET_SQLITE)
    ok = report("PostgreSQL", postgres, args.connections, args.runs) and ok
    print(f"quizzes: {'target met' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
