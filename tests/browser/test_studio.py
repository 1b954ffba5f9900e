"""An instructor brings a course in from a phone: upload, see the mistake, fix it in the editor, publish."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.extensions import db
from tests.browser.conftest import serving
from tests.browser.test_accessibility import audit
from tests.conftest import _PASSWORD_HASH, PASSWORD
from tests.studio.conftest import BROKEN_QUIZ, PACK_QUIZ, make_zip, pack_files

INSTRUCTOR_PHONE = "13611112222"


def add_instructor(app) -> None:
    db.session.add(User(phone=INSTRUCTOR_PHONE, display_name="王老师", role="instructor",
                        password_hash=_PASSWORD_HASH))
    db.session.commit()


@pytest.fixture
def studio_server(tmp_path_factory):
    """The real app on a loopback port with the fixture courses and one instructor."""
    with serving(tmp_path_factory.mktemp("studio") / "studio.sqlite3", add_instructor) as (base, _):
        yield base


def sign_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.locator("#phone").fill(INSTRUCTOR_PHONE)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_upload_see_the_mistake_fix_it_in_the_editor_and_publish_on_a_phone(phone, studio_server, artifacts):
    page = phone
    sign_in(page, studio_server)
    page.locator(".site-nav a[href='/studio/']").click()
    expect(page.locator("h1")).to_be_visible()
    assert no_sideways_scroll(page)

    page.locator("#archive").set_input_files({
        "name": "pack-and-ship.zip", "mimeType": "application/zip",
        "buffer": make_zip(pack_files({"02-packing-check.quiz.md": BROKEN_QUIZ})),
    })
    page.locator("form[action$='/studio/upload'] button[type=submit]").click()

    problem = page.locator(".problem-list a", has_text="pack-and-ship/02-packing-check.quiz.md:5")
    expect(problem).to_be_visible()
    expect(page.locator(".problem-list")).to_contain_text("这道题没有正确答案")  # the reader's language
    expect(page.locator("form[action$='/publish']")).to_have_count(0)
    assert no_sideways_scroll(page)
    assert audit(page) == []
    page.screenshot(path=artifacts / "studio-problems-360.png", full_page=True)

    problem.click()
    line = page.locator("#L5")
    expect(line).to_contain_text("折叠椅哪里最容易把箱子磨破？")
    expect(line.locator(".line-problem")).to_contain_text("这道题没有正确答案")
    assert no_sideways_scroll(page)
    assert audit(page) == []
    page.screenshot(path=artifacts / "studio-editor-360.png", full_page=True)

    page.locator("textarea#text").fill(PACK_QUIZ)
    page.locator("button[name=action][value=preview]").click()
    expect(page.locator(".file-preview .correct-option").first).to_contain_text("四个角")
    expect(page.locator(".line-problem")).to_have_count(0)
    page.locator("button[name=action][value=save]").click()
    expect(page.locator(".flash-success")).to_be_visible()

    page.locator(".breadcrumb a").click()
    expect(page.locator(".problem-list")).to_have_count(0)
    page.locator("a[href$='/preview/draft/']").first.click()
    expect(page.locator(".preview-banner")).to_be_visible()
    expect(page.locator("h1")).to_have_text("打包和发货")
    assert no_sideways_scroll(page)
    page.locator(".preview-banner a").first.click()

    page.locator("#note").fill("第一版")
    page.locator("form[action$='/publish'] button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".version-list li")).to_have_count(1)
    page.screenshot(path=artifacts / "studio-published-360.png", full_page=True)

    page.goto(studio_server + "/courses/pack-and-ship/")
    expect(page.locator("h1")).to_have_text("打包和发货")


def test_the_phone_view_shows_the_preview_in_a_phone_sized_frame_on_a_computer(browser, studio_server, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, studio_server)
    page.goto(studio_server + "/studio/")
    preview = page.locator("a[href*='/preview/']").first
    page.goto(studio_server + preview.get_attribute("href").replace("/preview/", "/phone/").rstrip("/"))
    frame = page.frame_locator("iframe.phone-frame")
    expect(frame.locator(".preview-banner")).to_be_visible()
    expect(frame.locator("h1")).to_be_visible()
    assert page.locator("iframe.phone-frame").evaluate("frame => frame.clientWidth") == 360
    page.screenshot(path=artifacts / "studio-phone-view-desktop.png")
    context.close()


@pytest.mark.parametrize(("language", "width"), [("zh", 360), ("en", 360), ("zh", 1280), ("en", 1280)])
def test_a_problem_leads_to_the_section_of_the_guide_that_explains_it(browser, studio_server, artifacts, language,
                                                                      width):
    phone = width == 360
    context = browser.new_context(viewport={"width": width, "height": 640 if phone else 900}, is_mobile=phone,
                                  has_touch=phone, locale="zh-CN" if language == "zh" else "en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, studio_server)
    slug = f"guide-{language}-{width}"
    page.goto(studio_server + "/studio/upload")
    page.locator("#archive").set_input_files({"name": f"{slug}.zip", "mimeType": "application/zip",
                                              "buffer": make_zip(pack_files({"02-packing-check.quiz.md": BROKEN_QUIZ}),
                                                                 folder=slug)})
    page.locator("form[action$='/studio/upload'] button[type=submit]").click()
    page.locator(".guide-link").first.click()
    heading = page.locator("#user-content-quizzes")
    expect(heading).to_have_text("4. 小测和实操任务" if language == "zh" else "4. Quizzes and practical tasks")
    expect(heading).to_be_in_viewport()
    assert no_sideways_scroll(page)
    assert audit(page) == []
    page.screenshot(path=artifacts / f"studio-guide-{language}-{width}.png")
    context.close()
