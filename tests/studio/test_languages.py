"""The studio speaks the reader's language: the checker's problems and the editor's line messages."""

from __future__ import annotations

import html

from tests.studio.conftest import BROKEN_QUIZ, make_zip, pack_files, upload

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
    assert ("pack-and-ship/02-packing-check.quiz.md:5</code></a>: 这道题没有正确答案：至少给一个选项标上 '- [x]'"
            in page)
    assert ("pack-and-ship/course.md:5</code></a>: 'level' 写的是 'beginner'，只能是其中之一：intro | intermediate"
            in page)
    assert "question has no correct answer" not in page and "expected one of" not in page


def test_the_problem_list_is_in_english_for_an_english_reader(client, signed_in, instructor, courses):
    upload_broken_course(client, signed_in, instructor)
    page = page_text(reading(client, "en").get("/studio/pack-and-ship/"))
    assert ("pack-and-ship/02-packing-check.quiz.md:5</code></a>: question has no correct answer: mark at least one "
            "option '- [x]'") in page
    assert "这道题没有正确答案" not in page


def test_the_editor_shows_the_line_messages_in_the_readers_language(client, signed_in, instructor, courses):
    upload_broken_course(client, signed_in, instructor)
    page = page_text(reading(client, "zh").get(f"/studio/pack-and-ship/edit/{QUIZ}"))
    assert "⚠ 这道题没有正确答案：至少给一个选项标上 '- [x]'" in page
    assert f'<a href="#L5" data-line="5"><code>pack-and-ship/{QUIZ}:5</code></a>: 这道题没有正确答案' in page
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
