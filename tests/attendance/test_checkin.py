"""Checking in at the venue: scanning the QR link or typing the short code, once, on time or late."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts.signin_links import issue_sign_in_link
from lms.attendance.codes import current_code
from lms.attendance.models import Attendance, AttendanceSession
from lms.extensions import db
from tests.cohorts.factories import make_cohort
from tests.conftest import error_next_to

ENGLISH = {"Accept-Language": "en"}
NEW_PASSWORD = "beishan-orchard-7"


def code_now(app, session, clock) -> str:
    return current_code(app.config["SECRET_KEY"], session.id, clock())


def marks(session) -> list[tuple[int, str]]:
    return [(m.user_id, m.status) for m in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id).order_by(Attendance.user_id))]


def test_a_trainee_scans_the_qr_link_and_is_marked_present_once(app, client, auth, workshop, session_now, clock):
    trainee = workshop[2][0]
    auth.login(trainee)
    clock.advance(minutes=5)
    link = f"/checkin/{session_now.id}/{code_now(app, session_now, clock)}"
    first = client.get(link)
    assert first.status_code == 200 and 'data-answer="checked_in"' in first.get_data(as_text=True)
    second = client.get(link).get_data(as_text=True)
    assert 'data-answer="already"' in second
    assert marks(session_now) == [(trainee.id, "present")]


def test_a_trainee_checking_in_after_the_late_minutes_is_marked_late(app, client, auth, workshop, session_now, clock):
    auth.login(workshop[2][0])
    clock.advance(minutes=16)
    client.get(f"/checkin/{session_now.id}/{code_now(app, session_now, clock)}")
    assert marks(session_now)[0][1] == "late"


def test_a_typed_code_checks_in_and_an_old_code_expires_after_the_grace(app, client, auth, workshop, session_now,
                                                                       clock):
    first, second = workshop[2]
    code = code_now(app, session_now, clock)
    auth.login(first)
    clock.advance(seconds=45)  # the next window: the code is in its grace
    response = client.post("/checkin", data={"code": code.lower()})
    assert 'data-answer="checked_in"' in response.get_data(as_text=True)
    auth.logout()
    auth.login(second)
    clock.advance(seconds=30)  # two windows on: expired
    response = client.post("/checkin", data={"code": code}, headers=ENGLISH)
    assert response.status_code == 400 and "expired" in error_next_to(response.get_data(as_text=True), "code")
    assert marks(session_now) == [(first.id, "present")]


def test_a_signed_out_trainee_signs_in_and_lands_back_checked_in(app, client, auth, workshop, session_now, clock):
    trainee = workshop[2][0]
    response = client.get(f"/checkin/{session_now.id}/{code_now(app, session_now, clock)}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    clock.advance(minutes=3)  # typing a password takes longer than a code lives
    login_page = response.headers["Location"]
    signed_in = client.post(login_page, data={"phone": trainee.phone, "password": "village-shop-2024"})
    landing = client.get(signed_in.headers["Location"])
    assert 'data-answer="checked_in"' in landing.get_data(as_text=True)
    assert marks(session_now) == [(trainee.id, "present")]


def test_a_closed_cancelled_or_foreign_session_marks_nothing(app, client, auth, make_user, workshop, session_now,
                                                            clock):
    outsider = make_user(name="外村人")
    make_cohort(name="别的班", members=[outsider])
    auth.login(outsider)
    response = client.get(f"/checkin/{session_now.id}/{code_now(app, session_now, clock)}")
    assert response.status_code == 409 and 'data-answer="not_member"' in response.get_data(as_text=True)
    auth.logout()
    auth.login(workshop[2][0])
    clock.advance(hours=2)  # the session's end: check-in closed by itself
    response = client.post("/checkin", data={"code": code_now(app, session_now, clock)}, headers=ENGLISH)
    assert response.status_code == 400 and "has closed" in error_next_to(response.get_data(as_text=True), "code")
    clock.advance(hours=-1)
    session_now.cancelled_at = clock()
    db.session.commit()
    response = client.get(f"/checkin/{session_now.id}/{code_now(app, session_now, clock)}")
    assert 'data-answer="cancelled"' in response.get_data(as_text=True)
    assert marks(session_now) == []


def test_a_wrong_code_in_a_link_marks_nothing(client, auth, workshop, session_now):
    auth.login(workshop[2][0])
    assert client.get(f"/checkin/{session_now.id}/ABCDE").status_code == 404
    assert client.get("/checkin/pass/forged").status_code == 404
    assert marks(session_now) == []


def test_two_check_ins_at_once_insert_one_row(app, workshop, session_now, clock):
    from lms.attendance.checkin import ALREADY, CHECKED_IN, check_in

    trainee = workshop[2][0]
    answers = [check_in(trainee, session_now, clock(), "qr").answer for _ in range(2)]
    assert answers == [CHECKED_IN, ALREADY]
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1
    assert db.session.get(AttendanceSession, session_now.id) is not None


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
def test_guessing_typed_codes_is_rate_limited_per_trainee(client, auth, workshop, session_now):
    auth.login(workshop[2][0])
    answers = [client.post("/checkin", data={"code": "ZZZZZ"}).status_code for _ in range(11)]
    assert answers[:10] == [400] * 10 and answers[10] == 429
    assert marks(session_now) == []


def test_a_signed_out_trainee_signs_in_with_a_card_and_lands_back_checked_in(app, client, workshop, session_now,
                                                                             clock):
    cohort, instructor, (trainee, _) = workshop
    token = issue_sign_in_link(trainee, instructor)
    db.session.commit()
    response = client.get(f"/checkin/{session_now.id}/{code_now(app, session_now, clock)}")
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "data-card-path" in login_page  # the sign-in step offers the card too
    clock.advance(minutes=3)
    card = client.post(f"/signin/{token}")  # the card's own QR code: no `next` in it
    assert card.headers["Location"].endswith("/account/choose-password")
    chosen = client.post("/account/choose-password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "/checkin/pass/" in chosen.headers["Location"]
    landing = client.get(chosen.headers["Location"])
    assert 'data-answer="checked_in"' in landing.get_data(as_text=True)
    again = client.get(chosen.headers["Location"])
    assert 'data-answer="already"' in again.get_data(as_text=True)
    assert marks(session_now) == [(trainee.id, "present")]


@pytest.mark.parametrize("foreign", ["https://evil.example/steal", "//evil.example/", "/\\evil.example"])
def test_a_card_sign_in_refuses_a_foreign_next(client, workshop, foreign):
    cohort, instructor, (trainee, _) = workshop
    token = issue_sign_in_link(trainee, instructor)
    db.session.commit()
    client.post(f"/signin/{token}", query_string={"next": foreign})
    chosen = client.post("/account/choose-password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert chosen.status_code == 302 and "evil" not in chosen.headers["Location"]
    assert chosen.headers["Location"].endswith("/my")


def test_a_card_sign_in_keeps_a_safe_next(client, workshop):
    cohort, instructor, (trainee, _) = workshop
    token = issue_sign_in_link(trainee, instructor)
    db.session.commit()
    client.post(f"/signin/{token}", query_string={"next": "/checkin"})
    chosen = client.post("/account/choose-password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert chosen.headers["Location"].endswith("/checkin")
