"""A crash in the middle of a busy workshop loses nothing anyone was told was saved.

Trainees keep finishing lessons and submitting quiz attempts while gunicorn's master and every
worker are killed with SIGKILL at the same instant (as the OOM killer or a power cut would stop
them mid-request). After a restart, every write a client saw acknowledged must be there, every
transaction must be whole (an attempt graded means its score recorded), SQLite must pass
`PRAGMA integrity_check`, and the same trainees carry on with the sessions they had.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.content.models import CourseItem
from lms.extensions import db
from lms.learning.models import ItemProgress
from lms.quizzes.models import QuizAttempt
from tests.production.live import Deployment, Trainee
from tests.production.test_load import answer_quiz

pytestmark = pytest.mark.slow

COURSES = Path(__file__).parent / "courses"
COURSE = "practice"
LESSONS = ("price", "photos", "reply")
QUIZ = "drill"
TRAINEES = 24
ACKNOWLEDGED_BEFORE_CRASH = 80  # quiz submissions acknowledged before the kill
MAX_ROUNDS = 200  # per trainee: the load is bounded even if the kill never came
LOAD_DEADLINE = 40.0  # seconds


@dataclass
class Ledger:
    """Writes the server acknowledged, as the clients saw them."""

    lessons: set[tuple[str, str]] = field(default_factory=set)
    attempts: dict[int, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def submitted(self) -> int:
        with self.lock:
            return len(self.attempts)


@pytest.fixture
def practice(tmp_path):
    deployment = Deployment.create(tmp_path, courses=COURSES)
    yield deployment
    deployment.close()


def one_round(trainee: Trainee, ledger: Ledger, round_number: int, rng: random.Random) -> None:
    lesson = LESSONS[round_number % len(LESSONS)]
    if trainee.post(f"/courses/{COURSE}/{lesson}/finish").status_code == 302:
        with ledger.lock:
            ledger.lessons.add((trainee.phone, lesson))
    started = trainee.post(f"/courses/{COURSE}/{QUIZ}/attempts")
    assert started.status_code == 302, started.status_code
    attempt_url = started.headers["Location"]
    page = trainee.get(attempt_url)
    assert page.status_code == 200, page.status_code
    submitted = trainee.post(attempt_url, answer_quiz(page.text, rng))
    assert submitted.status_code == 302, submitted.status_code
    with ledger.lock:
        ledger.attempts[int(attempt_url.rsplit("/", 1)[1])] = trainee.phone


def keep_learning(trainee: Trainee, ledger: Ledger, stop: threading.Event, seed: int) -> str:
    """Rounds until the server disappears (the expected end) or the bounds are reached."""
    rng = random.Random(seed)
    for round_number in range(MAX_ROUNDS):
        if stop.is_set():
            return "stopped"
        try:
            one_round(trainee, ledger, round_number, rng)
        except httpx.TransportError:
            return "connection lost"
    return "bounded"


def check_database(deployment: Deployment, ledger: Ledger) -> None:
    with deployment.app.app_context():
        db.session.remove()
        finished = set(db.session.execute(
            select(User.phone, CourseItem.slug).join(ItemProgress, ItemProgress.user_id == User.id)
            .join(CourseItem, CourseItem.id == ItemProgress.item_id)
            .where(ItemProgress.completed_at.is_not(None), CourseItem.kind == "lesson")))
        graded = {attempt.id: attempt for attempt in db.session.scalars(
            select(QuizAttempt).where(QuizAttempt.submitted_at.is_not(None)))}
        best = {(user_id, item_id): score for user_id, item_id, score in db.session.execute(
            select(ItemProgress.user_id, ItemProgress.item_id, ItemProgress.best_score))}
        phones = {user.id: user.phone for user in db.session.scalars(select(User))}
    missing_lessons = ledger.lessons - finished
    assert not missing_lessons, f"acknowledged lessons lost: {sorted(missing_lessons)[:5]}"
    missing = {attempt_id for attempt_id in ledger.attempts if attempt_id not in graded}
    assert not missing, f"acknowledged quiz attempts lost: {sorted(missing)[:5]}"
    for attempt_id, phone in ledger.attempts.items():
        assert phones[graded[attempt_id].user_id] == phone
    for attempt in graded.values():  # no half transaction: a graded attempt always has its score recorded
        assert attempt.score is not None
        recorded = best.get((attempt.user_id, attempt.item_id))
        assert recorded is not None and recorded >= attempt.score


def sqlite_integrity(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def test_killing_every_server_process_mid_load_loses_no_acknowledged_write(practice, gunicorn):
    phones = practice.add_trainees(TRAINEES)
    server = gunicorn(practice)
    trainees = [Trainee(server.url, phone, timeout=20) for phone in phones]
    for trainee in trainees:
        assert trainee.sign_in().status_code == 302
        trainee.get(f"/courses/{COURSE}/")
        assert trainee.post(f"/courses/{COURSE}/enrol").status_code == 302
    ledger, stop = Ledger(), threading.Event()

    with ThreadPoolExecutor(max_workers=TRAINEES) as pool:
        futures = [pool.submit(keep_learning, trainee, ledger, stop, n) for n, trainee in enumerate(trainees)]
        deadline = time.monotonic() + LOAD_DEADLINE
        while ledger.submitted < ACKNOWLEDGED_BEFORE_CRASH and time.monotonic() < deadline:
            time.sleep(0.02)
        workers = server.worker_pids()
        server.kill()  # master and workers together, requests in flight
        stop.set()
        endings = [future.result(timeout=60) for future in futures]

    assert len(workers) >= 2
    assert ledger.submitted >= ACKNOWLEDGED_BEFORE_CRASH, "the load never got going"
    assert "connection lost" in endings, "the kill did not interrupt any request"
    if practice.sqlite_file:
        assert sqlite_integrity(practice.sqlite_file) == ["ok"]
    check_database(practice, ledger)

    restarted = gunicorn(practice)
    for trainee in trainees:  # the same sessions carry on against the restarted server
        trainee.client.base_url = restarted.url
        one_round(trainee, ledger, 0, random.Random(7))
        trainee.close()
    assert restarted.server_errors() == [], restarted.error_report()
    check_database(practice, ledger)
    if practice.sqlite_file:
        assert sqlite_integrity(practice.sqlite_file) == ["ok"]
