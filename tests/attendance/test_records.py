"""Attendance read back: the workshop and trainee pages, CSV and Excel exports, the sign-in sheet."""

from __future__ import annotations

import io
import subprocess
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from lms.attendance.models import AttendanceSession
from lms.extensions import db
from tests.attendance.conftest import NINE_AM


def mark(client, session, user, status):
    client.post(f"/sessions/{session.id}/roll-call/{user.id}", data={"status": status})


@pytest.fixture
def marked(client, auth, workshop, session_now):
    """First trainee present, second absent; a second session cancelled."""
    cohort, instructor, (first, second) = workshop
    cancelled = AttendanceSession(cohort_id=cohort.id, starts_at=NINE_AM - timedelta(days=7),
                                  ends_at=NINE_AM - timedelta(days=7, hours=-2), topic="取消的课",
                                  credited_minutes=120, cancelled_at=NINE_AM - timedelta(days=8))
    db.session.add(cancelled)
    db.session.commit()
    auth.login(instructor)
    mark(client, session_now, first, "present")
    mark(client, session_now, second, "absent")
    return cohort, first, second


def test_the_workshop_and_trainee_pages_show_each_session_and_hours(client, marked, session_now):
    cohort, first, second = marked
    table = client.get(f"/workshops/{cohort.id}/attendance").get_data(as_text=True)
    assert "1 / 1 (100 %)" in table and "0 / 1 (0 %)" in table  # the cancelled session counts for nobody
    detail = client.get(f"/workshops/{cohort.id}/").get_data(as_text=True)
    assert "拍商品照片" in detail and "取消的课" in detail
    trainee = client.get(f"/workshops/{cohort.id}/trainees/{first.id}", headers={"Accept-Language": "en"})
    html = trainee.get_data(as_text=True)
    assert 'data-status="present"' in html and "Hours attended: 2" in html


def test_the_progress_grid_shows_each_held_session_s_marks_next_to_the_courses(client, marked, session_now):
    cohort, first, second = marked
    html = client.get(f"/workshops/{cohort.id}/progress", headers={"Accept-Language": "en"}).get_data(as_text=True)
    grid = html[html.index('<table class="progress-grid"'):html.index("</table>")]
    assert ">Attendance</th>" in grid and f">{session_now.starts_at:%-m/%-d}</a></th>" in grid
    assert "取消的课" not in grid  # a cancelled session is no column: it counts for nobody
    rows = {name: grid[grid.index(name):].split("</tr>", 1)[0] for name in (first.display_name, second.display_name)}
    assert 'title="present"' in rows[first.display_name] and '<td class="num">100</td>' in rows[first.display_name]
    assert 'title="absent"' in rows[second.display_name] and '<td class="num">0</td>' in rows[second.display_name]


def test_the_csv_export_starts_with_a_bom_and_credits_hours_only_to_the_present(client, marked):
    cohort, first, second = marked
    response = client.get(f"/workshops/{cohort.id}/attendance.csv")
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf") and response.headers["Cache-Control"] == "private, no-store"
    lines = data.decode("utf-8-sig").splitlines()
    present = next(line for line in lines if first.display_name in line and "拍商品照片" in line)
    absent = next(line for line in lines if second.display_name in line and "拍商品照片" in line)
    assert "2026-03-02 09:00" in present and present.endswith(",2.0") and absent.endswith(",0")


def test_the_excel_export_has_real_dates(client, marked):
    cohort = marked[0]
    book = load_workbook(io.BytesIO(client.get(f"/workshops/{cohort.id}/attendance.xlsx").get_data()))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1 + 2 * 2
    assert any(row[1] == datetime(2026, 3, 2, 9, 0) for row in rows[1:])


def test_the_sign_in_sheet_lists_every_member_with_chinese_names_intact(client, marked, session_now):
    cohort, first, second = marked
    response = client.get(f"/sessions/{session_now.id}/sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.get_data(),  # noqa: S603, S607
                          capture_output=True, check=True).stdout.decode()
    for person in (first, second):
        assert person.display_name in text and person.village in text
    assert cohort.name in text


def test_my_learning_shows_the_next_session_with_what_to_bring(client, auth, workshop, session_now):
    session_now.starts_at = datetime.now(NINE_AM.tzinfo) + timedelta(days=1)
    session_now.ends_at = session_now.starts_at + timedelta(hours=2)
    session_now.bring = "充好电的手机"
    db.session.commit()
    auth.login(workshop[2][0])
    page = client.get("/my").get_data(as_text=True)
    assert "充好电的手机" in page and "北山村村委会" in page


def test_the_summary_report_counts_sessions_held_average_attendance_and_trainees_below(client, auth, make_user,
                                                                                     marked):
    cohort, first, second = marked
    cohort.attendance_required_percent = 80
    db.session.commit()
    auth.logout()
    auth.login(make_user("admin"))
    html = client.get("/admin/reports/").get_data(as_text=True)
    assert "data-sessions-held>1<" in html and "data-average-attendance>50.0 %<" in html  # one of two came
    assert html.count("<tr data-below>") == 1 and second.display_name in html


def test_administrators_download_the_whole_countys_attendance(client, auth, make_user, marked):
    cohort, first, _ = marked
    other = make_user(name="别村学员")
    other_cohort = make_cohort_with_session(other)
    assert client.get("/admin/attendance.csv").status_code == 403  # instructors: their own workshops only
    auth.logout()
    auth.login(make_user("admin"))
    everything = client.get("/admin/attendance.csv").get_data().decode("utf-8-sig")
    assert first.display_name in everything and other.display_name in everything
    one = client.get(f"/admin/attendance.csv?cohort={other_cohort.id}").get_data().decode("utf-8-sig")
    assert first.display_name not in one and other.display_name in one
    book = load_workbook(io.BytesIO(client.get("/admin/attendance.xlsx").get_data()))
    assert len(list(book.active.iter_rows())) == 1 + 2 * 2 + 1


def make_cohort_with_session(member):
    from tests.cohorts.factories import make_cohort

    cohort = make_cohort(name="南岭村班", members=[member])
    db.session.add(AttendanceSession(cohort_id=cohort.id, starts_at=NINE_AM, ends_at=NINE_AM + timedelta(hours=1)))
    db.session.commit()
    return cohort
