"""A practical task on a 360 px phone in a real Chromium: a trainee sends real JPEGs from the file chooser,
loses the connection mid-send without losing anything, sends again; an instructor reviews on a phone with
the rubric: try again, a second version, passed, the course complete with its certificate."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.content.parser import Catalog, parse_course
from lms.content.sync import sync_catalog
from lms.extensions import db
from lms.learning.progress import enrol, find_course
from tests.browser.conftest import PHONE, serving
from tests.browser.test_phone_journey import no_sideways_scroll
from tests.cohorts.factories import make_cohort
from tests.conftest import _PASSWORD_HASH, PASSWORD
from tests.content.test_parser import COURSE_MD, TRACKS
from tests.tasks.test_work import INSTRUCTOR_TASK

TEXT = "篮子放在窗边的白纸上，光从左边来，右边用白泡沫板补光。"


def seed_task(app) -> dict:
    files = {"course.md": COURSE_MD.encode(), "01-basket.task.md": INSTRUCTOR_TASK.encode()}
    parsed, problems = parse_course("basket-course", files, TRACKS)
    assert problems == []
    sync_catalog(Catalog(tracks=TRACKS, courses=[parsed]), withdraw_missing=False)
    trainee = User(phone="13800000011", display_name="吕振鸿", role="trainee", password_hash=_PASSWORD_HASH)
    instructor = User(phone="13800000012", display_name="何老师", role="instructor", password_hash=_PASSWORD_HASH)
    db.session.add_all([trainee, instructor])
    db.session.commit()
    course = find_course("basket-course")
    cohort = make_cohort(courses=[course], instructors=[instructor], members=[trainee])
    enrol(trainee, course)
    db.session.commit()
    return {"cohort": cohort.id}


@pytest.fixture
def site(tmp_path):
    with serving(tmp_path / "live.sqlite3", seed_task) as served:
        yield served


def photo_file(folder, name: str, shade: int) -> str:
    image = Image.linear_gradient("L").resize((2400, 1800)).convert("RGB")
    image.paste((shade, 120, 40), (0, 0, 600, 450))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    path = folder / name
    path.write_bytes(out.getvalue())
    return str(path)


def sign_in(page, base: str, phone: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def send_two_photos(page, folder, version: int) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator("#photos").click()
    chooser.value.set_files([photo_file(folder, f"v{version}-a.jpg", 40 * version),
                             photo_file(folder, f"v{version}-b.jpg", 90 * version)])
    expect(page.locator(".photo-previews img")).to_have_count(2)


def review(page, base: str, cohort: int, levels: list[int], comment: str) -> None:
    page.goto(base + f"/workshops/{cohort}/reviews")
    page.locator(".review-queue a").first.click()
    assert no_sideways_scroll(page)
    for number, level in enumerate(levels, start=1):
        page.locator(f"input[name=level-{number}][value='{level}']").check()
    page.get_by_label("Comment for the trainee").or_(page.get_by_label("给学员的评语")).fill(comment)
    page.locator(".review-form button[type=submit]").click()


def test_send_lose_the_signal_send_again_try_again_pass_and_get_the_certificate(browser, site, tmp_path):
    base, ids = site
    trainee_context, instructor_context = browser.new_context(**PHONE), browser.new_context(**PHONE)
    trainee, instructor = trainee_context.new_page(), instructor_context.new_page()
    for page in (trainee, instructor):
        page.set_default_timeout(15_000)
    sign_in(trainee, base, "13800000011")
    sign_in(instructor, base, "13800000012")

    trainee.goto(base + "/courses/basket-course/basket")
    expect(trainee.locator(".rubric .criterion")).to_have_count(2)  # the rubric before anything is sent
    assert no_sideways_scroll(trainee)
    trainee.locator("#text").fill(TEXT)
    send_two_photos(trainee, tmp_path, 1)

    trainee_context.set_offline(True)  # the signal drops as the trainee presses send
    trainee.locator(".send-work button[type=submit]").click()
    expect(trainee.locator("[data-status]")).to_have_class("upload-status field-error")
    assert trainee.locator("#text").input_value() == TEXT
    assert trainee.evaluate("document.querySelector('#photos').files.length") == 2
    trainee_context.set_offline(False)
    trainee.locator(".send-work button[type=submit]").click()
    expect(trainee.locator(".status-waiting")).to_be_visible()

    review(instructor, base, ids["cohort"], [1, 2], "右边太暗，立一张白纸补光。")
    trainee.reload()
    expect(trainee.get_by_text("右边太暗，立一张白纸补光。")).to_be_visible()
    expect(trainee.locator(".status-again")).to_be_visible()
    assert trainee.locator("#text").input_value() == TEXT  # a new version starts from the words of the last
    send_two_photos(trainee, tmp_path, 2)
    trainee.locator(".send-work button[type=submit]").click()
    expect(trainee.locator(".status-waiting")).to_be_visible()

    review(instructor, base, ids["cohort"], [3, 2], "很好，光线均匀。")
    trainee.reload()
    expect(trainee.locator(".status-passed").first).to_be_visible()
    expect(trainee.locator(".work-version")).to_have_count(2)  # both versions kept
    trainee.goto(base + "/courses/basket-course")
    expect(trainee.locator(".certificate-download")).to_be_visible()  # complete, with its certificate
    trainee_context.close()
    instructor_context.close()
