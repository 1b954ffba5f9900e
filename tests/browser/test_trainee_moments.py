"""A trainee's moments on a phone (360 px) and a computer (1280 px), in Chinese and English: registering
(village offered, show/hide, the password rule), the footer's touch targets, lesson tables without
mid-word breaks, the offline page in the reader's language listing the courses saved on this phone; passing
the last quiz (the certificate right there, the course on "My learning"), a link into a locked course, a
withdrawn certificate explained. axe reports no serious or critical violation on any of these pages."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.accounts.villages import replace_villages
from lms.certificates.issuing import revoke_certificate
from lms.extensions import db
from lms.learning.progress import enrol, find_course, finish_lesson
from tests.browser.conftest import PHONE, serving
from tests.browser.test_accessibility import audit
from tests.browser.test_phone_journey import RIGHT, answer_quiz, register
from tests.certificates.conftest import certificate_of, complete_course
from tests.conftest import _PASSWORD_HASH, PASSWORD

SCREENS = {
    "phone": PHONE,
    "computer": {"viewport": {"width": 1280, "height": 800}},
}
WORDS = {
    "zh": {"village": "村（可不填）", "password": "密码", "show": "显示密码", "hide": "隐藏密码",
           "hint": "至少 8 个字", "locale": "zh-CN"},
    "en": {"village": "Village (optional)", "password": "Password", "show": "Show password",
           "hide": "Hide password", "hint": "At least 8 characters", "locale": "en-US"},
}


def _seed(app):
    replace_villages(None, ["北山村", "南坡村"])
    db.session.add(User(phone="13800000001", display_name="县培训办", role="admin", password_hash=_PASSWORD_HASH))
    db.session.commit()
    return app


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("moments") / "moments.sqlite3", _seed) as served:
        yield served


@pytest.fixture(scope="module")
def site(served):
    return served[0]


@pytest.fixture(params=[(screen, language) for screen in SCREENS for language in WORDS],
                ids=lambda p: f"{p[0]}-{p[1]}")
def reader(request, browser):
    screen, language = request.param
    options = {**SCREENS[screen], "locale": WORDS[language]["locale"]}
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, WORDS[language]
    context.close()


def test_registration_offers_the_villages_shows_the_rule_and_shows_or_hides_the_password(reader, site):
    page, words = reader
    page.goto(site + "/register")
    village = page.get_by_label(words["village"])
    assert village.get_attribute("list") == "village-list"
    assert page.locator("#village-list option").evaluate_all("os => os.map(o => o.value)") == ["北山村", "南坡村"]
    expect(page.locator("#password-hint")).to_contain_text(words["hint"])
    password = page.get_by_label(words["password"], exact=True)
    password.fill("我家果园在北山脚下")
    toggle = page.locator("[data-password-toggle=password]")
    expect(toggle).to_have_accessible_name(words["show"])
    toggle.click()
    assert password.get_attribute("type") == "text"
    expect(toggle).to_have_accessible_name(words["hide"])
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    assert password.get_attribute("type") == "password"
    box, field = toggle.bounding_box(), password.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= page.viewport_size["width"]
    assert field["width"] >= 120
    footer_links = page.locator(".site-footer a, .site-footer button").all()
    assert footer_links
    assert all(link.bounding_box()["height"] >= 44 for link in footer_links)
    assert audit(page) == []


def test_signed_in_footer_links_are_touch_sized(phone, site):
    register(phone, site, phone="13900000021")
    links = phone.locator(".site-footer a").all()
    assert len(links) >= 2
    heights = [link.bounding_box()["height"] for link in links]
    assert min(heights) >= 44, heights


def test_a_lesson_table_at_360_px_keeps_chinese_words_whole(phone, site):
    register(phone, site, phone="13900000022")
    phone.goto(site + "/courses/shop-basics/")
    phone.locator("form[action$='/enrol'] button").click()
    table = phone.locator(".prose table").first
    expect(table).to_be_visible()
    # A wide table like the real courses' fee tables: long words in narrow columns.
    table.evaluate("""t => { t.querySelectorAll('tr').forEach(r => {
        for (let i = 0; i < 4; i++) { const c = document.createElement(r.querySelector('th') ? 'th' : 'td');
          c.textContent = '平台费用，每单扣除'; r.appendChild(c); } }); }""")
    broken = table.evaluate("""t => {
        const out = [];
        t.querySelectorAll('th, td').forEach(cell => {
          const text = cell.firstChild;
          if (!text || text.nodeType !== 3) return;
          const s = text.textContent, word = s.indexOf('平台费用');
          if (word < 0) return;
          const tops = [];
          for (let i = word; i < word + 4; i++) {
            const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1);
            tops.push(Math.round(r.getBoundingClientRect().top));
          }
          if (new Set(tops).size > 1) out.push(s);
        });
        return out; }""")
    assert broken == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # the table scrolls, not the page


def test_the_offline_page_in_chinese_lists_a_saved_course_without_signal(phone, site):
    page = phone
    register(page, site, phone="13900000023")
    page.goto(site + "/courses/shop-basics/")
    page.locator("form[action$='/enrol'] button").click()
    page.goto(site + "/courses/shop-basics/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="保存整门课，离线也能看").click()
    expect(page.locator("[data-save-status]")).not_to_be_empty()
    page.wait_for_function("caches.open('cunke-pages').then(c => c.match(location.origin + '/courses/shop-basics/'))"
                           ".then(r => !!r)")
    title = page.locator("h1").inner_text()
    page.context.set_offline(True)
    try:
        page.goto(site + "/courses/shop-basics/never-opened")
        expect(page.get_by_role("heading", name="现在没有信号", level=1)).to_be_visible()
        # Kept as a signed-in reader first saw it: none of the controls that need a signal.
        expect(page.locator(".site-nav, .site-footer")).to_have_count(0)
        expect(page.get_by_role("button", name="English")).to_have_count(0)
        expect(page.locator("[data-message-lang=en]")).to_be_hidden()
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        saved = page.locator("[data-message-lang=zh] .saved-courses a")
        expect(saved).to_have_text([title])
        assert audit(page) == []
        saved.click()
        expect(page.locator("h1")).to_have_text(title)
    finally:
        page.context.set_offline(False)


def test_the_offline_page_follows_an_english_reader(browser, site):
    context = browser.new_context(**{**PHONE, "locale": "en-US"})
    page = context.new_page()
    try:
        page.goto(site + "/offline")
        expect(page.locator("[data-message-lang=zh]")).to_be_hidden()
        expect(page.get_by_role("heading", name="No signal right now", level=1)).to_be_visible()
        expect(page.get_by_role("link", name="登录")).to_have_count(0)
        expect(page.get_by_role("link", name="Sign in")).to_have_count(0)
        expect(page.locator(".language-switch")).to_have_count(0)
        expect(page.locator("[data-message-lang=en] [data-no-saved-courses]")).to_be_visible()
        assert audit(page) == []
    finally:
        context.close()


# The moments after learning: one Chinese phone and one English computer each.
MOMENTS = {
    "phone-zh": ("phone", "zh", {"submit": "交卷", "answers": RIGHT, "finished": "你学完了“开店基础”这门课！",
                                 "my": "我的学习", "completed": "已学完", "not_started": "你还没有开始学习任何课程",
                                 "locked": "这门课要先学完开店基础才能开始。", "tap": "开始学习",
                                 "withdrawn": "被收回了", "reason": "写明的原因：", "title": "开店基础"}),
    "computer-en": ("computer", "en", {
        "submit": "Send my answers", "answers": {"registering": "No, registering is free",
                                        "search": ["Keywords in the title", "Sales and reviews"],
                                        "gross profit": "20", "instant-messaging": "Wangwang",
                                        "bad review": "False"},
        "finished": "You have finished the course Shop basics!", "my": "My learning", "completed": "Completed",
        "not_started": "You have not started a course yet", "locked": "This course opens after you finish Shop basics.",
        "tap": "Start the course", "withdrawn": "was withdrawn on", "reason": "The reason given: ",
        "title": "Shop basics"}),
}


PHONES = itertools.count(100)


@pytest.fixture(params=list(MOMENTS), ids=list(MOMENTS))
def moment(request, browser, served):
    screen, language, words = MOMENTS[request.param]
    context = browser.new_context(**{**SCREENS[screen], "locale": WORDS[language]["locale"]})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, words, served[1], f"1390000{next(PHONES):04d}"
    context.close()


def _trainee(app, phone: str, prepare=None) -> int:
    with app.app_context():
        trainee = User(phone=phone, display_name="吕振鸿", role="trainee", password_hash=_PASSWORD_HASH)
        db.session.add(trainee)
        db.session.commit()
        if prepare:
            prepare(trainee, find_course("shop-basics"))
        return trainee.id


def _sign_in(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.locator("#phone").fill(phone)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _lessons_done(trainee, course) -> None:
    enrol(trainee, course)
    for item in course.items:
        if not item.is_quiz:
            finish_lesson(trainee, item)
    db.session.commit()


def test_passing_the_last_quiz_shows_the_certificate_and_lists_the_course_as_completed(moment, site):
    page, words, app, phone = moment
    trainee_id = _trainee(app, phone, _lessons_done)
    _sign_in(page, site, phone)
    page.goto(site + "/courses/shop-basics/basics-check")
    page.locator("form[action$='/attempts'] button").click()
    answer_quiz(page, words["answers"], submit=words["submit"])
    finished = page.locator(".course-finished")
    expect(finished.locator("h2")).to_contain_text(words["finished"])
    with app.app_context():
        certificate = certificate_of(db.session.get(User, trainee_id), find_course("shop-basics"))
        assert certificate is not None and certificate.is_valid
        code = certificate.code
    expect(finished.locator("a.certificate-download")).to_have_attribute("href", f"/certificates/{code}.pdf")
    verify = finished.locator("a.certificate-verify")
    expect(verify).to_have_attribute("href", f"/verify/{code}")
    assert audit(page) == []
    assert page.request.get(site + f"/verify/{code}").status == 200

    finished.get_by_role("link", name=words["my"]).click()
    completed = page.locator(f"h2:has-text('{words['completed']}') + ul")
    expect(completed.get_by_text(words["title"])).to_be_visible()
    expect(completed.locator("a.certificate-verify")).to_have_attribute("href", f"/verify/{code}")
    expect(page.get_by_text(words["not_started"])).to_have_count(0)
    assert audit(page) == []


def test_a_link_into_a_locked_course_names_the_course_to_finish_first(moment, site):
    page, words, app, phone = moment
    _trainee(app, phone)
    _sign_in(page, site, phone)
    page.goto(site + "/courses/shop-growth/keywords")
    expect(page.get_by_text(words["locked"])).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(words["tap"])
    assert audit(page) == []
    page.locator(".locked").get_by_role("link", name=words["title"]).click()
    expect(page).to_have_url(site + "/courses/shop-basics/")
    expect(page.locator("form[action$='/enrol'] button")).to_be_visible()


def test_a_withdrawn_certificate_is_explained_on_my_learning(moment, site):
    page, words, app, phone = moment

    def revoked(trainee, course) -> None:
        certificate = complete_course(trainee, course)
        admin = db.session.scalar(db.select(User).where(User.role == "admin"))
        revoke_certificate(certificate, admin, "姓名写错了，请找老师重新登记")
        db.session.commit()

    trainee_id = _trainee(app, phone, revoked)
    with app.app_context():
        code = certificate_of(db.session.get(User, trainee_id), find_course("shop-basics")).display_code
    _sign_in(page, site, phone)
    page.goto(site + "/my")
    change = page.locator(".certificate-change")
    expect(change).to_contain_text(code)
    expect(change).to_contain_text(words["withdrawn"])
    expect(change).to_contain_text(words["reason"] + "姓名写错了，请找老师重新登记")
    expect(page.locator("a.certificate-download")).to_have_count(0)
    assert audit(page) == []
