"""The summary: counts per track, specialty and level, completions per month, rates and median days
per course, workshop and village; its SVG charts and tables; its XLSX download."""

from __future__ import annotations

import io
import random
import re
import statistics
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.reports import charts
from lms.reports.summary import build_summary, median, month_starts
from tests.reports.conftest import utc
from tests.reports.factories import enrol

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEVELS = {"intro": "Intro", "intermediate": "Intermediate"}


def summary(today=date(2025, 4, 30)):
    return build_summary("zh", SHANGHAI, LEVELS, "(none)", today=today)


def by_label(rows) -> dict:
    return {row.label: row for row in rows}


def test_totals_count_trainees_only(county):
    report = summary()
    assert (report.trainees, report.trainees_completed, report.enrolments, report.completions) == (3, 3, 5, 3)


def test_trainees_enrolled_and_completed_per_track_specialty_and_level(county):
    report = summary()
    assert [(r.label, r.trainees, r.completed) for r in report.by_track] == [("创业", 3, 2), ("就业", 2, 1)]
    specialties = by_label(report.by_specialty)
    assert (specialties["就业 · 网店客服"].trainees, specialties["就业 · 网店客服"].completed) == (2, 1)
    assert (specialties["就业 · 商品摄影"].trainees, specialties["就业 · 商品摄影"].completed) == (0, 0)
    assert [(r.label, r.trainees, r.completed) for r in report.by_level] == [("Intro", 3, 3), ("Intermediate", 0, 0)]


def test_completions_per_month_use_the_local_calendar(county):
    months = summary().per_month
    # b completed at 17:00 UTC on 31 March, 01:00 on 1 April in Beijing; the instructor's February one is staff.
    assert [(m.label, m.completions) for m in months] == [("2025-01", 1), ("2025-02", 0), ("2025-03", 1),
                                                          ("2025-04", 1)]


def test_rates_and_median_days_per_course_workshop_and_village(county):
    report = summary()
    courses = by_label(report.per_course)
    basics, service, growth = courses["开店基础"], courses["客服入门"], courses["网店进阶"]
    assert (basics.enrolments, basics.completed, basics.rate, basics.median_days) == (3, 2, 66.7, 9.5)
    assert (service.enrolments, service.completed, service.rate, service.median_days) == (2, 1, 50.0, 11.7)
    assert (growth.enrolments, growth.rate, growth.median_days) == (0, None, None)
    cohorts = by_label(report.per_cohort)
    beishan = cohorts["北山村开店班"]
    assert (beishan.trainees, beishan.enrolments, beishan.completed, beishan.rate, beishan.median_days) == (
        2, 2, 2, 100.0, 9.5)  # a's customer-service course is not this workshop's
    assert (cohorts["客服班"].enrolments, cohorts["客服班"].median_days) == (1, 11.7)
    villages = by_label(report.per_village)
    assert (villages["北山村"].trainees, villages["北山村"].enrolments, villages["北山村"].rate) == (2, 3, 66.7)
    assert (villages["南岭村"].enrolments, villages["南岭村"].median_days) == (2, 11.7)
    assert [g.label for g in report.per_village] == ["北山村", "南岭村"]  # most enrolments first


def test_trainees_without_a_village_are_grouped_and_named(county, make_user):
    enrol(make_user(village=""), county.basics, utc(2025, 4, 3))
    assert by_label(summary().per_village)["(none)"].enrolments == 1


def test_group_medians_equal_medians_of_all_durations(county, make_user):
    rng = random.Random(5)
    for n in range(40):
        start = utc(2025, 1, 1) + timedelta(hours=rng.randint(0, 2000))
        enrol(make_user(village=f"村{n % 4}"), county.basics, start,
              completed_at=start + timedelta(hours=rng.randint(1, 900)))
    from lms.accounts.models import User

    rows = db.session.execute(
        select(User.village, Enrolment.enrolled_at, Enrolment.completed_at).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.completed_at.is_not(None), User.role == "trainee")
    ).all()
    expected = {}
    for village, enrolled, completed in rows:
        expected.setdefault(village, []).append((completed - enrolled).total_seconds() / 86400)
    medians = {group.label: group.median_days for group in summary().per_village}
    assert medians == {village: round(statistics.median(days), 1) for village, days in expected.items()}


def test_median_of_odd_and_even_counts():
    assert median([3.0, 1.0, 2.0]) == 2.0 and median([1.0, 2.0, 4.0, 10.0]) == 3.0 and median([]) is None


def test_months_run_across_year_ends():
    assert month_starts(date(2024, 11, 20), date(2025, 2, 1)) == [
        date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]


def test_an_empty_platform_has_an_empty_summary(app, courses):
    report = summary()
    assert report.trainees == 0 and report.per_month == [] and all(g.rate is None for g in report.per_course)


# ---------------------------------------------------------------- charts


def test_bar_lengths_follow_the_numbers():
    chart = charts.horizontal_bars("c", "t", "d", [("甲", [100, 50]), ("乙", [20, 0])],
                                   [("enrolled", "a"), ("completed", "b")])
    assert [s.width for s in chart.shapes] == [charts.BAR_SPACE, charts.BAR_SPACE / 2, charts.BAR_SPACE / 5, 0]
    assert [s.text for s in chart.shapes] == ["100", "50", "20", "0"]
    assert len(chart.legend) == 2 and chart.height > 0
    rates = charts.horizontal_bars("r", "t", "d", [("x", [25.0])], [("rate", "a")], largest=100)
    assert rates.shapes[0].width == charts.BAR_SPACE / 4


def test_long_labels_are_shortened_to_one_line():
    label = "北山村第三期农村电商开店入门培训班（春季，周末班）"
    short = charts.shorten(label, 20)
    assert short.endswith("…") and charts.text_units(short) <= 20
    assert charts.shorten("Short", 20) == "Short"


def test_month_columns_label_at_most_seven_months():
    chart = charts.columns("m", "t", "d", [(f"2025-{n:02d}", n) for n in range(1, 13)] * 3)
    assert len(chart.labels) <= 7 and len(chart.shapes) == 36
    assert max(s.height for s in chart.shapes) == 176 - 18


# ---------------------------------------------------------------- the page and the file


def test_the_dashboard_draws_accessible_svg_charts_with_tables(client, auth, county):
    auth.login(county.admin)
    response = client.get("/admin/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    svgs = [svg for svg in re.findall(r"<svg[^>]*>", html) if 'class="chart-svg"' in svg]
    assert len(svgs) == 7
    for svg in svgs:
        assert 'role="img"' in svg and 'viewBox="0 0 360 ' in svg
        for ident in re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split():
            assert f'id="{ident}"' in html
    assert re.search(r'<title id="chart-per_course-title">[^<]+：完成率</title>', html)
    assert html.count("<table") >= 7 and "66.7" in html and "9.5" in html and "11.7" in html
    assert " style=" not in html, "inline styles break the Content-Security-Policy"
    assert "cdn" not in html.lower() and "<script>" not in html


def test_the_summary_downloads_as_a_workbook_with_a_sheet_per_breakdown(client, auth, county):
    county.admin.locale = "en"
    db.session.commit()
    auth.login(county.admin)
    assert client.get("/admin/reports/summary.xlsx").status_code == 405
    response = client.post("/admin/reports/summary.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    assert book.sheetnames == ["Totals", "By track", "By specialty", "By level", "Completions per month",
                               "By course", "By workshop", "By village"]
    courses = list(book["By course"].iter_rows(values_only=True))
    assert courses[0] == ("Course", "Trainees", "Enrolments", "Completions", "Completion rate (%)",
                          "Median days to complete")
    assert ("Shop basics", 3, 3, 2, 66.7, 9.5) in courses and ("网店进阶", 0, 0, 0, None, None) in courses
    months = list(book["Completions per month"].iter_rows(values_only=True))
    assert months[1:4] == [("2025-01", 1), ("2025-02", 0), ("2025-03", 1)]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.summary"))
    assert event.actor_id == county.admin.id


def test_the_summary_workbook_neutralises_formulas_in_names(client, auth, county, make_user):
    enrol(make_user(village="=HYPERLINK(\"http://evil.example\")"), county.basics, utc(2025, 4, 3))
    auth.login(county.admin)
    book = openpyxl.load_workbook(io.BytesIO(client.post("/admin/reports/summary.xlsx").get_data()))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "'=HYPERLINK(\"http://evil.example\")" in [cell.value for cell in cells]


@pytest.mark.parametrize("role", ["trainee", "instructor"])
def test_only_administrators_see_the_summary(client, auth, county, make_user, role):
    auth.login(make_user(role))
    assert client.get("/admin/reports/").status_code == 403
    assert client.post("/admin/reports/summary.xlsx").status_code == 403
