"""Planning sessions: create with a weekly repeat, edit, cancel (kept, counting for nobody)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from lms.attendance.models import AttendanceSession
from lms.audit.models import AuditEvent
from lms.extensions import db

FORM = {"day": "2026-03-02", "starts": "09:00", "ends": "11:30", "place": "北山村村委会", "topic": "拍商品照片",
        "bring": "充好电的手机", "late_after": "15", "repeat": "0"}


def test_an_instructor_plans_a_session_in_local_time(client, auth, workshop):
    cohort, instructor, _ = workshop
    auth.login(instructor)
    response = client.post(f"/workshops/{cohort.id}/sessions/new", data=FORM)
    assert response.status_code == 302
    session = db.session.scalar(select(AttendanceSession))
    assert session.starts_at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing time
    assert session.credited_minutes == 150 and session.bring == "充好电的手机"
    page = client.get(f"/workshops/{cohort.id}/sessions/").get_data(as_text=True)
    assert "拍商品照片" in page


def test_a_weekly_repeat_plans_the_same_weekday_and_time(client, auth, workshop):
    cohort, instructor, _ = workshop
    auth.login(instructor)
    client.post(f"/workshops/{cohort.id}/sessions/new", data={**FORM, "repeat": "3", "minutes": "120"})
    sessions = db.session.scalars(select(AttendanceSession).order_by(AttendanceSession.starts_at)).all()
    assert [s.starts_at.day for s in sessions] == [2, 9, 16, 23]
    assert {s.starts_at.hour for s in sessions} == {1} and {s.credited_minutes for s in sessions} == {120}


def test_a_session_that_ends_before_it_starts_is_refused_with_a_message(client, auth, workshop):
    cohort, instructor, _ = workshop
    auth.login(instructor)
    response = client.post(f"/workshops/{cohort.id}/sessions/new", data={**FORM, "ends": "08:00", "repeat": "999"})
    assert response.status_code == 400
    far_future = {**FORM, "day": "9999-12-30", "repeat": "20"}  # twenty weeks on would overflow the calendar
    assert client.post(f"/workshops/{cohort.id}/sessions/new", data=far_future).status_code == 400
    assert db.session.scalar(select(AttendanceSession)) is None


def test_editing_and_cancelling_keep_the_session_marked_and_audited(client, auth, workshop, session_now):
    cohort, instructor, _ = workshop
    auth.login(instructor)
    form = client.get(f"/sessions/{session_now.id}/edit").get_data(as_text=True)
    assert "拍商品照片" in form
    client.post(f"/sessions/{session_now.id}/edit", data={**FORM, "topic": "写商品标题"})
    client.post(f"/sessions/{session_now.id}/cancel")
    db.session.refresh(session_now)
    assert session_now.topic == "写商品标题" and session_now.cancelled
    page = client.get(f"/workshops/{cohort.id}/sessions/").get_data(as_text=True)
    assert "写商品标题" in page and "session-cancelled" in page
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"attendance.session_changed", "attendance.session_cancelled"} <= actions


def test_another_instructors_workshop_and_its_sessions_are_not_found(client, auth, make_user, workshop, session_now):
    cohort = workshop[0]
    auth.login(make_user("instructor"))
    assert client.get(f"/workshops/{cohort.id}/sessions/").status_code == 404
    assert client.get(f"/sessions/{session_now.id}/roll-call").status_code == 404
    assert client.post(f"/sessions/{session_now.id}/cancel").status_code == 404
    assert client.get(f"/sessions/{session_now.id}/projector.json").status_code == 404
