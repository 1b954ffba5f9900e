"""Uploading a course as a ZIP: checked like `courses check`, kept as a draft, never published by itself."""

from __future__ import annotations

import html
import io
import zipfile

from sqlalchemy import func, select

from lms.content.models import Course
from lms.extensions import db
from lms.studio.models import CourseAuthor, CourseDraft
from tests.studio.conftest import BROKEN_QUIZ, make_zip, pack_files, upload


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_valid_zip_becomes_a_draft_of_a_new_course_with_the_uploader_as_author(client, signed_in, instructor,
                                                                                 courses):
    signed_in(instructor)
    response = upload(client, make_zip(pack_files()))
    assert response.status_code == 302 and response.headers["Location"].endswith("/studio/pack-and-ship/")

    page = page_text(client.get("/studio/pack-and-ship/"))
    assert "No problems found" in page and "The checker found no problems." in page
    assert 'action="/studio/pack-and-ship/publish"' in page
    assert db.session.scalar(select(CourseAuthor.user_id).where(CourseAuthor.course_slug == "pack-and-ship")) \
        == instructor.id
    # Nothing is published until the instructor presses publish.
    assert db.session.scalar(select(Course).where(Course.slug == "pack-and-ship")) is None
    assert client.get("/courses/pack-and-ship/").status_code == 404


def test_mistakes_are_listed_as_file_line_message_and_publishing_is_not_offered(client, signed_in, instructor,
                                                                             courses):
    signed_in(instructor)
    broken_course = pack_files({"02-packing-check.quiz.md": BROKEN_QUIZ,
                                "course.md": pack_files()["course.md"].replace(b"level: intro", b"level: beginner")})
    response = upload(client, make_zip(broken_course))
    assert response.status_code == 302

    page = page_text(client.get("/studio/pack-and-ship/", follow_redirects=True))
    assert "The checker found 2 problems" in page
    assert ("pack-and-ship/02-packing-check.quiz.md:5</code>:</span></a> question has no correct answer: "
            "mark at least one option '- [x]'") in page
    assert "pack-and-ship/course.md:5</code>:</span></a> 'level' is 'beginner'" in page
    assert 'href="/studio/pack-and-ship/edit/02-packing-check.quiz.md#L5"' in page
    assert 'action="/studio/pack-and-ship/publish"' not in page
    assert client.post("/studio/pack-and-ship/publish").status_code == 302
    assert db.session.scalar(select(Course).where(Course.slug == "pack-and-ship")) is None


def test_a_zip_of_the_folder_contents_needs_the_short_name(client, signed_in, instructor, courses):
    signed_in(instructor)
    response = upload(client, make_zip(pack_files(), folder=None))
    assert response.status_code == 400
    assert "The ZIP has no course folder: enter the course's short name." in page_text(response)
    response = upload(client, make_zip(pack_files(), folder=None), slug="pack-and-ship")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(CourseDraft.id))) == 1


def test_a_traversal_zip_is_refused_with_a_clear_message_and_nothing_is_stored(client, signed_in, instructor,
                                                                               courses):
    signed_in(instructor)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pack-and-ship/course.md", pack_files()["course.md"])
        archive.writestr("pack-and-ship/../../app.py", b"import os")
    response = upload(client, buffer.getvalue())
    assert response.status_code == 400
    assert ("The ZIP contains a file name that is not allowed: pack-and-ship/../../app.py. Every file must stay "
            "inside the course folder") in page_text(response)
    assert db.session.scalar(select(func.count(CourseDraft.id))) == 0
    assert db.session.scalar(select(func.count(CourseAuthor.id))) == 0


def test_a_zip_bomb_is_refused_with_a_clear_message(client, signed_in, instructor, courses):
    signed_in(instructor)
    bomb = make_zip(pack_files({"media/huge.png": bytes(9 * 1024 * 1024)}))
    assert len(bomb) < 100_000
    response = upload(client, bomb)
    assert response.status_code == 400
    assert "pack-and-ship/media/huge.png unpacks to far more than it should (a ZIP bomb?)" in page_text(response)
    assert db.session.scalar(select(func.count(CourseDraft.id))) == 0


def test_a_file_that_is_not_a_zip_is_refused(client, signed_in, instructor, courses):
    signed_in(instructor)
    response = upload(client, b"# just a markdown file\n", filename="course.md")
    assert response.status_code == 400
    assert "This file is not a ZIP file." in page_text(response)


def test_uploading_over_a_course_of_someone_else_is_refused(client, signed_in, instructor, other_instructor,
                                                            courses):
    signed_in(instructor)
    assert upload(client, make_zip(pack_files())).status_code == 302
    signed_in(other_instructor)
    response = upload(client, make_zip(pack_files({"01-packing.md": "---\ntitle: 我改的\nminutes: 1\n---\n"})))
    assert response.status_code == 400
    assert "A course named pack-and-ship exists already and you are not one of its authors." in page_text(response)
    # The bundled catalog has no authors: instructors cannot take it over either.
    response = upload(client, make_zip(pack_files(), folder="shop-basics"))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(CourseDraft.id))) == 1


def test_an_author_uploads_a_new_version_of_their_course(uploaded, courses):
    client = uploaded
    changed = pack_files({"01-packing.md": "---\ntitle: 新标题\nminutes: 9\n---\n新内容\n"})
    response = upload(client, make_zip(changed), url="/studio/pack-and-ship/upload")
    assert response.status_code == 302
    assert "新标题" in page_text(client.get("/studio/pack-and-ship/edit/01-packing.md"))
    wrong_folder = upload(client, make_zip(changed, folder="other-course"), url="/studio/pack-and-ship/upload")
    assert wrong_folder.status_code == 400
    assert "The ZIP holds the course folder other-course, not pack-and-ship." in page_text(wrong_folder)


def test_a_folder_name_that_is_not_a_short_name_is_refused(client, signed_in, instructor, courses):
    signed_in(instructor)
    response = upload(client, make_zip(pack_files(), folder="Pack And Ship"))
    assert response.status_code == 400
    assert "The course's short name Pack And Ship may use only lowercase letters" in page_text(response)
