"""Administrators re-issue (new number, old one replaced) and revoke (with a reason); both are audited."""

from __future__ import annotations

from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.extensions import db


def test_revoking_needs_a_reason_shown_next_to_the_field(client, auth, make_user, completed, trainee):
    certificate = completed(trainee)
    auth.login(make_user("admin"))
    response = client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "  "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.state == "valid"


def test_revoking_marks_it_revoked_and_records_who_and_why(client, auth, make_user, completed, trainee):
    certificate = completed(trainee)
    admin = make_user("admin")
    auth.login(admin)
    response = client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "考核作弊"})
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.state == "revoked" and certificate.revoked_reason == "考核作弊"
    assert certificate.revoked_by_id == admin.id and certificate.revoked_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event.actor_id == admin.id and event.target_id == certificate.id
    assert event.details["reason"] == "考核作弊" and event.details["code"] == certificate.code
    page = client.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True)
    assert "考核作弊" in page
    again = client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "again"}, follow_redirects=True)
    assert "只有有效的证书才能撤销" in again.get_data(as_text=True)


def test_reissuing_gives_a_new_number_and_a_fresh_snapshot(client, auth, make_user, completed, trainee):
    certificate = completed(trainee)
    old_code = certificate.code
    trainee.display_name = "吕振宏"  # the name was misspelt at registration
    db.session.commit()
    admin = make_user("admin")
    auth.login(admin)
    response = client.post(f"/admin/certificates/{certificate.id}/reissue", data={"note": "改正名字"})
    assert response.status_code == 302
    certificates = db.session.scalars(select(Certificate).order_by(Certificate.issue_number)).all()
    assert [c.state for c in certificates] == ["superseded", "valid"]
    old, new = certificates
    assert old.code == old_code and new.code != old_code
    assert old.superseded_by_id == new.id and old.holder_name == "吕振鸿" and new.holder_name == "吕振宏"
    assert new.completed_at == old.completed_at
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.reissue"))
    assert event.details == {"code": new.code, "replaces": old_code, "replaces_id": old.id, "note": "改正名字",
                             "holder_id": trainee.id, "course_id": old.course_id}
    assert response.headers["Location"].endswith(f"/admin/certificates/{new.id}")
    page = client.get(f"/admin/certificates/{new.id}").get_data(as_text=True)
    assert new.display_code in page and old.display_code in page


def test_only_the_newest_certificate_can_be_reissued(client, auth, make_user, completed, trainee):
    certificate = completed(trainee)
    auth.login(make_user("admin"))
    client.post(f"/admin/certificates/{certificate.id}/reissue", data={})
    response = client.post(f"/admin/certificates/{certificate.id}/reissue", data={}, follow_redirects=True)
    assert "只有最新的一张证书才能重新颁发" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Certificate)).all()) == 2


def test_the_list_finds_certificates_by_number_or_name(client, auth, make_user, completed):
    certificate = completed(make_user(name="张小燊"))
    completed(make_user(name="李四"))
    auth.login(make_user("admin"))
    by_name = client.get("/admin/certificates", query_string={"q": "小燊"}).get_data(as_text=True)
    assert "张小燊" in by_name and "李四" not in by_name
    by_code = client.get("/admin/certificates", query_string={"q": certificate.display_code.lower()})
    assert "张小燊" in by_code.get_data(as_text=True)


def test_instructors_and_trainees_cannot_use_the_admin_pages(client, auth, make_user, completed, trainee):
    certificate = completed(trainee)
    for role in ("instructor", "trainee"):
        auth.login(make_user(role))
        assert client.get("/admin/certificates").status_code == 403
        assert client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "x"}).status_code == 403
        auth.logout()
    db.session.refresh(certificate)
    assert certificate.state == "valid"


def test_the_holder_reads_on_my_learning_why_a_certificate_was_withdrawn(client, auth, make_user, completed, trainee):
    certificate = completed(trainee)
    auth.login(make_user("admin"))
    client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "考核时请人代考"})
    auth.logout()
    auth.login(trainee)
    mine = client.get("/my").get_data(as_text=True)
    assert f"编号为 {certificate.display_code} 的证书" in mine and "被收回了" in mine
    assert "考核时请人代考" in mine  # the reason the administrator gave
    assert f"/certificates/{certificate.code}.pdf" not in mine  # nothing to download


def test_the_holder_reads_on_my_learning_which_number_replaced_the_old_one(client, auth, make_user, completed, trainee):
    certificate = completed(trainee)
    old_code = certificate.display_code
    auth.login(make_user("admin"))
    client.post(f"/admin/certificates/{certificate.id}/reissue", data={"note": "改正名字"})
    new = db.session.scalar(select(Certificate).where(Certificate.state == "valid"))
    auth.logout()
    auth.login(trainee)
    mine = client.get("/my").get_data(as_text=True)
    assert f"新编号 {new.display_code} 代替旧编号 {old_code}" in mine
    assert f"/certificates/{new.code}.pdf" in mine and f"/certificates/{certificate.code}.pdf" not in mine


def test_revoking_asks_first_naming_the_certificate_and_its_holder(client, auth, make_user, completed, trainee):
    certificate = completed(trainee)
    auth.login(make_user("admin"))
    page = client.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True)
    assert f'data-confirm="要撤销{trainee.display_name}的证书 {certificate.display_code} 吗？' in page
