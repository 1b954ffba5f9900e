"""axe-core audits the main pages in the same Chromium: no serious or critical violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_phone_journey import register

SERIOUS = {"serious", "critical"}


def audit(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"] if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_main_pages_have_no_serious_accessibility_violations(phone, live_server, language):
    page = phone
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found = audit(page)
        if found:
            problems[name] = found

    page.goto(live_server + "/")
    if language == "en":
        page.get_by_role("button", name="English").click()
    check("catalog (anonymous)")
    page.goto(live_server + "/login")
    check("sign in")
    page.goto(live_server + "/register")
    page.get_by_role("button").filter(has_text="注册" if language == "zh" else "Create my account").click()
    check("register with errors")
    register(page, live_server) if language == "zh" else _register_en(page, live_server)
    page.goto(live_server + "/courses/shop-basics/")
    check("course page")
    page.locator("form[action$='/enrol'] button").click()
    check("lesson")
    page.goto(live_server + "/courses/shop-basics/basics-check")
    check("quiz overview")
    page.locator("form[action$='/attempts'] button").click()
    check("quiz attempt")
    page.locator("form.quiz button[type=submit]").click()
    check("quiz result")
    page.goto(live_server + "/my")
    check("my learning")
    page.goto(live_server + "/nowhere")
    check("not found")
    assert problems == {}


def _register_en(page, base: str) -> None:
    page.goto(base + "/register")
    page.get_by_label("Mobile number").fill("13812345670")
    page.get_by_label("Your name (as printed on certificates)").fill("Lü Zhenhong")
    page.get_by_label("Password", exact=True).fill("beishan-outdoor-2024")
    page.get_by_label("Password again").fill("beishan-outdoor-2024")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Welcome, Lü Zhenhong")).to_be_visible()
