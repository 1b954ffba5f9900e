"""Check-in at the venue in a real Chromium: the projector's rotating code, trainees on 360 px phones,
the instructor's roll call on a phone, and a certificate that waits for attendance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.accounts.models import User
from lms.attendance.codes import current_code
from lms.attendance.models import Attendance, AttendanceSession
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning.progress import find_course
from tests.attendance.conftest import NINE_AM, Clock
from tests.browser.conftest import PHONE, serving
from tests.certificates.conftest import complete_course
from tests.cohorts.factories import make_cohort
from tests.conftest import _PASSWORD_HASH, PASSWORD

SECRET = "browser-test-key"


def seed_hall(app) -> dict:
    instructor = User(phone="13800000002", display_name="王老师", role="instructor", password_hash=_PASSWORD_HASH)
    trainees = [User(phone=f"1390000000{n}", display_name=name, village=village, role="trainee",
                     password_hash=_PASSWORD_HASH)
                for n, (name, village) in enumerate([("吕振鸿", "北山村"), ("张桂兰", "南岭村")])]
    db.session.add_all([instructor, *trainees])
    db.session.commit()
    cohort = make_cohort("北山村开网店班", courses=[find_course("shop-basics")], instructors=[instructor],
                         members=trainees)
    cohort.attendance_required_percent = 80
    session = AttendanceSession(cohort_id=cohort.id, starts_at=NINE_AM, ends_at=NINE_AM + timedelta(hours=2),
                                place="北山村村委会", topic="拍商品照片", credited_minutes=120)
    db.session.add(session)
    db.session.commit()
    return {"session": session.id, "cohort": cohort.id, "trainees": [t.id for t in trainees], "app": app}


@pytest.fixture
def clock():
    return Clock(NINE_AM + timedelta(minutes=2))


@pytest.fixture
def hall(tmp_path, clock):
    with serving(tmp_path / "live.sqlite3", seed_hall, LMS_ATTENDANCE_CLOCK=clock) as served:
        yield served


def sign_in(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_the_projector_code_rotates_and_an_old_code_expires_after_its_grace(browser, hall, clock):
    base, ids = hall
    projector = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page()
    sign_in(projector, base, "13800000002")
    projector.goto(base + f"/sessions/{ids['session']}/projector")
    code = projector.locator("[data-code]")
    first = code.inner_text()
    assert first == current_code(SECRET, ids["session"], clock())
    qr_before = projector.locator("[data-qr]").inner_html()
    clock.advance(seconds=30)
    expect(code).not_to_have_text(first, timeout=12_000)  # the script fetched the next code
    assert projector.locator("[data-qr]").inner_html() != qr_before

    trainee = browser.new_context(**PHONE).new_page()
    sign_in(trainee, base, "13900000000")
    clock.advance(seconds=30)  # the first code is now two windows old
    trainee.goto(base + "/checkin")
    trainee.get_by_label("签到码").fill(first)
    trainee.get_by_role("button", name="签到").click()
    expect(trainee.locator(".field-error")).to_contain_text("过期")


def test_a_phone_checks_in_by_the_qr_link_and_another_by_typing_the_code(browser, hall, clock):
    base, ids = hall
    scanner = browser.new_context(**PHONE).new_page()
    link = f"{base}/checkin/{ids['session']}/{current_code(SECRET, ids['session'], clock())}"
    scanner.goto(link)  # signed out: sign in first, then back, checked in
    scanner.get_by_label("手机号").fill("13900000000")
    scanner.get_by_label("密码").fill(PASSWORD)
    scanner.get_by_role("button", name="登录").click()
    expect(scanner.locator("[data-answer]")).to_have_attribute("data-answer", "checked_in")
    assert scanner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    typist = browser.new_context(**PHONE).new_page()
    sign_in(typist, base, "13900000001")
    typist.goto(base + "/checkin")
    typist.get_by_label("签到码").fill(current_code(SECRET, ids["session"], clock()).lower())
    typist.get_by_role("button", name="签到").click()
    expect(typist.locator("[data-answer]")).to_have_attribute("data-answer", "checked_in")
    scanner.goto(link)
    expect(scanner.locator("[data-answer]")).to_have_attribute("data-answer", "already")


def test_the_instructor_corrects_a_mark_on_a_phone_and_the_certificate_follows(browser, hall, clock):
    base, ids = hall
    absent_id = ids["trainees"][1]
    instructor = browser.new_context(**PHONE).new_page()
    sign_in(instructor, base, "13800000002")
    instructor.goto(base + f"/sessions/{ids['session']}/roll-call")
    row = instructor.locator(f"#member-{absent_id}")
    row.get_by_role("button", name="缺勤").click()
    expect(instructor.locator(f"#member-{absent_id} .roll-call-status")).to_have_attribute("data-status", "absent")
    assert instructor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with ids["app"].app_context():
        trainee = db.session.get(User, absent_id)
        assert complete_course(trainee, find_course("shop-basics")) is None  # 0 of 1 session: below 80 %

    instructor.locator(f"#member-{absent_id}").get_by_role("button", name="出勤").click()
    expect(instructor.locator(f"#member-{absent_id} .roll-call-status")).to_have_attribute("data-status", "present")
    with ids["app"].app_context():
        certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == absent_id))
        assert certificate is not None and certificate.attended_hours == 2
        assert db.session.scalar(select(Attendance.status).where(Attendance.user_id == absent_id)) == "present"
