"""The county's attendance export narrowed by the completion export's filters; a bad filter is a 400 that says so."""

from __future__ import annotations

import pytest

from lms.extensions import db
from tests.attendance.test_records import make_cohort_with_session, marked  # noqa: F401 (a fixture)

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def admin_client(client, auth, make_user, marked):  # noqa: F811
    auth.logout()
    auth.login(make_user("admin"))
    return client


def export(client, **filters) -> list[str]:
    response = client.get("/admin/attendance.csv", query_string=filters)
    assert response.status_code == 200
    return response.get_data().decode("utf-8-sig").splitlines()[1:]


def test_the_filter_page_offers_the_completion_exports_filters(admin_client):
    page = admin_client.get("/admin/attendance", headers=ENGLISH).get_data(as_text=True)
    for name in ("date_from", "date_to", "track", "specialty", "level", "course", "cohort", "village"):
        assert f'name="{name}"' in page
    assert 'name="status"' not in page  # a completion status says nothing about a session


def test_a_date_range_keeps_the_sessions_of_those_local_days(admin_client, marked):  # noqa: F811
    assert len(export(admin_client)) == 2 * 2  # two members, this week's session and last week's cancelled one
    this_week = export(admin_client, date_from="2026-03-02", date_to="2026-03-02")
    assert len(this_week) == 2 and all("取消的课" not in row for row in this_week)
    assert export(admin_client, date_to="2026-02-24") and all("取消的课" in r for r in export(admin_client,
                                                                                          date_to="2026-02-24"))


def test_village_workshop_and_course_filters(admin_client, make_user, courses, marked):  # noqa: F811
    cohort, first, second = marked
    assert all(second.display_name in row for row in export(admin_client, village="南岭村"))
    assert len(export(admin_client, village=" 南岭村 ")) == 2
    other = make_user(name="别村学员", village="东坡村")
    other_cohort = make_cohort_with_session(other)
    other_cohort.courses = [courses["shop-basics"]]
    db.session.commit()
    one = export(admin_client, cohort=other_cohort.id)
    assert len(one) == 1 and other.display_name in one[0]
    by_course = export(admin_client, course=courses["shop-basics"].id)
    assert len(by_course) == 1 and other.display_name in by_course[0]
    assert export(admin_client, course=courses["shop-growth"].id) == []


@pytest.mark.parametrize("filters", [
    {"cohort": "abc"}, {"cohort": "99999999999999999999"}, {"cohort": "4242"}, {"course": "-1"},
    {"date_from": "2026-02-30"}, {"date_from": "2026-03-05", "date_to": "2026-03-01"}, {"village": "村" * 81},
    {"level": "expert"}, {"track": "1e9"},
])
def test_a_bad_filter_says_so_and_downloads_nothing(admin_client, filters):
    for address in ("/admin/attendance.csv", "/admin/attendance.xlsx"):
        response = admin_client.get(address, query_string=filters, headers=ENGLISH)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert response.mimetype == "text/html" and "Some filters are not right" in page
        assert 'class="field-error"' in page
