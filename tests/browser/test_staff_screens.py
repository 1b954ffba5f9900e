"""The instructor's and the county office's screens in a real Chromium, at 1280 px and on a 360 px phone,
in Chinese and in English: desktop width, a 40-column progress grid that keeps names and headers in view,
courses in learning order, sentences in the audit log, confirmations with reasons, and a header that fits."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.certificates.issuing import issue_certificate
from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.learning.progress import find_course
from tests.browser.conftest import PHONE, serving
from tests.browser.test_accessibility import audit
from tests.browser.test_phone_journey import no_sideways_scroll
from tests.cohorts.factories import big_course, crowd, make_cohort
from tests.conftest import _PASSWORD_HASH, PASSWORD

ADMIN, INSTRUCTOR = "13800000001", "13800000002"
WORKSHOP = "北山村开网店入门班（春季）"
SIZES = [("zh", 1280), ("en", 1280), ("zh", 360), ("en", 360)]


def seed(app) -> dict:
    """An administrator, an instructor, and a workshop whose three courses make 40 columns, given out of
    learning order (the intermediate shop-growth before the intro it requires); one trainee holds a certificate."""
    admin = User(phone=ADMIN, display_name="李主任", role="admin", password_hash=_PASSWORD_HASH)
    instructor = User(phone=INSTRUCTOR, display_name="王老师", role="instructor", password_hash=_PASSWORD_HASH)
    db.session.add_all([admin, instructor])
    db.session.commit()
    big = big_course(36)
    basics, growth = find_course("shop-basics"), find_course("shop-growth")
    cohort = make_cohort(WORKSHOP, courses=[growth, big, basics], instructors=[instructor])
    ids = crowd(cohort, big, 30, finished_share=0.3)
    holder = db.session.get(User, ids[0])
    enrolment = Enrolment(user_id=holder.id, course_id=basics.id, completed_at=utcnow())
    db.session.add(enrolment)
    db.session.commit()
    certificate = issue_certificate(enrolment)
    db.session.commit()
    return {"cohort": cohort.id, "trainees": ids, "certificate": certificate.id,
            "certificate_code": certificate.code.replace("-", ""),
            "titles": {"basics": basics.title("zh"), "growth": growth.title("zh")}}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("office") / "office.sqlite3", seed) as served:
        yield served


def open_page(browser, language: str, width: int):
    locale = "zh-CN" if language == "zh" else "en-US"
    if width == 360:
        context = browser.new_context(**{**PHONE, "locale": locale})
    else:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def sign_in(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def main_width(page) -> float:
    return page.locator("main").bounding_box()["width"]


@pytest.mark.parametrize(("language", "width"), SIZES)
def test_staff_pages_use_the_screen_fit_it_and_pass_axe(browser, office, language, width):
    base, ids = office
    cohort = ids["cohort"]
    problems: dict[str, list[str]] = {}
    for phone, landing, paths in (
        (INSTRUCTOR, "/workshops/", ["/workshops/", f"/workshops/{cohort}/", "/workshops/new",
                                     f"/workshops/{cohort}/progress",
                                     f"/workshops/{cohort}/trainees/{ids['trainees'][1]}",
                                     "/workshops/import", "/studio/"]),
        (ADMIN, "/admin/reports/", ["/admin/reports/", "/admin/reports/export", "/admin/reports/audit",
                                    "/admin/users/", f"/admin/users/{ids['trainees'][2]}", "/admin/certificates",
                                    f"/admin/certificates/{ids['certificate']}"]),
    ):
        context, page = open_page(browser, language, width)
        sign_in(page, base, phone)
        assert page.url == base + landing  # an instructor lands on the workshops, an administrator on the reports
        for path in paths:
            page.goto(base + path)
            assert no_sideways_scroll(page), path
            if width == 1280 and path != "/workshops/new":
                assert main_width(page) > 1100, path  # the desktop width, not a phone column in the middle
            found = audit(page)
            if found:
                problems[path] = found
        context.close()
    assert problems == {}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_forty_columns_fit_at_1280_and_names_and_headers_stay_in_view(browser, office, language):
    base, ids = office
    context, page = open_page(browser, language, 1280)
    sign_in(page, base, INSTRUCTOR)
    page.goto(base + f"/workshops/{ids['cohort']}/progress")
    grid = page.locator(".progress-scroll")
    assert page.locator(".progress-grid thead .item-head").count() == 40
    key = page.locator(".item-key", has_text="第1节").inner_text()
    assert ("第5节 （小测）" if language == "zh" else "第5节 (quiz)") in key
    assert grid.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # no sideways scroll box at 1280 px
    assert grid.bounding_box()["width"] > 1100
    header = page.locator(".progress-grid thead .item-head").first
    last_name = page.locator(".progress-grid tbody th.sticky").last
    grid.scroll_into_view_if_needed()
    grid.evaluate("el => { el.scrollTop = el.scrollHeight; }")  # down to the last trainee
    assert grid.evaluate("el => el.scrollTop") > 100
    expect(last_name).to_be_in_viewport()
    expect(header).to_be_in_viewport()  # the headers stay on screen while scrolling down the trainees
    head_box, name_box = header.bounding_box(), last_name.bounding_box()
    assert head_box["y"] < name_box["y"]
    context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_grid_on_a_phone_keeps_the_name_column_while_scrolling_sideways(browser, office, language):
    base, ids = office
    context, page = open_page(browser, language, 360)
    sign_in(page, base, INSTRUCTOR)
    page.goto(base + f"/workshops/{ids['cohort']}/progress")
    grid = page.locator(".progress-scroll")
    name = page.locator(".progress-grid tbody th.sticky").first
    header = page.locator(".progress-grid thead th.sticky")
    left = name.bounding_box()["x"]
    grid.evaluate("el => { el.scrollLeft = 1500; el.scrollTop = 400; }")
    assert grid.evaluate("el => el.scrollLeft") > 500
    assert abs(name.bounding_box()["x"] - left) < 1
    expect(header).to_be_in_viewport()
    assert no_sideways_scroll(page)
    context.close()


def test_courses_come_in_learning_order_everywhere(browser, office):
    base, ids = office
    context, page = open_page(browser, "zh", 1280)
    sign_in(page, base, INSTRUCTOR)
    basics, growth = ids["titles"]["basics"], ids["titles"]["growth"]

    def before(texts: list[str]) -> bool:
        first = next(i for i, text in enumerate(texts) if basics in text)
        second = next(i for i, text in enumerate(texts) if growth in text)
        return first < second

    page.goto(base + "/workshops/new")
    assert before(page.locator("input[type=checkbox]").evaluate_all(
        "boxes => boxes.map(box => box.closest('label, li, div').innerText)"))
    page.goto(base + f"/workshops/{ids['cohort']}/")
    text = page.locator("main").inner_text()
    assert text.index(basics) < text.index(growth)
    page.goto(base + f"/workshops/{ids['cohort']}/progress")
    assert before(page.locator(".progress-grid .course-head").all_inner_texts())
    context.close()


def test_revoking_a_certificate_asks_for_confirmation_and_a_reason(browser, office):
    base, ids = office
    context, page = open_page(browser, "zh", 1280)
    sign_in(page, base, ADMIN)
    detail = base + f"/admin/certificates/{ids['certificate']}"
    page.goto(detail)
    button = page.locator("form[action$='/revoke'] button[type=submit]")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.locator("form[action$='/revoke'] textarea, form[action$='/revoke'] input[type=text]").first.fill("姓名写错了")
    button.click()
    assert questions and ids["certificate_code"] in questions[0].replace(" ", "").replace("-", "")
    page.goto(detail)
    expect(page.locator("form[action$='/revoke']")).to_have_count(1)  # dismissed: still valid

    page.once("dialog", lambda dialog: dialog.accept())
    button.click()  # no reason given
    expect(page.locator(".field-error")).to_be_visible()
    expect(page.locator("form[action$='/revoke']")).to_have_count(1)

    page.locator("form[action$='/revoke'] textarea, form[action$='/revoke'] input[type=text]").first.fill("姓名写错了")
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    page.wait_for_load_state()
    expect(page.locator("form[action$='/revoke']")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("姓名写错了")
    context.close()


def test_taking_a_trainee_out_asks_for_confirmation_and_a_reason(browser, office):
    base, ids = office
    trainee = ids["trainees"][5]
    context, page = open_page(browser, "zh", 360)
    sign_in(page, base, INSTRUCTOR)
    detail = base + f"/workshops/{ids['cohort']}/trainees/{trainee}"
    page.goto(detail)
    form = page.locator("form[action$='/remove']")
    reason = form.locator("textarea, input[type=text]").first

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    reason.fill("搬去县城了")
    form.locator("button[type=submit]").click()
    assert questions and WORKSHOP in questions[0]
    page.goto(detail)
    expect(page.locator("form[action$='/remove']")).to_have_count(1)

    page.once("dialog", lambda dialog: dialog.accept())
    form.locator("button[type=submit]").click()  # no reason
    expect(page.locator(".field-error")).to_be_visible()

    page.locator("form[action$='/remove'] textarea, form[action$='/remove'] input[type=text]").first.fill("搬去县城了")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action$='/remove'] button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(base + f"/workshops/{ids['cohort']}/progress")
    assert "学员005" not in page.locator(".progress-grid").inner_text()
    context.close()


def test_the_administrator_corrects_a_village(browser, office):
    base, ids = office
    context, page = open_page(browser, "zh", 360)
    sign_in(page, base, ADMIN)
    page.goto(base + f"/admin/users/{ids['trainees'][3]}")
    page.locator("#village").fill("北山村")
    page.locator("form[action$='/name'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("北山村")
    assert no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_audit_log_reads_as_sentences_that_fit(browser, office, language):
    base, ids = office
    context, page = open_page(browser, language, 1280)
    sign_in(page, base, ADMIN)
    page.goto(base + f"/admin/users/{ids['trainees'][4]}")
    page.locator("#village").fill("南岭村二组")
    page.locator("form[action$='/name'] button[type=submit]").click()
    page.goto(base + "/admin/reports/audit")
    rows = page.locator(".audit-table tbody tr")
    expect(rows.first).to_be_visible()
    text = page.locator("main").inner_text()
    assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", text), text  # no raw action names like certificate.reissue
    assert "holder_id" not in text and "user_id" not in text
    assert not re.search(r"\b[0-9a-f]{16,}\b", text)  # no content hashes
    assert ("李主任" in text) and (("管理员" in text) if language == "zh" else ("administrator" in text.lower()))
    if language == "zh":
        words = re.sub(r"[A-Z0-9]{5}(-[A-Z0-9]{5})+", "", text)  # certificate numbers are letters and digits
        assert not re.search(r"[A-Za-z]{4,}", words), text  # no English left in the Chinese page
    table = page.locator(".audit-table")
    assert table.evaluate("el => el.scrollWidth <= el.parentElement.clientWidth + 1")
    filters = page.locator("#action option").all_inner_texts()
    assert all("." not in label for label in filters), filters
    assert audit(page) == []
    context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_import_page_offers_the_template_and_its_preview_fits_a_phone(browser, office, language, tmp_path):
    base, ids = office
    context, page = open_page(browser, language, 360)
    sign_in(page, base, INSTRUCTOR)
    page.goto(base + "/workshops/import")
    with page.expect_download() as download:
        page.locator("a[href$='/workshops/import/template.csv']").click()
    template = download.value.path().read_text("utf-8-sig").strip()
    header = template.splitlines()[0]
    assert ("姓名" in header) if language == "zh" else ("Name" in header)
    rows = header + "\n" + "\n".join(
        f"新学员{n}{'（合作社带头人，电话请打村委会转接）' if n == 1 else ''},1390000{language == 'zh':d}{n:03d},"
        f"北山村第{n}村民小组,{WORKSHOP}" for n in range(1, 6)) + "\n坏的一行,123,,\n"
    upload = tmp_path / "list.csv"
    upload.write_text(rows, "utf-8")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".import-table")).to_be_visible()
    assert no_sideways_scroll(page)
    assert page.locator(".import-rows").evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    for cell in page.locator(".import-table td").all()[:12]:
        box = cell.bounding_box()
        if box and box["width"] > 0:
            assert box["x"] + box["width"] <= 361
    assert audit(page) == []
    context.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_admin_header_fits_a_phone_on_one_line(browser, office, language):
    base, _ = office
    context, page = open_page(browser, language, 360)
    sign_in(page, base, ADMIN)
    links = page.locator(".site-nav a")
    boxes = [link.bounding_box() for link in links.all()]
    assert len(boxes) >= 3
    if language == "zh":
        assert not re.search(r"[A-Za-z]", " ".join(links.all_inner_texts()))  # the menu is all in Chinese
    tops = {round(box["y"]) for box in boxes}
    assert max(tops) - min(tops) <= 2  # one row of links
    for link, box in zip(links.all(), boxes, strict=True):
        line = page.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || 24", link.element_handle())
        text_height = link.evaluate("el => { const r = document.createRange(); r.selectNodeContents(el);"
                                    " return r.getBoundingClientRect().height; }")
        assert text_height < 2 * line - 1, link.inner_text()  # no letters stacked one above the other
        assert box["x"] + box["width"] <= 360
    assert no_sideways_scroll(page)
    context.close()
