"""The projector page and the instructor's roll call."""

from __future__ import annotations

from sqlalchemy import select

from lms.attendance.codes import current_code
from lms.attendance.models import Attendance
from lms.audit.models import AuditEvent
from lms.extensions import db


def test_the_projector_shows_a_qr_code_the_short_code_and_the_count(app, client, auth, workshop, session_now,
                                                                    clock):
    auth.login(workshop[1])
    page = client.get(f"/sessions/{session_now.id}/projector")
    html = page.get_data(as_text=True)
    code = current_code(app.config["SECRET_KEY"], session_now.id, clock())
    assert page.headers["Cache-Control"] == "no-store"
    assert "<svg" in html and code in html and "attendance." in html and "<script>" not in html
    clock.advance(seconds=30)
    state = client.get(f"/sessions/{session_now.id}/projector.json").get_json()
    assert state["code"] != code and state["code"] in state["url"] and state["count"] == 0
    assert state["qr"].startswith("<svg")


def test_one_tap_changes_a_mark_and_the_change_is_audited(client, auth, workshop, session_now):
    cohort, instructor, (first, second) = workshop
    auth.login(instructor)
    page = client.get(f"/sessions/{session_now.id}/roll-call").get_data(as_text=True)
    assert first.display_name in page and second.display_name in page and "南岭村" in page
    client.post(f"/sessions/{session_now.id}/roll-call/{first.id}", data={"status": "absent"})
    client.post(f"/sessions/{session_now.id}/roll-call/{first.id}", data={"status": "excused"})
    mark = db.session.scalar(select(Attendance))
    assert (mark.user_id, mark.status, mark.marked_by_id) == (first.id, "excused", instructor.id)
    events = db.session.execute(select(AuditEvent.actor_id, AuditEvent.details)
                                .where(AuditEvent.action == "attendance.marked").order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.details["before"], e.details["after"]) for e in events] == [
        (instructor.id, None, "absent"), (instructor.id, "absent", "excused")]


def test_a_trainee_marked_absent_early_who_then_arrives_is_present(app, client, auth, workshop, session_now, clock):
    cohort, instructor, (first, _) = workshop
    auth.login(instructor)
    client.post(f"/sessions/{session_now.id}/roll-call/{first.id}", data={"status": "absent"})
    auth.logout()
    auth.login(first)
    client.get(f"/checkin/{session_now.id}/{current_code(app.config['SECRET_KEY'], session_now.id, clock())}")
    assert db.session.scalar(select(Attendance.status)) == "present"


def test_a_roll_call_refuses_strangers_and_unknown_statuses(client, auth, make_user, workshop, session_now):
    auth.login(workshop[1])
    stranger = make_user()
    assert client.post(f"/sessions/{session_now.id}/roll-call/{stranger.id}",
                       data={"status": "present"}).status_code == 404
    assert client.post(f"/sessions/{session_now.id}/roll-call/{workshop[2][0].id}",
                       data={"status": "asleep"}).status_code == 400
    assert db.session.scalar(select(Attendance)) is None


def test_closing_check_in_by_hand_stops_check_ins(app, client, auth, workshop, session_now, clock):
    auth.login(workshop[1])
    client.post(f"/sessions/{session_now.id}/close")
    auth.logout()
    auth.login(workshop[2][0])
    code = current_code(app.config["SECRET_KEY"], session_now.id, clock())
    response = client.get(f"/checkin/{session_now.id}/{code}")
    assert 'data-answer="closed"' in response.get_data(as_text=True)
