"""Issuing on completion: exactly once, with an unguessable code and a snapshot that later edits leave alone."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from lms.certificates.codes import ALPHABET, BITS, LENGTH, format_code, new_code, normalize_code
from lms.certificates.issuing import issue_certificate
from lms.certificates.models import Certificate
from lms.content.models import Course
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.learning.progress import enrol, finish_lesson, record_quiz_result
from tests.certificates.conftest import certificate_of
from tests.learning.test_journey import RIGHT, quiz_form, start_quiz


def count_certificates() -> int:
    return db.session.scalar(select(func.count(Certificate.id)))


def test_passing_the_last_quiz_issues_a_certificate_with_a_snapshot(client, auth, trainee, courses):
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    client.post("/courses/shop-basics/choose-product/finish")
    client.post("/courses/shop-basics/margin/finish")
    assert count_certificates() == 0
    url, page = start_quiz(client)
    client.post(url, data=quiz_form(page, RIGHT))

    certificate = db.session.scalar(select(Certificate))
    enrolment = db.session.scalar(select(Enrolment))
    assert certificate.user_id == trainee.id and certificate.state == "valid"
    assert certificate.holder_name == "吕振鸿"
    assert certificate.course_titles == {"zh": "开店基础", "en": "Shop basics"}
    assert certificate.track_names == {"zh": "创业", "en": "Entrepreneurship"}
    assert certificate.level == "intro" and certificate.hours == 1
    assert certificate.completed_at == enrolment.completed_at
    assert certificate.org_name == "县电子商务培训中心"
    assert certificate.org_name_en == "County E-commerce Training Centre"
    assert certificate.signatories[0]["title"] == "培训中心负责人"


def test_completion_writes_no_pdf_yet(completed, trainee):
    certificate = completed(trainee)
    from lms.certificates.models import CertificatePdf

    assert certificate is not None
    assert db.session.get(CertificatePdf, certificate.id) is None  # rendered on first download, not on completion


def test_a_course_without_certificate_issues_none(completed, trainee, courses):
    courses["shop-basics"].certificate = False
    db.session.commit()
    assert completed(trainee) is None
    assert count_certificates() == 0


def test_issuing_again_for_the_same_completion_returns_the_first_certificate(completed, trainee):
    first = completed(trainee)
    enrolment = db.session.scalar(select(Enrolment))
    again = issue_certificate(enrolment)
    db.session.commit()
    assert again.id == first.id and count_certificates() == 1


def test_two_completions_racing_issue_exactly_one_certificate(app, make_user, courses):
    """The last lesson is finished twice at the same moment (a double tap on a weak signal), each request in
    its own session: one completion, one certificate."""
    course = courses["shop-basics"]
    trainee = make_user(name="吕振鸿")
    enrol(trainee, course)
    items = course.items
    *earlier, last = [item for item in items if not item.is_quiz]
    for item in earlier:
        finish_lesson(trainee, item)
    record_quiz_result(trainee, next(item for item in items if item.is_quiz), 100.0, True)
    user_id, last_id = trainee.id, last.id
    db.session.commit()  # and start no new transaction: the test's own session must not hold the write lock
    start = threading.Barrier(2)
    completions: list[bool] = []
    errors: list[BaseException] = []

    def finish() -> None:
        try:
            with app.app_context():
                from lms.accounts.models import User
                from lms.content.models import CourseItem

                start.wait()  # SQLite then lets one writer in at a time; PostgreSQL runs both at once
                completions.append(finish_lesson(db.session.get(User, user_id), db.session.get(CourseItem, last_id)))
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=finish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(completions) == [False, True]
    assert count_certificates() == 1


def test_two_sessions_issuing_for_one_enrolment_at_once_make_one_certificate(app, completed, make_user, courses):
    """Even if completion were signalled twice, the unique (trainee, course, issue) row makes it exactly-once."""
    trainee = make_user()
    certificate = completed(trainee)
    db.session.delete(certificate)  # as if the completion had just been recorded
    enrolment_id = db.session.scalar(select(Enrolment.id))
    db.session.commit()
    start = threading.Barrier(2)
    codes: list[str] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            with app.app_context():
                start.wait()
                codes.append(issue_certificate(db.session.get(Enrolment, enrolment_id)).code)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count_certificates() == 1
    assert codes[0] == codes[1]


def test_codes_have_at_least_64_random_bits_and_no_ambiguous_characters():
    assert BITS >= 64
    assert not set("0O1IL") & set(ALPHABET)
    codes = {new_code() for _ in range(20_000)}
    assert len(codes) == 20_000
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in codes)
    # every symbol is drawn: nothing in the alphabet is dead weight that would shrink the randomness
    assert set("".join(codes)) == set(ALPHABET)


def test_typed_codes_are_read_leniently_but_never_guessed():
    code = new_code()
    printed = format_code(code)
    assert printed.count("-") == 2 and len(printed) == LENGTH + 2
    assert normalize_code(printed.lower()) == code
    assert normalize_code(" " + printed.replace("-", " ") + " ") == code
    assert normalize_code(code[:-1]) is None
    assert normalize_code(code[:-1] + "0") is None and normalize_code(code[:-1] + "O") is None
    assert normalize_code("") is None and normalize_code(None) is None


def test_certificate_codes_are_unique_in_the_database(completed, make_user, courses):
    certificates = [completed(make_user()) for _ in range(5)]
    assert len({c.code for c in certificates}) == 5
    duplicate = Certificate(code=certificates[0].code, user_id=certificates[1].user_id,
                            course_id=certificates[1].course_id, issue_number=9, holder_name="x",
                            course_language="zh", level="intro", completed_at=certificates[0].completed_at,
                            org_name="x")
    db.session.add(duplicate)
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_later_edits_of_profile_and_course_do_not_change_an_issued_certificate(client, completed, trainee, courses):
    certificate = completed(trainee)
    trainee.display_name = "吕振华"
    course = db.session.get(Course, certificate.course_id)
    course.titles = {"zh": "开店基础（新版）", "en": "Shop basics, new edition"}
    course.hours = 5
    db.session.commit()
    db.session.refresh(certificate)
    assert certificate.holder_name == "吕振鸿"
    assert certificate.course_titles["zh"] == "开店基础" and certificate.hours == 1
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "开店基础" in page and "开店基础（新版）" not in page


@pytest.mark.app_config(LMS_ORG_NAME="某某县人力资源和社会保障局", LMS_ORG_NAME_EN="County Human Resources Bureau",
                        LMS_SIGNATORIES=[{"title": "局长", "title_en": "Director", "name": "张三"}])
def test_organisation_and_signatories_come_from_configuration(completed, trainee):
    certificate = completed(trainee)
    assert certificate.org_name == "某某县人力资源和社会保障局"
    assert certificate.org_name_en == "County Human Resources Bureau"
    assert certificate.signatories == [{"title": "局长", "title_en": "Director", "name": "张三"}]


def test_issue_missing_gives_older_completions_their_certificates(runner, completed, make_user, courses):
    certificate = completed(make_user())
    db.session.delete(certificate)  # a completion from before certificates existed
    db.session.commit()
    result = runner.invoke(args=["certificates", "issue-missing"])
    assert result.exit_code == 0, result.output
    assert "Issued 1 certificate." in result.output
    assert count_certificates() == 1
    again = runner.invoke(args=["certificates", "issue-missing"])
    assert "Issued 0 certificates." in again.output


def test_unfinished_courses_have_no_certificate(make_user, courses):
    trainee = make_user()
    course = courses["shop-basics"]
    enrol(trainee, course)
    finish_lesson(trainee, next(i for i in course.items if not i.is_quiz))
    db.session.commit()
    assert certificate_of(trainee, course) is None
