"""Workshop pages on a 360 px phone in a real Chromium: no sideways page scroll, names stay in view in the grid."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.extensions import db
from lms.learning.progress import find_course
from tests.browser.conftest import serving
from tests.browser.test_accessibility import audit
from tests.browser.test_phone_journey import no_sideways_scroll, register
from tests.cohorts.factories import big_course, crowd, make_cohort
from tests.conftest import _PASSWORD_HASH, PASSWORD


def seed_workshop(app) -> dict:
    """An instructor and a workshop of 30 trainees on a 40-item course."""
    instructor = User(phone="13800000002", display_name="王老师", role="instructor", password_hash=_PASSWORD_HASH)
    db.session.add(instructor)
    db.session.commit()
    course = big_course(40)
    cohort = make_cohort("北山村开网店入门班（春季）", courses=[find_course("shop-basics"), course],
                         instructors=[instructor])
    trainee_id = crowd(cohort, course, 30, finished_share=0.3)[0]
    return {"cohort": cohort.id, "trainee": trainee_id, "code": cohort.join_code}


@pytest.fixture
def site(tmp_path):
    with serving(tmp_path / "live.sqlite3", seed_workshop) as served:
        yield served


def test_instructor_pages_fit_a_phone_and_the_grid_keeps_names_in_view(phone, site):
    base, ids = site
    page = phone
    page.goto(base + "/login")
    page.get_by_label("手机号").fill("13800000002")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    cohort = ids["cohort"]
    problems = {}
    for path in ("/workshops/", f"/workshops/{cohort}/", "/workshops/new", f"/workshops/{cohort}/projector",
                 f"/workshops/{cohort}/progress", f"/workshops/{cohort}/trainees/{ids['trainee']}",
                 f"/workshops/{cohort}/cards", "/workshops/import"):
        page.goto(base + path)
        assert no_sideways_scroll(page), path
        found = audit(page)
        if found:
            problems[path] = found
    assert problems == {}

    page.goto(base + f"/workshops/{cohort}/progress")
    grid = page.locator(".grid-scroll")
    name = page.locator("tbody th.sticky").first
    assert page.evaluate("(el) => el.scrollWidth > el.clientWidth", grid.element_handle())  # 42 columns scroll
    left_before = name.bounding_box()["x"]
    grid.evaluate("(el) => { el.scrollLeft = 1500; }")
    assert grid.evaluate("(el) => el.scrollLeft") > 1000
    assert abs(name.bounding_box()["x"] - left_before) < 1  # the name column stays put
    expect(name).to_be_in_viewport()


def test_a_trainee_scans_the_join_link_registers_and_joins(phone, site):
    base, ids = site
    page = phone
    page.goto(f"{base}/join/{ids['code'].lower()}")
    expect(page.get_by_role("heading", name="北山村开网店入门班（春季）")).to_be_visible()
    page.get_by_role("link", name="注册账号").click()
    register(page, base)  # the registration page sends the trainee back to the join page
    page.goto(f"{base}/join/{ids['code']}")
    page.get_by_role("button", name="加入这个培训班").click()
    expect(page.get_by_text("你已加入“北山村开网店入门班（春季）”")).to_be_visible()
    expect(page.get_by_role("link", name="开店基础")).to_be_visible()
    assert no_sideways_scroll(page)
