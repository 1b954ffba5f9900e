"""The studio speaks the reader's language: the checker's problems, the editor's line messages, version notes."""

from __future__ import annotations

import html

from sqlalchemy import select, update

from lms.content.versions import CourseVersion
from lms.extensions import db
from tests.studio.conftest import BROKEN_QUIZ, make_zip, pack_files, save_file, upload

QUIZ = "02-packing-check.quiz.md"


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def reading(client, language: str):
    client.set_cookie("lang", language)
    return client


def upload_broken_course(client, signed_in, instructor):
    signed_in(instructor)
    broken = pack_files({QUIZ: BROKEN_QUIZ,
                         "course.md": pack_files()["course.md"].replace(b"level: intro", b"level: beginner")})
    assert upload(client, make_zip(broken)).status_code == 302


def test_the_problem_list_is_in_chinese_for_a_chinese_reader(client, signed_in, instructor, courses):
    upload_broken_course(client, signed_in, instructor)
    page = page_text(reading(client, "zh").get("/studio/pack-and-ship/"))
    assert ("pack-and-ship/02-packing-check.quiz.md:5</code>:</span></a> 这道题没有正确答案：至少给一个选项标上 '- [x]'"
            in page)
    assert ("pack-and-ship/course.md:5</code>:</span></a> 'level' 写的是 'beginner'，"
            "只能是其中之一：intro | intermediate") in page
    assert "question has no correct answer" not in page and "expected one of" not in page
    # Each problem links to the section of the authoring guide that explains it.
    assert '<a class="guide-link" href="/studio/guide#user-content-quizzes">怎么改</a>' in page
    assert '<a class="guide-link" href="/studio/guide#user-content-course-file">怎么改</a>' in page


def test_the_problem_list_is_in_english_for_an_english_reader(client, signed_in, instructor, courses):
    upload_broken_course(client, signed_in, instructor)
    page = page_text(reading(client, "en").get("/studio/pack-and-ship/"))
    assert ("pack-and-ship/02-packing-check.quiz.md:5</code>:</span></a> question has no correct answer: "
            "mark at least one option '- [x]'") in page
    assert '<a class="guide-link" href="/studio/guide#user-content-quizzes">How to fix it</a>' in page
    assert "这道题没有正确答案" not in page


def test_the_editor_shows_the_line_messages_in_the_readers_language(client, signed_in, instructor, courses):
    upload_broken_course(client, signed_in, instructor)
    page = page_text(reading(client, "zh").get(f"/studio/pack-and-ship/edit/{QUIZ}"))
    assert "⚠ 这道题没有正确答案：至少给一个选项标上 '- [x]'" in page
    assert (f'<a href="#L5" data-line="5"><span><code>pack-and-ship/{QUIZ}:5</code>:</span></a> 这道题没有正确答案'
            in page)
    english = page_text(reading(client, "en").get(f"/studio/pack-and-ship/edit/{QUIZ}"))
    assert "⚠ question has no correct answer" in english


def test_a_picture_refused_by_the_svg_check_is_explained_in_the_readers_language(client, signed_in, instructor,
                                                                                courses):
    import io

    upload_broken_course(client, signed_in, instructor)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><script>alert(1)</script></svg>'
    reading(client, "zh").post("/studio/pack-and-ship/media", data={"image": (io.BytesIO(svg), "bad.svg")},
                               content_type="multipart/form-data")
    assert "SVG 图片被拒收：第 1 行：SVG 里不能有 <script>" in page_text(client.get("/studio/pack-and-ship/"))


def test_version_notes_say_where_a_version_came_from_in_the_readers_language(client, signed_in, admin, courses):
    signed_in(admin)
    save_file(client, "shop-basics", "01-choose-product.md", "---\ntitle: 改过的标题\nminutes: 10\n---\n新的课文。\n")
    client.post("/studio/shop-basics/publish", data={"note": "改了第一课的标题"})
    first = db.session.scalar(select(CourseVersion.id).where(CourseVersion.course_slug == "shop-basics",
                                                             CourseVersion.number == 1))
    client.post(f"/studio/shop-basics/versions/{first}/rollback")

    chinese = page_text(reading(client, "zh").get("/studio/shop-basics/"))
    assert "从课程文件同步" in chinese and "退回到第 1 版" in chinese and "在网页上发布" in chinese
    assert '<p class="version-note">改了第一课的标题</p>' in chinese  # an author's note, as written
    assert "synced from" not in chinese and "rolled back" not in chinese

    english = page_text(reading(client, "en").get("/studio/shop-basics/"))
    assert "synced from the course files" in english and "rollback to version 1" in english


def test_notes_earlier_versions_stored_in_english_are_not_shown_to_a_chinese_reader(client, signed_in, admin,
                                                                                   courses):
    """Cunke once stored "synced from files" and "rolled back to version N" as the note itself."""
    signed_in(admin)
    save_file(client, "shop-basics", "01-choose-product.md", "---\ntitle: 改过的标题\nminutes: 10\n---\n新的课文。\n")
    client.post("/studio/shop-basics/publish")
    first = db.session.scalar(select(CourseVersion.id).where(CourseVersion.course_slug == "shop-basics",
                                                             CourseVersion.number == 1))
    client.post(f"/studio/shop-basics/versions/{first}/rollback")
    db.session.execute(update(CourseVersion).where(CourseVersion.source == "files").values(note="synced from files"))
    db.session.execute(update(CourseVersion).where(CourseVersion.source == "rollback")
                       .values(note="rolled back to version 1"))
    db.session.commit()

    chinese = page_text(reading(client, "zh").get("/studio/shop-basics/"))
    assert "从课程文件同步" in chinese and "退回到第 1 版" in chinese
    assert "synced from files" not in chinese and "rolled back to version 1" not in chinese
