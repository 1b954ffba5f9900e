"""Administrators find users, change roles, switch accounts off and on, and correct names."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.reports.completions import CompletionExport
from lms.reports.filters import ExportFilters
from lms.reports.users import search_users
from tests.conftest import PASSWORD


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_search_by_name_phone_or_village_ignoring_case(county, make_user):
    make_user(name="Li Wei", village="Lijiang", phone="13912345678")
    names = lambda text, **kw: {u.display_name for u in search_users(text, **kw).users}  # noqa: E731
    assert names("li") == {"Li Wei"} and names("LIJIANG") == {"Li Wei"} and names("1234567") == {"Li Wei"}
    assert names("北山", role="trainee") == {"吕振鸿", "张伟"} and names("王芳") == {"王芳"}
    assert names("北山 张") == {"张伟"}  # every word must match
    assert names("", role="admin") == {"管理员"} and names("", status="inactive") == {"张伟"}
    assert names("100%_") == set()  # wildcards are searched literally


def test_the_user_list_pages_and_shows_switched_off_accounts(client, auth, county, make_user):
    for n in range(55):
        make_user(name=f"学员甲{n:02d}")
    auth.login(county.admin)
    first = client.get("/admin/users/?q=学员甲").get_data(as_text=True)
    assert "找到 55 个账号" in first and "学员甲54" in first and "学员甲04" not in first
    assert "page=2" in first
    second = client.get("/admin/users/?q=学员甲&page=2").get_data(as_text=True)
    assert "学员甲04" in second and "学员甲54" not in second
    assert "已停用" in client.get("/admin/users/?status=inactive").get_data(as_text=True)


def test_a_page_beyond_the_last_shows_the_last_page(client, auth, county, make_user):
    for n in range(55):
        make_user(name=f"学员甲{n:02d}")
    auth.login(county.admin)

    def listed(page: str) -> tuple[list[str], str]:
        response = client.get(f"/admin/users/?q=学员甲&page={page}")
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        pager = re.search(r'<p class="pager">.*?</p>', html, re.S).group(0)
        return re.findall(r"<strong>(学员甲\d+)</strong>", html), pager

    last = listed("2")
    assert last[0] == ["学员甲04", "学员甲03", "学员甲02", "学员甲01", "学员甲00"] and "page=1" in last[1]
    for page in ("3", "2147483648", "9223372036854775808", "9" * 400, "9" * 5000):
        assert listed(page) == last, page
    for page in ("0", "-9223372036854775809", "abc", "1.5", ""):
        assert listed(page)[0][0] == "学员甲54", page


def test_changing_a_role_is_recorded(client, auth, county):
    auth.login(county.admin)
    response = client.post(f"/admin/users/{county.b.id}/role", data={"role": "instructor"})
    assert response.status_code == 302
    assert county.b.role == "instructor"
    assert [(e.actor_id, e.target_id, e.details) for e in events("user.role_changed")] == [
        (county.admin.id, county.b.id, {"old": "trainee", "new": "instructor"})]
    page = client.get(f"/admin/users/{county.b.id}").get_data(as_text=True)
    assert f"{county.b.phone} · 南岭村 · 老师" in page  # the role, in words


def test_administrators_cannot_change_their_own_account(client, auth, county):
    auth.login(county.admin)
    client.post(f"/admin/users/{county.admin.id}/role", data={"role": "trainee"})
    client.post(f"/admin/users/{county.admin.id}/active", data={"active": "no"})
    assert county.admin.role == "admin" and county.admin.active
    assert events("user.role_changed") == [] and events("user.deactivated") == []
    assert "这是你自己的账号" in client.get(f"/admin/users/{county.admin.id}").get_data(as_text=True)


def test_a_deactivated_user_is_signed_out_cannot_sign_in_and_still_exports(app, client, auth, county):
    trainee_client = app.test_client()
    trainee_client.post("/login", data={"phone": county.b.phone, "password": PASSWORD})
    assert trainee_client.get("/my").status_code == 200

    auth.login(county.admin)
    assert client.post(f"/admin/users/{county.b.id}/active", data={"active": "no"}).status_code == 302
    assert not county.b.active
    assert [(e.actor_id, e.target_id) for e in events("user.deactivated")] == [(county.admin.id, county.b.id)]

    response = trainee_client.get("/my")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    trainee_client.post("/login", data={"phone": county.b.phone, "password": PASSWORD})
    assert trainee_client.get("/my").status_code == 302
    db.session.commit()
    export = CompletionExport(ExportFilters(), ZoneInfo("Asia/Shanghai"), "machine")
    rows = [row for batch in export.batches() for row in batch]
    assert sum(1 for row in rows if row[0] == "王芳") == 2

    client.post(f"/admin/users/{county.b.id}/active", data={"active": "yes"})
    assert county.b.active and len(events("user.activated")) == 1
    trainee_client.post("/login", data={"phone": county.b.phone, "password": PASSWORD})
    assert trainee_client.get("/my").status_code == 200


def test_correcting_a_name_offers_to_reissue_certificates(client, auth, county):
    old = db.session.scalar(select(Certificate).where(Certificate.user_id == county.a.id))
    assert old.holder_name == "吕振鸿"
    auth.login(county.admin)
    response = client.post(f"/admin/users/{county.a.id}/name", data={"display_name": "  吕  振鸿 "})
    assert response.status_code == 302 and county.a.display_name == "吕 振鸿"
    assert [e.details for e in events("user.renamed")] == [{"old": "吕振鸿", "new": "吕 振鸿"}]
    page = client.get(f"/admin/users/{county.a.id}").get_data(as_text=True)
    assert "有 1 张证书上还是旧名字" in page and old.display_code in page

    assert client.post(f"/admin/users/{county.a.id}/certificates").status_code == 302
    certificates = list(db.session.scalars(select(Certificate).where(Certificate.user_id == county.a.id)
                                           .order_by(Certificate.issue_number)))
    assert [(c.state, c.holder_name) for c in certificates] == [("superseded", "吕振鸿"), ("valid", "吕 振鸿")]
    assert len(events("certificate.reissue")) == 1
    assert "旧名字" not in client.get(f"/admin/users/{county.a.id}").get_data(as_text=True)


def test_the_office_corrects_a_village_and_the_change_is_audited(client, auth, county):
    county.a.village = "北山 村"
    db.session.commit()
    auth.login(county.admin)
    page = client.get(f"/admin/users/{county.a.id}").get_data(as_text=True)
    assert 'name="village"' in page and 'value="北山 村"' in page
    response = client.post(f"/admin/users/{county.a.id}/name",
                           data={"display_name": county.a.display_name, "village": "  北山村 "})
    assert response.status_code == 302 and county.a.village == "北山村"
    assert [e.details for e in events("user.village_corrected")] == [{"old": "北山 村", "new": "北山村"}]
    assert events("user.renamed") == []  # the name did not change
    too_long = client.post(f"/admin/users/{county.a.id}/name",
                           data={"display_name": county.a.display_name, "village": "村" * 81})
    assert too_long.status_code == 400 and 'id="village-error"' in too_long.get_data(as_text=True)
    assert county.a.village == "北山村"


def test_a_bad_name_is_refused_next_to_the_field(client, auth, county):
    auth.login(county.admin)
    response = client.post(f"/admin/users/{county.a.id}/name", data={"display_name": "吕\u202e振鸿"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<p class="field-error" id="display_name-error">姓名里有无法打印的字符。</p>' in html
    assert county.a.display_name == "吕振鸿" and events("user.renamed") == []


def test_an_unknown_user_is_not_found(client, auth, county):
    auth.login(county.admin)
    assert client.get("/admin/users/99999").status_code == 404
    assert client.post("/admin/users/99999/role", data={"role": "admin"}).status_code == 404


@pytest.mark.parametrize("role", ["trainee", "instructor"])
def test_only_administrators_manage_users(client, auth, county, make_user, role):
    auth.login(make_user(role))
    assert client.get("/admin/users/").status_code == 403
    assert client.get(f"/admin/users/{county.b.id}").status_code == 403
    assert client.post(f"/admin/users/{county.b.id}/role", data={"role": "admin"}).status_code == 403
    assert client.post(f"/admin/users/{county.b.id}/active", data={"active": "no"}).status_code == 403
    assert county.b.role == "trainee" and county.b.active


def test_administrators_reach_every_office_page_from_the_one_reports_link(client, auth, county, make_user):
    auth.login(county.admin)
    html = client.get("/my").get_data(as_text=True)
    assert 'href="/admin/reports/"' in html
    reports = client.get("/admin/reports/").get_data(as_text=True)
    for page in ("/admin/reports/export", "/admin/reports/audit", "/admin/users/", "/admin/certificates"):
        assert f'href="{page}"' in reports
        assert 'aria-current="page"' in client.get(page).get_data(as_text=True)  # the tabs show where one is
    auth.logout()
    auth.login(county.instructor)
    assert 'href="/admin/reports/"' not in client.get("/my").get_data(as_text=True)
