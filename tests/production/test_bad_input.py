"""Whatever a phone, a broken proxy or a curious visitor sends, the answer is a clear page, never a 500.

Malformed and oversized posts, wrong types in quiz answers, unknown ids, ids and numbers beyond
what the database holds, and broken UTF-8 get 400, 404 or 413 with the error page in the reader's
language. Hypothesis sends absurd query strings and form bodies to every route of the site as
each role, generates quiz answers (through the real form post and through the grader) and whole
course folders (the course parser reports problems; it never raises anything but its own
validation error).
"""

from __future__ import annotations

import gc
import io
import random
import re
import socket
import string
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from flask import got_request_exception
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from lms.certificates.models import Certificate
from lms.cohorts.importing import parse_upload
from lms.cohorts.invitations import invite
from lms.cohorts.models import Cohort, CohortInvitation, CohortMember, TraineeImport
from lms.cohorts.workshops import new_join_code
from lms.content.models import CourseItem
from lms.content.parser import load_catalog, parse_course, parse_tracks, read_folder
from lms.content.problems import CourseValidationError, Problem
from lms.content.versions import CourseVersion
from lms.extensions import db
from lms.learning.progress import enrol
from lms.quizzes.attempts import start_attempt
from lms.quizzes.grading import draw_layout, grade_attempt
from lms.quizzes.models import QuizAttempt
from lms.studio.models import CourseAuthor
from tests.conftest import COURSES, PASSWORD, csrf_token_from
from tests.reports.factories import enrol as enrol_with_dates

# Bounded in time for CI: no example database on disk, and no shrinking (a failing example is printed as found).
FAST = settings(deadline=None, database=None, max_examples=200, phases=[Phase.explicit, Phase.generate])
THROUGH_THE_APP = settings(deadline=None, database=None, max_examples=60, phases=[Phase.explicit, Phase.generate],
                           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ERROR_PAGE = "错误代码"  # every error page names its code, in Chinese by default
SAFE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
TRACKS, _ = parse_tracks((COURSES / "tracks.yml").read_text(encoding="utf-8"))
VALID_COURSE = read_folder(COURSES / "shop-basics")
QUESTIONS = next(item for item in parse_course("shop-basics", VALID_COURSE, TRACKS)[0].items
                 if item.kind == "quiz").questions["zh"]


def error_page(response, status: int) -> None:
    assert response.status_code == status, response.status_code
    html = response.get_data(as_text=True)
    assert ERROR_PAGE in html and f"{status}" in html


# ---------------------------------------------------------------- posts and addresses


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_oversized_posts_get_a_413_page(client):
    """(Werkzeug leaves the spooled file of a refused multipart part for the garbage collector.)"""
    error_page(client.post("/login", data={"phone": "1" * 600_000, "password": "x"},
                           content_type="multipart/form-data"), 413)
    assert client.post("/login", data={"phone": "1" * 600_000, "password": "x"}).status_code == 400
    huge = b"x" * (16 * 1024 * 1024 + 1)
    error_page(client.post("/login", data=huge, content_type="application/x-www-form-urlencoded"), 413)
    page = client.post("/login", data=huge, content_type="application/x-www-form-urlencoded").get_data(as_text=True)
    assert "文件太大" in page
    gc.collect()


@pytest.mark.parametrize(("body", "content_type"), [
    (b"--nope\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n139", "multipart/form-data; boundary=other"),
    (b"phone=139", "multipart/form-data"),
    (b"phone=%zz%&password=%%", "application/x-www-form-urlencoded"),
    (b'{"phone": "13900000000", "password": "x"}', "application/json"),
    (b"\xff\xfe\x00\x01\x02", "application/octet-stream"),
    (b"phone=%FF%FE%C3%28&password=%ED%A0%80", "application/x-www-form-urlencoded"),
])
def test_malformed_sign_in_posts_are_refused_with_a_400_page(client, trainee, body, content_type):
    error_or_form = client.post("/login", data=body, content_type=content_type)
    assert error_or_form.status_code == 400
    assert "登录" in error_or_form.get_data(as_text=True) or ERROR_PAGE in error_or_form.get_data(as_text=True)


def test_broken_utf8_in_addresses_gives_404_not_500(client, auth, trainee, courses):
    auth.login(trainee)
    for path in ("/courses/%FF%FE/", "/courses/shop-basics/%C3%28", "/attempts/%FF", "/workshops/%ED%A0%80/",
                 "/courses/shop-basics/media/%FF.svg"):
        error_page(client.get(path), 404)
    assert client.get("/?q=%FF%FE&next=%C3%28").status_code == 200


def test_a_nul_character_anywhere_or_a_query_string_not_in_utf8_gets_a_400_page(client, auth, make_user, courses):
    """PostgreSQL can neither store nor compare text holding a NUL, and Werkzeug cannot read a query string
    that is not UTF-8 (a phone's broken browser, a scanner), so both are refused before any view runs."""
    auth.login(make_user("admin"))
    for path in ("/courses/%00/", "/verify/%00", "/join/ab%00", "/?q=%00", "/admin/users/?q=%00",
                 "/certificates/x%00.pdf", "/admin/users/?a%00=1"):
        error_page(client.get(path), 400)
    for raw_query in ("q=\xc3(", "q=\x00", "page=\xff\xfe"):  # as a server hands over bytes it did not decode
        error_page(client.get("/admin/users/", environ_overrides={"QUERY_STRING": raw_query}), 400)
    assert client.get("/admin/users/?q=%C3%28").status_code == 200  # escaped broken UTF-8 is read with a stand-in
    error_page(client.post("/login", data={"phone": "139\x00", "password": "x"}), 400)
    error_page(client.post("/workshops/new", data={"name": "北山\x00村班"}), 400)
    error_page(client.post("/workshops/import", data={"file": (io.BytesIO(b"a,b"), "名单\x00.csv")}), 400)
    assert client.get("/?q=%E6%9D%91").status_code == 200


def test_unknown_and_malformed_ids_are_404(client, auth, make_user, courses):
    auth.login(make_user("instructor"))
    for path in ("/attempts/999999", "/attempts/-1", "/attempts/1e3", "/attempts/0x10", "/courses/nowhere/",
                 "/courses/shop-basics/no-such-lesson", "/workshops/999999/", "/workshops/999999/progress",
                 "/workshops/1/trainees/999999", "/courses/shop-basics/media/none.png"):
        error_page(client.get(path), 404)
    error_page(client.post("/attempts/999999", data={"q0": "1"}), 404)
    error_page(client.post("/courses/nowhere/enrol"), 404)


def test_someone_elses_attempt_looks_like_it_does_not_exist(client, auth, make_user, courses):
    owner = make_user()
    enrol(owner, courses["shop-basics"])
    item = db.session.scalar(select(CourseItem).where(CourseItem.slug == "basics-check"))
    attempt = start_attempt(owner, item, "zh")
    db.session.commit()
    auth.login(make_user())
    error_page(client.get(f"/attempts/{attempt.id}"), 404)
    error_page(client.post(f"/attempts/{attempt.id}", data={"q0": "1"}), 404)
    db.session.refresh(attempt)
    assert attempt.submitted_at is None


# ---------------------------------------------------------------- numbers beyond the database

# A 4-byte id's first number too many (PostgreSQL "integer out of range"), an 8-byte one's (SQLite "int too large"),
# one beyond a float, one beyond Python's digit limit for int().
BEYOND_THE_DATABASE = ["2147483648", "9223372036854775808", "9" * 400, "9" * 5000]


def path_with(rule, numbers: str, others: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        return numbers if converter == "int" else others.get(name, "x")

    return re.sub(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([^>]+)>", value, rule.rule)


def test_an_id_beyond_the_database_is_not_found_on_every_route(app, client, auth, make_user, courses):
    auth.login(make_user("admin"))
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert len(rules) > 25
    others = {"slug": "shop-basics", "item_slug": "choose-product"}
    for rule in rules:
        for number in BEYOND_THE_DATABASE:
            path = path_with(rule, number, others)
            for method in sorted(rule.methods & {"GET", "POST"}):
                error_page(client.open(path, method=method), 404)


# ---------------------------------------------------------------- every route, every role

ROLES = ("anonymous", "trainee", "instructor", "admin")
SWEEP_EXAMPLES = 8


@dataclass
class Site:
    """One of everything a route can be about, so that absurd input reaches past the 404s."""

    phones: dict[str, str]
    path_values: dict[str, str]  # by argument name, or "endpoint:name" where one endpoint needs its own


@pytest.fixture
def site(make_user, courses) -> Site:
    admin, instructor, trainee = make_user("admin"), make_user("instructor"), make_user("trainee")
    basics = courses["shop-basics"]
    cohort = Cohort(name="北山村开店班", location="村委会", join_code=new_join_code(), courses=[basics],
                    instructors=[instructor], created_by_id=instructor.id)
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=trainee.id))
    other = Cohort(name="南岭村班", join_code=new_join_code(), courses=[basics], instructors=[instructor])
    db.session.add(other)
    db.session.flush()
    invite(other, trainee, instructor)
    enrolment = enrol_with_dates(trainee, basics, datetime(2025, 3, 1, tzinfo=UTC),
                                 completed_at=datetime(2025, 3, 9, tzinfo=UTC), certificate=True)
    quiz = db.session.scalar(select(CourseItem).where(CourseItem.slug == "basics-check"))
    attempt = start_attempt(trainee, quiz, "zh")
    batch = TraineeImport(created_by_id=instructor.id, filename="名单.csv", cohort_id=cohort.id,
                          rows=parse_upload("姓名,手机,村\n新学员,13912345678,北山村\n".encode()))
    db.session.add_all([batch, CourseAuthor(course_slug="shop-basics", user_id=instructor.id)])
    db.session.commit()
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == trainee.id))
    invitation = db.session.scalar(select(CohortInvitation).where(CohortInvitation.user_id == trainee.id))
    version = db.session.scalar(select(CourseVersion).where(CourseVersion.course_slug == "shop-basics"))
    assert enrolment.completed_at and certificate and invitation and version
    return Site(
        phones={"trainee": trainee.phone, "instructor": instructor.phone, "admin": admin.phone},
        path_values={
            "cohort_id": str(cohort.id), "user_id": str(trainee.id), "attempt_id": str(attempt.id),
            "certificate_id": str(certificate.id), "import_id": str(batch.id),
            "invitation_id": str(invitation.id), "version_id": str(version.id),
            "number": str(version.number), "slug": "shop-basics", "item_slug": "basics-check",
            "path": "shelf.svg", "filename": "app.css", "source": str(version.number), "code": certificate.code,
            "token": "not-a-real-token", "cohorts.join_link:code": cohort.join_code,
        },
    )


def form_field_names() -> list[str]:
    """Every field name of every form of the site, and the names views read from the request themselves."""
    forms, names = [FlaskForm], set()
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        names |= {name for name in dir(form) if isinstance(getattr(form, name, None), UnboundField)}
    return sorted(names | {"page", "before", "actor", "idle", "sort", "dir", "cohort", "next", "phone", "sent", "v",
                           "start", "answer", "state", "action", "path", "language", "which", "q0", "q1"})


FIELD_NAMES = form_field_names()
FILE_FIELDS = ["file", "archive", "image"]
NUMBERS = st.one_of(
    st.sampled_from(BEYOND_THE_DATABASE + ["2147483647", "-2147483649", "-9223372036854775809", "1e400", "-0", "0",
                                           "-1", "1", "7", "60", "61", "5001", "1.5", "NaN", "inf", "0x10", "１２",
                                           "٣", " 7 ", "+5", "1_000", "1,000"]),
    st.integers().map(str),
    st.floats().map(str),
)
ABSURD = st.one_of(
    NUMBERS,
    SAFE_TEXT,
    st.just(""),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=3).map(lambda t: t * 2000),
    st.sampled_from(["\x00", "a\x00b", "<script>alert(1)</script>", "../../../etc/passwd", "%00", "%FF", "{{ 7*7 }}",
                     "'; DROP TABLE user; --", "＝1+1", "\u202e", "🙂" * 30, "null", "true", "[]", "{}", "2025-02-30",
                     "9999-12-31", "0000-00-00", "everywhere", "others", "join", "decline", "admin", "all", "new",
                     "desc", "item-1", "item-" + "9" * 30, "https://evil.example/", "//evil.example", "draft"]),
)
VALUES = st.one_of(ABSURD, st.lists(ABSURD, max_size=3))
QUERY = st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), SAFE_TEXT), VALUES, max_size=4)
BODY = st.dictionaries(st.sampled_from(FIELD_NAMES), VALUES, max_size=6)
UPLOADS = st.dictionaries(st.sampled_from(FILE_FIELDS), st.tuples(
    st.one_of(st.binary(max_size=100), st.sampled_from([b"name,phone\n\xe5\x90\x95,139\n", b"PK\x03\x04" + b"\x00" * 30,
                                                        b"\x89PNG\r\n\x1a\n", b"<svg onload=alert(1)/>"])),
    st.sampled_from(["名单.csv", "course.zip", "photo.png", "a.svg", "../../x.csv", "", "x" * 300])), max_size=1)
PATH_VALUE = st.one_of(NUMBERS, SAFE_TEXT.filter(bool), st.sampled_from(["..", ".", "%2e%2e", "a/b", "draft",
                                                                           "x" * 3000, "\x00", "shop-basics"]))


# The sweep goes through the site a part at a time (a part is a blueprint; "site" holds the small ones), so that
# each example stays small enough for Hypothesis and a failure names its part.
PARTS = ("accounts", "signin_links", "learning", "content", "quizzes", "certificates", "cohorts", "reports", "studio",
         "site")


def part_of(endpoint: str) -> str:
    blueprint = endpoint.partition(".")[0] if "." in endpoint else "site"
    return blueprint if blueprint in PARTS else "site"


def requests_of(app, part: str) -> list[tuple[object, str]]:
    return [(rule, method) for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
            for method in sorted(rule.methods & {"GET", "POST"}) if part_of(rule.endpoint) == part]


def test_the_sweep_reaches_every_route(app):
    swept = [(rule.rule, method) for part in PARTS for rule, method in requests_of(app, part)]
    routes = [(rule.rule, method) for rule in app.url_map.iter_rules() for method in rule.methods & {"GET", "POST"}]
    assert sorted(swept) == sorted(routes) and len(routes) > 90
    assert all(requests_of(app, part) for part in PARTS)


@st.composite
def absurd_request(draw, rule, values: dict[str, str]):
    """A path for `rule` with the site's real objects or absurd values, an absurd query string and body."""
    def segment(match: re.Match) -> str:
        name = match.group(1)
        real = values.get(f"{rule.endpoint}:{name}", values.get(name, "1"))
        return quote(draw(st.one_of(st.just(real), st.just(real), PATH_VALUE)), safe="/" if "path" in match.group(0)
                     else "")

    path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", segment, rule.rule)
    return path, draw(QUERY), draw(BODY), draw(UPLOADS)


class Visitor:
    """A phone signed in as one role (or none), signed in again whenever a request ended its session."""

    def __init__(self, app, phone: str | None):
        self.app, self.phone = app, phone
        self.sign_in()

    def sign_in(self) -> None:
        self.client = self.app.test_client()
        self.token = csrf_token_from(self.client.get("/login").get_data(as_text=True))
        if self.phone is not None:
            self.client.post("/login", data={"phone": self.phone, "password": PASSWORD, "csrf_token": self.token})
            assert self.still_signed_in()

    def still_signed_in(self) -> bool:
        return self.phone is None or self.client.get("/account/password").status_code == 200


@pytest.fixture
def visitor(app, site, role) -> Visitor:
    return Visitor(app, site.phones.get(role))


@pytest.fixture
def server_errors(app) -> list[BaseException]:
    """What the site raised while answering (it answers them with its 500 page, as in production)."""
    raised: list[BaseException] = []

    def record(sender, exception, **extra):
        raised.append(exception)

    got_request_exception.connect(record, app)
    yield raised
    got_request_exception.disconnect(record, app)


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.app_config(WTF_CSRF_ENABLED=True, PROPAGATE_EXCEPTIONS=False)
@settings(THROUGH_THE_APP, max_examples=SWEEP_EXAMPLES)
@given(data=st.data())
def test_no_route_answers_500_to_anything_anyone_sends(app, site, visitor, server_errors, role, part, data):
    """Every route of the site, GET and POST, with absurd paths, query strings and form bodies (with a valid
    CSRF token, so the forms are read), as each role: the answer is never a 500."""
    requests = [(method, *data.draw(absurd_request(rule, site.path_values), label=f"{method} {rule.rule}"))
                for rule, method in requests_of(app, part)]  # all drawn first: a replay draws the same
    for method, path, query, body, uploads in requests:
        form = {**body, **{name: (io.BytesIO(content), filename) for name, (content, filename) in uploads.items()}}
        if method == "POST":
            form["csrf_token"] = visitor.token
        response = visitor.client.open(path, method=method, query_string=query, data=form if method == "POST" else None)
        response.get_data()  # a streamed download runs to its end (and may fail there)
        response.close()
        assert response.status_code < 500 and not server_errors, \
            f"{method} {path[:300]} as {role}: {response.status_code} {server_errors}"
        if method == "POST" and not visitor.still_signed_in():  # signing out, or "everywhere", ended the session
            visitor.sign_in()


# ---------------------------------------------------------------- quiz answers


@pytest.fixture
def open_quiz(app, auth, trainee, courses):
    """The trainee signed in and enrolled, with a quiz that allows any number of attempts."""
    auth.login(trainee)
    enrol(trainee, courses["shop-basics"])
    item = db.session.scalar(select(CourseItem).where(CourseItem.slug == "basics-check"))
    item.attempts_allowed = 0
    db.session.commit()

    def new_attempt() -> QuizAttempt:
        attempt = start_attempt(trainee, item, "zh")
        db.session.commit()
        return attempt

    return new_attempt


def test_wrong_types_in_quiz_answers_are_graded_as_wrong(client, open_quiz):
    attempt = open_quiz()
    response = client.post(f"/attempts/{attempt.id}", data={
        "q0": ["0", "1", "2", "99", "-1", "x"], "q1": "not-a-list", "q2": "二十块", "q3": "", "q4": "maybe",
        "q5": "extra", "q99": "far", "q": "none", "csrf_token": "ignored",
    })
    assert response.status_code == 302
    db.session.refresh(attempt)
    assert attempt.submitted_at is not None and 0 <= attempt.score < 100
    assert set(attempt.answers) <= {str(n) for n in range(len(attempt.layout))}
    assert client.get(f"/attempts/{attempt.id}").status_code == 200


ANSWER = st.one_of(
    SAFE_TEXT,
    st.sampled_from(["0", "1", "2", "3", "-1", "99", "true", "false", "20", "２０", "20元", "¥20", "1e999", "nan",
                     "inf", "旺旺", " 旺 旺 ", "", "\x00", "<script>", "{{ 7*7 }}", "%s%s", "'; DROP TABLE user; --"]),
    st.text(max_size=3).map(lambda t: t * 300),  # longer than any field allows
)
FORM = st.dictionaries(
    keys=st.one_of(st.sampled_from([f"q{n}" for n in range(7)]), st.text(alphabet=string.printable, max_size=8)),
    values=st.one_of(ANSWER, st.lists(ANSWER, max_size=70)),
    max_size=10,
)


@THROUGH_THE_APP
@given(form=FORM)
def test_any_quiz_form_is_graded_once_and_shown_never_500(client, open_quiz, form):
    attempt = open_quiz()
    response = client.post(f"/attempts/{attempt.id}", data=form)
    sent = [*form, *(text for value in form.values() for text in (value if isinstance(value, list) else [value]))]
    if any("\x00" in text for text in sent):  # refused before any view reads it: PostgreSQL cannot hold a NUL
        error_page(response, 400)
        db.session.refresh(attempt)
        assert attempt.submitted_at is None
        return
    assert response.status_code == 302
    db.session.refresh(attempt)
    assert attempt.submitted_at is not None and 0 <= attempt.score <= 100
    assert set(attempt.answers) <= {str(n) for n in range(len(attempt.layout))}
    assert all(len(v) <= 500 if isinstance(v, str) else len(v) <= 50 for v in attempt.answers.values())
    assert client.get(f"/attempts/{attempt.id}").status_code == 200  # the result page shows whatever was sent


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | SAFE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SAFE_TEXT, inner, max_size=3),
    max_leaves=8,
)


@FAST
@given(answers=st.dictionaries(st.sampled_from(["0", "1", "2", "3", "4", "5", "x", ""]), JSON_VALUES),
       seed=st.integers(0, 2**32), partial=st.booleans(), pass_mark=st.integers(0, 100))
def test_grading_accepts_any_answer_values(answers, seed, partial, pass_mark):
    questions = QUESTIONS
    layout = draw_layout(len(questions), [len(q.get("options") or []) for q in questions], 3, True,
                         random.Random(seed))
    grade = grade_attempt(questions, layout, answers, pass_mark, partial)
    assert 0 <= grade.score <= 100 and len(grade.results) == len(layout)
    assert grade.passed == (grade.score >= pass_mark)


# ---------------------------------------------------------------- course files

FRONT_KEYS = ["title", "summary", "track", "specialty", "level", "language", "hours", "requires", "pass_mark",
              "certificate", "minutes", "attempts", "shuffle", "draw", "partial_credit", "colour", "1", "null"]
YAML_VALUES = st.one_of(
    SAFE_TEXT.map(lambda t: t.replace("\n", " ")),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["true", "no", "~", "null", "[a, b]", "[shop-basics]", "{x: 1}", "'open", '"open', "&a x", "*a",
                     "!!python/object/apply:os.system ['true']", "- x", ".inf", "-.inf", ".nan", "1e400", "0", "-5",
                     "entrepreneurship", "employment", "photography", "intro", "intermediate", "zh", "en", "fr",
                     "2024-01-01", "|", ">-", "[[[[", "{{{", "@", "`x`", "%TAG", "0x1F", "1_000", "3.5"]),
)
FRONT_LINE = st.one_of(st.builds("{}: {}".format, st.sampled_from(FRONT_KEYS), YAML_VALUES),
                       SAFE_TEXT.map(lambda t: t.replace("\n", " ")), st.just("  nested: value"), st.just("\t"))
BODY_LINE = st.one_of(
    st.sampled_from(["## 问题？", "## Question", "- [x] 对", "- [ ] 错", "- [] empty", "- [X] upper", "* [x] star",
                     "= 20 ± 0.5", "= 20 +- x",
                     "= 240 斤", "= 1.4±0.05米", "= 240 斤 ± 5", "= 5G", "= 3 | 4 天",
                     "= true", "= FALSE", "= ", "= a | | b", "= 旺旺 | Wangwang",
                     "> 反馈", "![图](media/a.svg)", "![](media/missing.png)", "![x](<media/a.svg>)",
                     "![x](https://example.com/x.png)", '!!! tip "试试"', "    缩进", "<script>alert(1)</script>",
                     "<img src=x onerror=alert(1)>", "| a | b |", "|---|---|", "```", "---", "",
                     "[link](javascript:x)"]),
    SAFE_TEXT,
)


@st.composite
def markdown_file(draw) -> bytes:
    front = draw(st.lists(FRONT_LINE, max_size=8))
    body = draw(st.lists(BODY_LINE, max_size=12))
    shape = draw(st.sampled_from(["normal", "normal", "normal", "unclosed", "none", "empty-front"]))
    if shape == "normal":
        text = "---\n" + "\n".join(front) + "\n---\n" + "\n".join(body)
    elif shape == "unclosed":
        text = "---\n" + "\n".join(front + body)
    elif shape == "empty-front":
        text = "---\n---\n" + "\n".join(body)
    else:
        text = "\n".join(body)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    mangle = draw(st.sampled_from(["none", "none", "none", "bom", "invalid", "truncate"]))
    if mangle == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mangle == "invalid":
        data += b"\n\xff\xfe\xc3\x28 broken"
    elif mangle == "truncate" and data:
        data = data[: draw(st.integers(0, len(data)))]
    return data


SVG = st.one_of(
    st.builds(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}">{}</svg>'.format,
        st.sampled_from(["100", "10.5", "9" * 400, "-1", "abc", "1e9", "100px", "50%", ""]),
        st.sampled_from(["80", "0", "9" * 400, "", "1px"]),
        st.sampled_from(["", "<script>alert(1)</script>", '<a href="https://evil.example">x</a>', '<g onload="x"/>',
                         "<foreignObject/>", "<rect/>", "&xxe;", "<![CDATA[x]]>"]),
    ),
    st.just('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><svg>&d;</svg>'),
    st.just('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>'),
    SAFE_TEXT,
).map(str.encode)
RASTER = st.one_of(
    st.binary(max_size=64),
    st.binary(max_size=48).map(lambda junk: b"\x89PNG\r\n\x1a\n" + junk),
    st.binary(max_size=48).map(lambda junk: b"\xff\xd8\xff\xe0" + junk),
    st.binary(max_size=48).map(lambda junk: b"GIF89a" + junk),
)
TEXT_NAMES = ["course.md", "course.md", "course.en.md", "course.fr.md", "01-intro.md", "01-intro.en.md",
              "02-check.quiz.md", "02-check.quiz.en.md", "03-Bad Name.md", "04-media.md", "00-x.quiz.zh.md",
              "notes.txt", "sub/01-a.md", ".hidden.md", "05-start.md", "06-intro.md"]
MEDIA_NAMES = ["media/a.svg", "media/b.png", "media/c.jpg", "media/d.gif", "media/e.bmp", "media/deep/f.svg",
               "media/g.webp"]


@st.composite
def course_files(draw) -> dict[str, bytes]:
    """Either a folder of generated files, or the valid fixture course with a few lines changed."""
    if draw(st.booleans()):
        files = {name: draw(markdown_file()) for name in draw(st.sets(st.sampled_from(TEXT_NAMES), max_size=6))}
    else:
        files = dict(VALID_COURSE)
        for name in draw(st.sets(st.sampled_from(sorted(n for n in files if n.endswith(".md"))), min_size=1,
                                 max_size=2)):
            lines = files[name].decode("utf-8").split("\n")
            for _ in range(draw(st.integers(1, 4))):
                position = draw(st.integers(0, len(lines)))
                if draw(st.booleans()) and position < len(lines):
                    del lines[position]
                else:
                    lines.insert(position, draw(st.one_of(FRONT_LINE, BODY_LINE)))
            files[name] = "\n".join(lines).encode("utf-8")
    for name in draw(st.sets(st.sampled_from(MEDIA_NAMES), max_size=3)):
        files[name] = draw(SVG if name.endswith(".svg") else RASTER)
    return files


@FAST
@given(files=course_files(), slug=st.sampled_from(["generated", "Bad Slug", "x" * 80, "media"]))
@example(files=VALID_COURSE, slug="shop-basics")
@example(files={**VALID_COURSE, "media/shelf.svg": b'<svg width="' + b"9" * 400 + b'"/>'}, slug="shop-basics")
def test_the_course_parser_only_ever_reports_problems(files, slug):
    course, problems = parse_course(slug, files, TRACKS)
    assert all(isinstance(problem, Problem) and problem.line >= 1 for problem in problems)
    assert all(str(problem).startswith(f"{problem.path}:{problem.line}: ") for problem in problems)  # each worded
    assert course is not None or problems


@settings(FAST, max_examples=60)
@given(files=course_files(), tracks=st.one_of(st.just((COURSES / "tracks.yml").read_bytes()), markdown_file()))
@example(files={}, tracks=b"tracks:\n  - slug: \xff\xfe broken")
def test_loading_a_folder_of_generated_files_raises_only_the_validation_error(files, tracks):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "tracks.yml").write_bytes(tracks)
        for name, content in files.items():
            path = root / "generated" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        try:
            catalog = load_catalog(root)
        except CourseValidationError as error:
            assert error.problems
        else:
            assert [course.slug for course in catalog.courses] == (["generated"] if files else [])


@FAST
@given(text=st.one_of(SAFE_TEXT, st.lists(FRONT_LINE, max_size=8).map("\n".join)))
def test_the_tracks_file_parser_only_ever_reports_problems(text):
    tracks, problems = parse_tracks(text)
    assert all(isinstance(problem, Problem) and str(problem) for problem in problems)


# ---------------------------------------------------------------- raw HTTP through gunicorn


def raw_request(port: int, payload: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(payload)
        connection.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    status_line = reply.split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), reply


@pytest.mark.slow
def test_raw_requests_a_test_client_cannot_send_never_reach_a_500(deployment, gunicorn):
    server = gunicorn(deployment)
    host = b"Host: 127.0.0.1\r\n"
    cases = [
        b"GET /courses/\xff\xfe/ HTTP/1.1\r\n" + host + b"\r\n",
        b"GET /?next=\xc3\x28 HTTP/1.1\r\n" + host + b"\r\n",
        b"GET / HTTP/1.1\r\n" + host + b"Cookie: session=\xff\xfe; remember_token=%%%\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + host + b"Accept-Language: \xff\xfe;q=x, zh;q=abc\r\n\r\n",
        b"POST /login HTTP/1.1\r\n" + host + b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 40\r\n\r\nphone=\xff\xfe&password=\xc3\x28",
        b"POST /login HTTP/1.1\r\n" + host + b"Content-Length: -5\r\n\r\n",
        b"POST /login HTTP/1.1\r\n" + host + b"Content-Length: 99999999999999999999\r\n\r\nx",
        b"POST /login HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nbroken\r\n",
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + host + b"\r\n",
        b"BREW /coffee HTCPCP/1.0\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40,  # a TLS hello on the plain port
    ]
    for payload in cases:
        try:
            status, reply = raw_request(server.port, payload)
        except (ConnectionResetError, IndexError, ValueError):
            continue  # gunicorn may simply close a connection that is not HTTP at all
        assert status < 500, (payload[:60], reply[:200], server.error_report())
    assert server.server_errors() == [], server.error_report()
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
