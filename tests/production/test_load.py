"""Many trainees at once, under gunicorn on a real database (SQLite here, PostgreSQL in CI as well).

Every simulated trainee signs in, starts the course, opens and finishes its lessons and submits
a quiz attempt, as a phone would: fetching each page and its form first. Afterwards the database
must hold exactly what the clients were told had succeeded: nothing lost, nothing extra.
"""

from __future__ import annotations

import random
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.content.models import CourseItem
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.quizzes.models import QuizAttempt
from tests.production.live import Trainee

pytestmark = pytest.mark.slow

TRAINEES = 100
COURSE = "shop-basics"
LESSONS = ("choose-product", "margin")
QUIZ = "basics-check"
JOURNEY_TIMEOUT = 120  # seconds for all trainees together; each request also times out on its own
_INPUT = re.compile(r'<input type="(radio|checkbox|text)"[^>]*?name="(q\d+)"(?:[^>]*?value="([^"]*)")?')


def answer_quiz(html: str, rng: random.Random) -> dict[str, str | list[str]]:
    """Answers as a trainee would give them: a choice per question, some right, some wrong."""
    fields: dict[str, tuple[str, list[str]]] = {}
    for kind, name, value in _INPUT.findall(html):
        fields.setdefault(name, (kind, []))[1].append(value)
    answers: dict[str, str | list[str]] = {}
    for name, (kind, values) in fields.items():
        if kind == "radio":
            answers[name] = rng.choice(values)
        elif kind == "checkbox":
            answers[name] = rng.sample(values, rng.randint(1, len(values)))
        else:
            answers[name] = rng.choice(["20", "旺旺", "Wangwang", "30", ""])
    return answers


@dataclass
class Acknowledged:
    """What the server told the clients it had done."""

    enrolments: set[str] = field(default_factory=set)  # phones
    lessons: set[tuple[str, str]] = field(default_factory=set)  # (phone, lesson slug)
    attempts: dict[int, str] = field(default_factory=dict)  # attempt id -> phone
    lock: threading.Lock = field(default_factory=threading.Lock)


def journey(trainee: Trainee, acknowledged: Acknowledged, start: threading.Barrier, seed: int) -> None:
    rng = random.Random(seed)
    start.wait(timeout=30)
    assert trainee.sign_in().status_code == 302
    assert trainee.get(f"/courses/{COURSE}/").status_code == 200
    enrol = trainee.post(f"/courses/{COURSE}/enrol")
    assert enrol.status_code == 302
    with acknowledged.lock:
        acknowledged.enrolments.add(trainee.phone)
    for lesson in LESSONS:
        assert trainee.get(f"/courses/{COURSE}/{lesson}").status_code == 200
        if trainee.post(f"/courses/{COURSE}/{lesson}/finish").status_code == 302:
            with acknowledged.lock:
                acknowledged.lessons.add((trainee.phone, lesson))
    assert trainee.get(f"/courses/{COURSE}/{QUIZ}").status_code == 200
    started = trainee.post(f"/courses/{COURSE}/{QUIZ}/attempts")
    assert started.status_code == 302
    attempt_url = started.headers["Location"]
    attempt_id = int(attempt_url.rstrip("/").rsplit("/", 1)[1])
    page = trainee.get(attempt_url)
    assert page.status_code == 200
    submitted = trainee.post(attempt_url, answer_quiz(page.text, rng))
    if submitted.status_code == 302:
        with acknowledged.lock:
            acknowledged.attempts[attempt_id] = trainee.phone
    assert trainee.get(attempt_url).status_code == 200


def run_trainees(base_url: str, phones: list[str], acknowledged: Acknowledged) -> list[Trainee]:
    trainees = [Trainee(base_url, phone) for phone in phones]
    start = threading.Barrier(len(trainees))
    failures = []
    with ThreadPoolExecutor(max_workers=len(trainees)) as pool:
        futures = [pool.submit(journey, trainee, acknowledged, start, n) for n, trainee in enumerate(trainees)]
        for trainee, future in zip(trainees, futures, strict=True):
            try:
                future.result(timeout=JOURNEY_TIMEOUT)
            except Exception as error:  # every failure is collected and reported below
                failures.append(f"{trainee.phone}: {error!r} after {trainee.responses[-3:]}")
    for trainee in trainees:
        trainee.close()
    assert not failures, f"{len(failures)} trainees failed, e.g. {failures[:3]}"
    return trainees


def test_a_hundred_trainees_at_once_lose_nothing(deployment, gunicorn):
    phones = deployment.add_trainees(TRAINEES)
    server = gunicorn(deployment)
    acknowledged = Acknowledged()

    trainees = run_trainees(server.url, phones, acknowledged)

    statuses = [status for trainee in trainees for _, _, status in trainee.responses]
    assert len(statuses) == TRAINEES * 13
    assert not [s for s in statuses if s >= 500], server.error_report()
    assert server.server_errors() == [], server.error_report()
    assert len(acknowledged.enrolments) == TRAINEES
    assert len(acknowledged.lessons) == TRAINEES * len(LESSONS)
    assert len(acknowledged.attempts) == TRAINEES

    with deployment.app.app_context():
        enrolled = set(db.session.scalars(select(User.phone).join(Enrolment, Enrolment.user_id == User.id)))
        finished = set(db.session.execute(
            select(User.phone, CourseItem.slug).join(ItemProgress, ItemProgress.user_id == User.id)
            .join(CourseItem, CourseItem.id == ItemProgress.item_id)
            .where(ItemProgress.completed_at.is_not(None), CourseItem.kind == "lesson")
        ).tuples())
        submitted = {attempt_id: phone for attempt_id, phone in db.session.execute(
            select(QuizAttempt.id, User.phone).join(User, User.id == QuizAttempt.user_id)
            .where(QuizAttempt.submitted_at.is_not(None), QuizAttempt.score.is_not(None)))}
        attempts = db.session.scalar(select(func.count(QuizAttempt.id)))
        quiz_progress = db.session.scalar(
            select(func.count(ItemProgress.id)).join(CourseItem, CourseItem.id == ItemProgress.item_id)
            .where(CourseItem.kind == "quiz", ItemProgress.best_score.is_not(None)))
    assert enrolled == acknowledged.enrolments
    assert finished == acknowledged.lessons
    assert submitted == acknowledged.attempts
    assert attempts == TRAINEES
    assert quiz_progress == TRAINEES  # every graded attempt recorded its score in the same transaction


def fire_together(count: int, send) -> list:
    """Run `send(n)` `count` times at the same instant, from as many threads."""
    start = threading.Barrier(count)

    def go(n: int):
        start.wait(timeout=30)
        return send(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [future.result(timeout=60) for future in [pool.submit(go, n) for n in range(count)]]


def test_the_same_action_sent_many_times_at_once_counts_once(deployment, gunicorn):
    """Double taps on a weak signal: parallel repeats of enrol, finish, start and submit leave one record each."""
    (phone,) = deployment.add_trainees(1)
    server = gunicorn(deployment)
    trainee = Trainee(server.url, phone)
    assert trainee.sign_in().status_code == 302
    trainee.get(f"/courses/{COURSE}/")
    cookies, token = dict(trainee.client.cookies), trainee.token

    def post(path: str, data: dict | None = None):
        """The same signed-in session from another connection, as a second tap would arrive."""
        tap = Trainee(server.url, phone)
        tap.client.cookies.update(cookies)
        tap.token = token
        try:
            return tap.post(path, data)
        finally:
            tap.close()

    repeats = 12
    assert {r.status_code for r in fire_together(repeats, lambda n: post(f"/courses/{COURSE}/enrol"))} == {302}
    assert {r.status_code for r in fire_together(repeats, lambda n: post(f"/courses/{COURSE}/{LESSONS[0]}/finish"))} \
        == {302}
    started = fire_together(repeats, lambda n: post(f"/courses/{COURSE}/{QUIZ}/attempts"))
    assert {r.status_code for r in started} == {302}
    locations = {r.headers["Location"] for r in started}
    assert len(locations) == 1, "parallel starts opened more than one attempt"
    (attempt_url,) = locations
    submitted = fire_together(repeats, lambda n: post(attempt_url, {"q0": str(n % 2), "q1": "0", "q2": str(n)}))
    assert {r.status_code for r in submitted} == {302}
    trainee.close()

    assert server.server_errors() == [], server.error_report()
    with deployment.app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.phone == phone))
        assert db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.user_id == user_id)) == 1
        progress = db.session.scalars(select(ItemProgress).where(ItemProgress.user_id == user_id)).all()
        attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id)).all()
        assert len(attempts) == 1 and attempts[0].submitted_at is not None
        by_kind = {p.item.kind: p for p in progress}
        assert len(progress) == 2 and set(by_kind) == {"lesson", "quiz"}
        assert by_kind["quiz"].best_score == attempts[0].score  # graded once, recorded once

