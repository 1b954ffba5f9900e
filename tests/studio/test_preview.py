"""Preview: the trainee pages, rendered from the draft or a version, recording nothing, shown only to staff."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.quizzes.models import QuizAttempt
from tests.studio.conftest import save_file


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def records() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count(Enrolment.id))), db.session.scalar(select(func.count(ItemProgress.id))),
            db.session.scalar(select(func.count(QuizAttempt.id))))


def test_the_preview_shows_the_course_its_lessons_its_quiz_and_the_certificate(uploaded):
    course = page_text(uploaded.get("/studio/pack-and-ship/preview/draft/"))
    assert "Trainees do not see this page. Nothing you do here is recorded." in course
    assert "<h1 lang=\"zh-Hans\">打包和发货</h1>" in course
    assert 'href="/studio/pack-and-ship/preview/draft/packing"' in course
    assert "The certificate" in course and "This certifies that (the trainee's name) completed the course" in course

    lesson = page_text(uploaded.get("/studio/pack-and-ship/preview/draft/packing"))
    assert "气泡膜" in lesson
    assert 'action="/studio/pack-and-ship/preview/draft/packing/next"' in lesson

    quiz = page_text(uploaded.get("/studio/pack-and-ship/preview/draft/packing-check"))
    assert "2 questions" in quiz
    questions = page_text(uploaded.get("/studio/pack-and-ship/preview/draft/packing-check/questions"))
    assert "折叠椅哪里最容易把箱子磨破？" in questions and "判断：包得越重越好。" in questions
    assert 'name="q0" value="0"' in questions


def test_going_through_a_preview_records_nothing(client, signed_in, admin, courses):
    signed_in(admin)
    assert records() == (0, 0, 0)
    base = "/studio/shop-basics/preview/1"
    assert client.get(f"{base}/").status_code == 200
    response = client.post(f"{base}/choose-product/next")
    assert response.headers["Location"].endswith(f"{base}/margin")
    assert client.post(f"{base}/margin/next").headers["Location"].endswith(f"{base}/basics-check")
    start = client.post(f"{base}/basics-check/questions?start=1")
    assert start.headers["Location"].endswith(f"{base}/basics-check/questions")
    result = page_text(client.post(f"{base}/basics-check/questions",
                                   data={"q0": "1", "q1": ["0", "1"], "q2": "20", "q3": "旺旺", "q4": "false"}))
    assert "100%" in result and "Passed! Well done." in result
    assert records() == (0, 0, 0)


def test_a_version_number_no_version_could_have_is_not_found(client, signed_in, admin, courses):
    signed_in(admin)
    assert client.get("/studio/shop-basics/preview/1/").status_code == 200
    for source in ("2147483648", "9223372036854775808", "9" * 400, "9" * 5000, "0"):
        assert client.get(f"/studio/shop-basics/preview/{source}/").status_code == 404, source
        assert client.get(f"/studio/shop-basics/phone/{source}").status_code == 404, source


def test_a_draft_preview_shows_unpublished_changes_that_trainees_do_not_see(client, signed_in, admin, courses):
    signed_in(admin)
    save_file(client, "shop-basics", "02-margin.md", "---\ntitle: 草稿里的标题\nminutes: 8\n---\n草稿正文\n")
    assert "草稿里的标题" in page_text(client.get("/studio/shop-basics/preview/draft/margin"))
    assert "草稿里的标题" not in page_text(client.get("/studio/shop-basics/preview/1/margin"))


def test_other_instructors_preview_only_the_published_version(client, signed_in, admin, other_instructor, trainee,
                                                             courses):
    signed_in(admin)
    save_file(client, "shop-basics", "02-margin.md", "---\ntitle: 第二版\nminutes: 8\n---\n")
    client.post("/studio/shop-basics/publish")
    save_file(client, "shop-basics", "02-margin.md", "---\ntitle: 草稿\nminutes: 8\n---\n")

    signed_in(other_instructor)
    assert client.get("/studio/shop-basics/preview/2/").status_code == 200
    assert "第二版" in page_text(client.get("/studio/shop-basics/preview/2/margin"))
    assert client.get("/studio/shop-basics/preview/1/").status_code == 404
    assert client.get("/studio/shop-basics/preview/draft/").status_code == 404
    assert client.get("/studio/shop-basics/versions/2.zip").status_code == 404
    index = page_text(client.get("/studio/"))
    assert 'href="/studio/shop-basics/preview/2/"' in index

    signed_in(trainee)
    assert client.get("/studio/shop-basics/preview/2/").status_code == 403
    assert client.get("/studio/").status_code == 403


def test_the_phone_view_frames_the_preview_at_phone_size(uploaded):
    page = uploaded.get("/studio/pack-and-ship/phone/draft").get_data(as_text=True)
    assert '<iframe class="phone-frame" src="/studio/pack-and-ship/preview/draft/"' in page


def test_preview_pictures_come_from_the_previewed_files(client, signed_in, admin, courses):
    signed_in(admin)
    course = client.get("/studio/shop-basics/preview/1/").get_data(as_text=True)
    assert 'src="/studio/shop-basics/preview/1/media/shelf.svg?v=' in course
    picture = client.get("/studio/shop-basics/preview/1/media/shelf.svg")
    assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
    assert "sandbox" in picture.headers["Content-Security-Policy"]
    assert client.get("/studio/shop-basics/preview/1/media/missing.svg").status_code == 404
