"""A practical task as a trainee meets it: the instructions, what to send and the rubric, on a page of the course.

A self-checked task (`review: self`) is marked done by the trainee, as a lesson is."""

from __future__ import annotations

import pytest

from lms.content.parser import Catalog, parse_course
from lms.content.sync import sync_catalog
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.learning.progress import enrol, find_course
from tests.conftest import csrf_token_from
from tests.content.test_parser import COURSE_MD, TRACKS
from tests.content.test_taskfile import TASK, TASK_EN
from tests.learning.test_lesson_pages import signed_in_client

LESSON_MD = "---\ntitle: 第一课\nminutes: 5\n---\n正文。\n"
SELF_CHECKED = TASK.replace("review: peer\nreviewers: 2\n", "review: self\n")


@pytest.fixture
def task_course(app):
    files = {
        "course.md": COURSE_MD.encode(), "course.en.md": b"---\ntitle: Shop basics\n---\n",
        "01-intro.md": LESSON_MD.encode(), "01-intro.en.md": b"---\ntitle: First\n---\nText.\n",
        "02-basket.task.md": SELF_CHECKED.encode(), "02-basket.task.en.md": TASK_EN.encode(),
    }
    parsed, problems = parse_course("basket-course", files, TRACKS)
    assert problems == []
    sync_catalog(Catalog(tracks=TRACKS, courses=[parsed]), withdraw_missing=False)
    db.session.commit()
    return find_course("basket-course")


def test_the_task_page_shows_what_to_send_and_the_rubric_before_anything_is_sent(app, task_course, trainee):
    enrol(trainee, task_course)
    db.session.commit()
    page = signed_in_client(app, trainee).get("/courses/basket-course/basket").get_data(as_text=True)
    assert "把竹篮放在窗边" in page
    assert "2 photos" in page or "2 张照片" in page
    for words in ("光线", "光从哪里来", "需要重做", "侧面窗光", "柔和有立体感", "背景", "白纸"):
        assert words in page, words
    assert "评分标准" not in page.split('class="rubric"')[0].split("<article")[1]  # the rubric is not in the text twice


def test_marking_a_self_checked_task_done_completes_the_course_as_a_lesson_would(app, task_course, trainee):
    enrol(trainee, task_course)
    db.session.commit()
    client = signed_in_client(app, trainee)
    for item in ("intro", "basket"):
        token = csrf_token_from(client.get(f"/courses/basket-course/{item}").get_data(as_text=True))
        client.post(f"/courses/basket-course/{item}/finish", data={"csrf_token": token})
    enrolment = db.session.scalar(db.select(Enrolment).filter_by(user_id=trainee.id, course_id=task_course.id))
    assert enrolment.completed_at is not None


def test_an_english_reader_gets_the_translated_instructions_and_rubric(app, task_course, trainee):
    enrol(trainee, task_course)
    db.session.commit()
    client = signed_in_client(app, trainee)
    client.set_cookie("lang", "en")
    page = client.get("/courses/basket-course/basket").get_data(as_text=True)
    assert 'lang="en"' in page and "Put the basket by the window." in page
    assert "Good enough" in page and "side light." in page and "needed to pass" in page
    assert "2 photos" in page and "at least 800 pixels on the shorter side" in page
