"""The audit log reads as sentences: who (name and role) did what, to whom or what, in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

import lms
from lms.attendance.checkin import set_mark
from lms.attendance.models import AttendanceSession
from lms.certificates.models import Certificate
from lms.database import utcnow
from lms.extensions import db
from lms.reports.auditlog import ACTION_NAMES, SENTENCES


def audit_rows(client, **query) -> str:
    page = client.get("/admin/reports/audit", query_string=query).get_data(as_text=True)
    return page[page.index("<tbody>"):page.index("</tbody>")]


def test_a_revoked_certificate_reads_as_a_sentence_with_names_not_ids(client, auth, county):
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == county.a.id))
    auth.login(county.admin)
    client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "考核时请人代考"})
    rows = audit_rows(client)
    assert "（管理员）撤销了" in rows and "吕振鸿" in rows and "（学员）" in rows
    assert certificate.display_code in rows and "“开店基础" in rows and "原因：考核时请人代考" in rows
    assert "certificate.revoke" not in rows and "holder_id" not in rows and f"certificate {certificate.id}" not in rows


def test_workshop_events_name_the_workshop_and_the_trainee(client, auth, county):
    auth.login(county.admin)
    client.post(f"/workshops/{county.beishan.id}/trainees/{county.a.id}/remove", data={"reason": "搬去县城了"})
    rows = audit_rows(client, action="cohort.member_removed")
    assert "把" in rows and "吕振鸿</a>（学员）移出了" in rows and "北山村开店班" in rows and "原因：搬去县城了" in rows
    assert f'href="/workshops/{county.beishan.id}/"' in rows


def test_every_kind_of_event_the_code_records_has_a_sentence_and_a_name():
    recorded = {match.group(1) for path in Path(lms.__file__).parent.rglob("*.py")
                for match in re.finditer(r'record_event\(\s*[^,()]+,\s*"([a-z_.]+)"', path.read_text())}
    assert len(recorded) > 30  # the scan finds the calls
    assert sorted(recorded - SENTENCES.keys()) == [] and sorted(recorded - ACTION_NAMES.keys()) == []


def test_a_corrected_attendance_mark_names_the_trainee_the_marks_and_the_workshop(client, auth, county):
    session = AttendanceSession(cohort_id=county.beishan.id, starts_at=utcnow(), ends_at=utcnow(), topic="拍照",
                                credited_minutes=120)
    db.session.add(session)
    db.session.flush()
    set_mark(session, county.a, "absent", county.admin, utcnow())
    set_mark(session, county.a, "excused", county.admin, utcnow())
    db.session.commit()
    auth.login(county.admin)
    rows = audit_rows(client, action="attendance.marked")
    assert "吕振鸿</a>（学员）记为请假（之前：缺勤）" in rows and "北山村开店班" in rows
    assert "attendance.marked" not in rows


def test_the_filter_offers_words_and_the_log_follows_the_readers_language(client, auth, county):
    auth.login(county.admin)
    client.post(f"/admin/users/{county.b.id}/name", data={"display_name": "王 芳", "village": "南岭村"})
    page = client.get("/admin/reports/audit").get_data(as_text=True)
    assert '<option value="user.renamed">改正姓名</option>' in page
    client.post("/language", data={"language": "en"})
    rows = audit_rows(client)
    assert "(administrator) corrected the name of" in rows and "“王芳” to “王 芳”" in rows


def test_an_unknown_kind_of_event_still_shows_with_its_details(client, auth, county):
    from lms.audit.log import record_event

    record_event(county.admin, "backup.made", size=12)
    db.session.commit()
    auth.login(county.admin)
    rows = audit_rows(client)
    assert "backup.made" in rows and "size: 12" in rows


def test_a_cursor_beyond_every_entry_shows_the_newest_and_an_impossible_person_is_not_found(client, auth, county):
    auth.login(county.admin)
    client.post(f"/admin/users/{county.b.id}/name", data={"display_name": "王 芳", "village": "南岭村"})
    newest = audit_rows(client)
    for before in ("2147483648", "9223372036854775808", "9" * 400, "9" * 5000):
        assert audit_rows(client, before=before) == newest, before
    oldest = client.get("/admin/reports/audit", query_string={"before": "-9223372036854775809"})
    assert oldest.status_code == 200 and "王 芳" not in oldest.get_data(as_text=True)  # older than any entry: none
    assert "王 芳" in audit_rows(client, actor=county.admin.id)
    for actor in ("2147483648", "9" * 400, "-1"):
        assert client.get("/admin/reports/audit", query_string={"actor": actor}).status_code == 404, actor
