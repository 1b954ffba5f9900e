"""The administrator keeps the county's village list on a page; registration offers it as trainees type."""

from __future__ import annotations

from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db


def test_the_administrator_saves_the_list_and_registration_offers_it(client, auth, make_user):
    admin = make_user("admin")
    auth.login(admin)
    response = client.post("/admin/villages", data={"villages": "\ufeff北塘村\n\n 上山村 \n北塘村\n云和  村\n"})
    assert response.status_code == 302
    page = client.get("/admin/villages").get_data(as_text=True)
    assert "北塘村\n上山村\n云和 村</textarea>" in page  # blanks, repeats and extra spaces left out, order kept
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "villages.load"))
    assert event.actor_id == admin.id and event.details["count"] == 3
    auth.logout()

    register = client.get("/register").get_data(as_text=True)
    assert '<option value="北塘村"><option value="上山村"><option value="云和 村">' in register


def test_an_empty_list_gets_the_message_next_to_the_field_and_keeps_the_old_one(client, auth, make_user):
    auth.login(make_user("admin"))
    client.post("/admin/villages", data={"villages": "北塘村"})
    response = client.post("/admin/villages", data={"villages": " \n \n"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="villages-error"' in page
    assert "北塘村</textarea>" in client.get("/admin/villages").get_data(as_text=True)  # the old list stays


def test_only_administrators_see_the_page(client, auth, make_user):
    for role in ("trainee", "instructor"):
        auth.login(make_user(role))
        assert client.get("/admin/villages").status_code in (403, 404)
        assert client.post("/admin/villages", data={"villages": "假村"}).status_code in (403, 404)
        auth.logout()
    assert client.get("/admin/villages").status_code == 302  # signed out: to the sign-in page
