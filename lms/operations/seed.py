"""A generated county- or province-sized dataset for load tests and benchmarks (`flask dev seed`).

Trainees are spread over workshops (cohorts). Each workshop follows two to four courses of the
synced catalog, prerequisites first, with an instructor. Trainees leave what real ones leave
behind: most start the first course, fewer finish it, fewer still go on; some stop half-way,
some never start; quizzes take one or more attempts with believable answers and scores (graded
by the real grading code); completed courses carry their certificate when the course gives one.

Rows are written with bulk INSERTs, one transaction per batch of trainees, so memory stays
flat and an interrupted run keeps what it wrote. Every generated account gets the same
precomputed password hash: Argon2 costs about 0.2 s per hash on purpose, so 100,000 hashes
would take hours. Generated phone numbers start with 199 (trainees) and 198 (instructors).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, insert, select

from lms.accounts.models import User
from lms.cohorts.models import Cohort, CohortMember, cohort_course, cohort_instructor
from lms.content.models import Course, CourseItem
from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.quizzes.grading import draw_layout, grade_attempt
from lms.quizzes.models import QuizAttempt

SEED_PASSWORD = "cunke-seed-2024"  # noqa: S105 (the documented password of generated accounts)
TRAINEE_PREFIX = "199"
INSTRUCTOR_PREFIX = "198"
TRAINEES_PER_BATCH = 2_000
ATTEMPT_TEMPLATES = 24  # drawn, answered and graded attempts kept per quiz, reused across trainees

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉宇浩凯健俊帆帅旭宁振鸿春梅兴福"
VILLAGE_HEADS = "东西南北上下前后大小新老"
VILLAGE_TAILS = ("山", "岭", "河", "湾", "坪", "塘", "庄", "桥", "坝", "沟")
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class SeedError(Exception):
    """Why nothing could be generated (for example: no courses synced yet)."""


@dataclass
class SeedReport:
    trainees: int = 0
    instructors: int = 0
    cohorts: int = 0
    enrolments: int = 0
    completions: int = 0
    progress: int = 0
    attempts: int = 0
    certificates: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return (2 * self.trainees + self.instructors + self.cohorts + self.enrolments + self.progress
                + self.attempts + self.certificates)

    def summary(self) -> str:
        return _("%(trainees)s trainees, %(instructors)s instructors, %(cohorts)s workshops, %(enrolments)s "
                 "enrolments (%(completions)s completed), %(progress)s progress records, %(attempts)s quiz attempts, "
                 "%(certificates)s certificates in %(seconds)s s (%(speed)s rows/s)",
                 trainees=f"{self.trainees:,}", instructors=f"{self.instructors:,}", cohorts=f"{self.cohorts:,}",
                 enrolments=f"{self.enrolments:,}", completions=f"{self.completions:,}",
                 progress=f"{self.progress:,}", attempts=f"{self.attempts:,}",
                 certificates=f"{self.certificates:,}", seconds=f"{self.seconds:.1f}",
                 speed=f"{self.rows / max(self.seconds, 1e-9):,.0f}")


@dataclass
class AttemptTemplate:
    layout: list
    answers: dict
    results: list
    score: float
    passed: bool


@dataclass
class CourseShape:
    id: int
    slug: str
    language: str
    requires: list[str]
    certificate: bool
    items: list[tuple[int, bool]]  # (item id, is quiz) in course order
    templates: dict[int, list[AttemptTemplate]] = field(default_factory=dict)  # quiz item id -> sorted by score
    snapshot: dict = field(default_factory=dict)  # certificate columns shared by every holder


# ---------------------------------------------------------------- names and places


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


def village_name(rng: random.Random) -> str:
    return rng.choice(VILLAGE_HEADS) + rng.choice(VILLAGE_TAILS) + "村"


def _next_number(prefix: str) -> int:
    """The first free generated phone number after earlier runs."""
    highest = db.session.scalar(select(func.max(User.phone)).where(User.phone.like(f"{prefix}%")))
    return int(highest[len(prefix):]) + 1 if highest else 1


def foreign_accounts() -> int:
    """Accounts in the database that no seed run generated."""
    return db.session.scalar(
        select(func.count(User.id)).where(~User.phone.like(f"{TRAINEE_PREFIX}%"),
                                          ~User.phone.like(f"{INSTRUCTOR_PREFIX}%"))
    ) or 0


# ---------------------------------------------------------------- quizzes


def _right_answer(question: dict):
    kind = question["kind"]
    if kind == "single":
        return str(question["correct"][0])
    if kind == "multiple":
        return [str(index) for index in question["correct"]]
    if kind == "true_false":
        return "true" if question["truth"] else "false"
    if kind == "numeric":
        return f"{question['value']:g}"
    return question["accepted"][0]


def _wrong_answer(question: dict, rng: random.Random):
    kind = question["kind"]
    if kind in ("single", "multiple"):
        wrong = [i for i in range(len(question["options"])) if i not in question["correct"]]
        choice = str(rng.choice(wrong)) if wrong else "0"
        return choice if kind == "single" else [choice]
    if kind == "true_false":
        return "false" if question["truth"] else "true"
    if kind == "numeric":
        return f"{question['value'] + rng.choice((-10, -1, 1, 5, 10)):g}"
    return rng.choice(("不知道", "忘了", "淘宝"))


def attempt_templates(item: CourseItem, course: Course, rng: random.Random) -> list[AttemptTemplate]:
    """Attempts at one quiz by trainees of every skill, answered and graded like real ones."""
    questions = item.questions.get(course.language) or next(iter(item.questions.values()), [])
    if not questions:
        return []
    pass_mark = item.pass_mark if item.pass_mark is not None else course.pass_mark
    templates = []
    for number in range(ATTEMPT_TEMPLATES):
        skill = 0.35 + 0.65 * number / (ATTEMPT_TEMPLATES - 1)
        layout = draw_layout(len(questions), [len(q.get("options") or []) for q in questions],
                             item.draw, item.shuffle, rng)
        answers = {}
        for position, entry in enumerate(layout):
            question = questions[entry["q"]]
            answers[str(position)] = _right_answer(question) if rng.random() < skill else _wrong_answer(question, rng)
        grade = grade_attempt(questions, layout, answers, pass_mark, item.partial_credit)
        templates.append(AttemptTemplate(
            layout=layout, answers=answers, score=grade.score, passed=grade.passed,
            results=[r.stored() for r in grade.results],
        ))
    return sorted(templates, key=lambda t: t.score)


# ---------------------------------------------------------------- catalog and workshops


def catalog_shapes(rng: random.Random) -> list[CourseShape]:
    courses = list(db.session.scalars(
        select(Course).where(Course.is_published).order_by(Course.position, Course.slug)
    ))
    if not courses:
        raise SeedError(_("No published courses: run `flask courses sync` first."))
    items = db.session.scalars(
        select(CourseItem).where(CourseItem.course_id.in_([c.id for c in courses]), CourseItem.is_active)
        .order_by(CourseItem.course_id, CourseItem.position)
    ).all()
    shapes = {c.id: CourseShape(id=c.id, slug=c.slug, language=c.language, requires=list(c.requires or []),
                                certificate=c.certificate, items=[]) for c in courses}
    by_id = {c.id: c for c in courses}
    for item in items:
        shape = shapes[item.course_id]
        shape.items.append((item.id, item.is_quiz))
        if item.is_quiz:
            shape.templates[item.id] = attempt_templates(item, by_id[item.course_id], rng)
    for course in courses:
        shapes[course.id].snapshot = _certificate_snapshot(course)
    return [shapes[c.id] for c in courses if shapes[c.id].items]


def _program(shapes: list[CourseShape], rng: random.Random) -> list[CourseShape]:
    """Two to four courses for one workshop, with every prerequisite included and placed before its course."""
    by_slug = {s.slug: s for s in shapes}
    chosen = {s.slug for s in rng.sample(shapes, min(len(shapes), rng.randint(2, 4)))}
    pending = list(chosen)
    while pending:
        for required in by_slug[pending.pop()].requires:
            if required in by_slug and required not in chosen:
                chosen.add(required)
                pending.append(required)
    ordered: list[CourseShape] = []

    def place(slug: str) -> None:
        shape = by_slug[slug]
        if shape in ordered:
            return
        for required in shape.requires:
            if required in chosen:
                place(required)
        ordered.append(shape)

    for shape in shapes:  # catalog order, prerequisites pulled forward
        if shape.slug in chosen:
            place(shape.slug)
    return ordered


@dataclass
class Workshop:
    id: int
    village: str
    starts: datetime
    program: list[CourseShape]


def _join_codes(count: int, rng: random.Random) -> list[str]:
    taken = set(db.session.scalars(select(Cohort.join_code)))
    codes: list[str] = []
    while len(codes) < count:
        code = "".join(rng.choices(JOIN_CODE_ALPHABET, k=6))
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def _create_staff_and_workshops(cohorts: int, shapes: list[CourseShape], password_hash: str, now: datetime,
                                rng: random.Random, report: SeedReport) -> list[Workshop]:
    instructors = max(1, cohorts // 4)
    first = _next_number(INSTRUCTOR_PREFIX)
    instructor_ids = list(db.session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [{"phone": f"{INSTRUCTOR_PREFIX}{first + n:08d}", "display_name": person_name(rng) + "老师",
          "village": "县培训中心", "role": "instructor", "password_hash": password_hash,
          "active": True,
          "created_at": now - timedelta(days=rng.randint(400, 700))} for n in range(instructors)],
    ))
    plans = []
    for number, code in enumerate(_join_codes(cohorts, rng), start=1):
        village = village_name(rng)
        starts = now - timedelta(days=rng.randint(7, 540), hours=rng.randint(0, 23))
        plans.append((village, starts, _program(shapes, rng), {
            "name": f"{village}电商培训第{number}期", "location": f"{village}村委会", "join_code": code,
            "starts_on": starts.date(), "ends_on": (starts + timedelta(days=rng.choice((3, 5, 7, 14)))).date(),
            "capacity": None, "join_open": starts > now - timedelta(days=30),
            "created_at": starts - timedelta(days=rng.randint(3, 20)),
            "created_by_id": instructor_ids[(number - 1) % instructors],
        }))
    cohort_ids = list(db.session.scalars(
        insert(Cohort).returning(Cohort.id, sort_by_parameter_order=True), [plan[3] for plan in plans],
    ))
    db.session.execute(insert(cohort_instructor), [
        {"cohort_id": cohort_id, "user_id": instructor_ids[index % instructors]}
        for index, cohort_id in enumerate(cohort_ids)
    ])
    db.session.execute(insert(cohort_course), [
        {"cohort_id": cohort_id, "course_id": shape.id}
        for cohort_id, plan in zip(cohort_ids, plans, strict=True) for shape in plan[2]
    ])
    report.instructors += instructors
    report.cohorts += cohorts
    return [Workshop(id=cohort_id, village=plan[0], starts=plan[1], program=plan[2])
            for cohort_id, plan in zip(cohort_ids, plans, strict=True)]


# ---------------------------------------------------------------- certificates


def _certificate_snapshot(course: Course) -> dict:
    """The certificate columns every holder of this course shares (see lms.certificates.issuing)."""
    if "certificate" not in db.metadata.tables or not course.certificate:
        return {}
    from flask import current_app

    from lms.certificates.issuing import organisation_from

    organisation = organisation_from(current_app.config)
    return {
        "course_id": course.id, "issue_number": 1, "state": "valid",
        "course_titles": dict(course.titles or {}), "course_language": course.language,
        "track_names": dict(course.track.names or {}) if course.track else {},
        "specialty_names": dict(course.specialty.names or {}) if course.specialty else {},
        "level": course.level, "hours": course.hours,
        "org_name": organisation.name, "org_name_en": organisation.name_en,
        "signatories": organisation.signatories,
    }


# ---------------------------------------------------------------- trainees


@dataclass
class Batch:
    users: list[dict] = field(default_factory=list)
    workshop_of: list[Workshop] = field(default_factory=list)
    joined: list[datetime] = field(default_factory=list)


@dataclass
class Rows:
    members: list[dict] = field(default_factory=list)
    enrolments: list[dict] = field(default_factory=list)
    progress: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    open_attempts: list[dict] = field(default_factory=list)  # no answers yet: their JSON columns stay NULL
    certificates: list[dict] = field(default_factory=list)


def _clock(start: datetime, now: datetime):
    """Moments after `start`, an activity at a time, never later than `now`."""
    moment = start

    def later(rng: random.Random, minutes: tuple[int, int] = (3, 90)) -> datetime:
        nonlocal moment
        step = timedelta(minutes=rng.randint(*minutes))
        if rng.random() < 0.3:
            step += timedelta(days=rng.randint(1, 6))
        moment = min(moment + step, now)
        return moment

    return later


def _follow_course(user_id: int, name: str, shape: CourseShape, engagement: float, later, rng: random.Random,
                   rows: Rows, new_code: Callable[[], str] | None) -> bool:
    """One trainee's path through one course. Returns True when they completed it."""
    enrolled_at = later(rng)
    last = enrolled_at
    finished_all = True
    for item_id, is_quiz in shape.items:
        if rng.random() > 0.78 + 0.21 * engagement:  # stops here for now
            finished_all = False
            break
        if not is_quiz:
            last = later(rng)
            rows.progress.append({"user_id": user_id, "item_id": item_id, "completed_at": last, "updated_at": last,
                                  "best_score": None})
            continue
        templates = shape.templates.get(item_id) or []
        if not templates:
            finished_all = False
            break
        best, passed_at, number = None, None, 0
        for number in range(1, rng.choice((1, 1, 1, 2, 2, 3)) + 1):
            # Skilled (engaged) trainees draw from the better half of the graded attempts.
            index = min(len(templates) - 1, int(len(templates) * (rng.random() * 0.7 + engagement * 0.45)))
            template = templates[index]
            started = later(rng, (1, 20))
            last = later(rng, (2, 12))
            rows.attempts.append({
                "user_id": user_id, "item_id": item_id, "number": number, "language": shape.language,
                "layout": template.layout, "answers": template.answers, "results": template.results,
                "score": template.score, "passed": template.passed, "started_at": started, "submitted_at": last,
            })
            best = template.score if best is None else max(best, template.score)
            if template.passed:
                passed_at = last
                break
        if rng.random() < 0.02:  # opened another attempt and left it
            rows.open_attempts.append({
                "user_id": user_id, "item_id": item_id, "number": number + 1, "language": shape.language,
                "layout": templates[0].layout, "started_at": later(rng, (1, 20)),
            })
        rows.progress.append({"user_id": user_id, "item_id": item_id, "completed_at": passed_at, "updated_at": last,
                              "best_score": best})
        if passed_at is None:
            finished_all = False
            break
    completed_at = last if finished_all else None
    rows.enrolments.append({"user_id": user_id, "course_id": shape.id, "enrolled_at": enrolled_at,
                            "last_activity_at": last, "completed_at": completed_at})
    if completed_at and shape.snapshot and new_code:
        rows.certificates.append({**shape.snapshot, "code": new_code(), "user_id": user_id, "holder_name": name,
                                  "issued_at": completed_at, "completed_at": completed_at})
    return finished_all


def _trainee_rows(user_ids: list[int], batch: Batch, now: datetime, rng: random.Random,
                  new_code: Callable[[], str] | None) -> Rows:
    rows = Rows()
    for user_id, user, workshop, joined in zip(user_ids, batch.users, batch.workshop_of, batch.joined, strict=True):
        rows.members.append({"cohort_id": workshop.id, "user_id": user_id, "joined_at": joined})
        engagement = rng.random()
        later = _clock(joined, now)
        completed: set[str] = set()
        for position, shape in enumerate(workshop.program):
            if any(required not in completed for required in shape.requires):
                break  # locked until the prerequisite is complete
            if rng.random() > (0.92 if position == 0 else 0.55 + 0.4 * engagement):
                break
            if _follow_course(user_id, user["display_name"], shape, engagement, later, rng, rows, new_code):
                completed.add(shape.slug)
            elif rng.random() < 0.7:
                break
    return rows


def _write(model_or_table, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(model_or_table), rows)


def seed_database(trainees: int, cohorts: int, password_hash: str, seed: int = 2024,
                  progress: Callable[[int], None] | None = None, now: datetime | None = None) -> SeedReport:
    """Generate `trainees` trainees in `cohorts` workshops (plus their instructors) and commit them batch by batch.

    `progress` is called with the number of trainees written after each batch.
    """
    if trainees < 1 or cohorts < 1:
        raise SeedError(_("Trainees and workshops must be at least 1."))
    if cohorts > trainees:
        raise SeedError(_("There cannot be more workshops than trainees."))
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or utcnow()
    report = SeedReport()
    shapes = catalog_shapes(rng)
    workshops = _create_staff_and_workshops(cohorts, shapes, password_hash, now, rng, report)
    db.session.commit()

    certificate_table = db.metadata.tables.get("certificate")
    new_code = None
    if certificate_table is not None:
        from lms.certificates.codes import new_code

    first = _next_number(TRAINEE_PREFIX)
    for offset in range(0, trainees, TRAINEES_PER_BATCH):
        batch = Batch()
        for number in range(offset, min(trainees, offset + TRAINEES_PER_BATCH)):
            workshop = workshops[number % len(workshops)]
            joined = min(now, workshop.starts + timedelta(hours=rng.randint(0, 48), minutes=rng.randint(0, 59)))
            batch.workshop_of.append(workshop)
            batch.joined.append(joined)
            batch.users.append({
                "phone": f"{TRAINEE_PREFIX}{first + number:08d}", "display_name": person_name(rng),
                "village": workshop.village if rng.random() < 0.85 else village_name(rng), "role": "trainee",
                "password_hash": password_hash, "active": rng.random() > 0.01,
                "locale": None, "created_at": joined - timedelta(minutes=rng.randint(1, 600)),
            })
        user_ids = list(db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True), batch.users,
        ))
        rows = _trainee_rows(user_ids, batch, now, rng, new_code)
        _write(CohortMember, rows.members)
        _write(Enrolment, rows.enrolments)
        _write(ItemProgress, rows.progress)
        _write(QuizAttempt, rows.attempts)
        _write(QuizAttempt, rows.open_attempts)
        if certificate_table is not None:
            _write(certificate_table, rows.certificates)
        db.session.commit()
        report.trainees += len(user_ids)
        report.enrolments += len(rows.enrolments)
        report.completions += sum(1 for row in rows.enrolments if row["completed_at"])
        report.progress += len(rows.progress)
        report.attempts += len(rows.attempts) + len(rows.open_attempts)
        report.certificates += len(rows.certificates)
        if progress:
            progress(len(user_ids))
    report.seconds = time.perf_counter() - started
    return report
