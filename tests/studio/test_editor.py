"""Editing a file in the browser: the markdown in a textarea, the checker's messages under their lines."""

from __future__ import annotations

import html
import io
import re

from PIL import Image
from sqlalchemy import select

from lms.extensions import db
from lms.studio.models import CourseDraft
from lms.studio.workspace import draft_files, find_draft
from tests.studio.conftest import BROKEN_QUIZ, PACK_QUIZ, make_zip, pack_files, save_file, upload

QUIZ = "02-packing-check.quiz.md"


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_message_is_shown_under_the_offending_line(uploaded):
    save_file(uploaded, "pack-and-ship", QUIZ, BROKEN_QUIZ)
    page = page_text(uploaded.get(f"/studio/pack-and-ship/edit/{QUIZ}"))
    assert "1 problem in this file" in page
    line5 = re.search(r'<li id="L5" class="has-problem"><code>(.*?)</code>\s*<p class="line-problem"[^>]*>(.*?)</p>',
                      page, re.S)
    assert line5, page
    assert line5.group(1) == "## 折叠椅哪里最容易把箱子磨破？"
    assert "question has no correct answer: mark at least one option '- [x]'" in line5.group(2)
    assert '<a href="#L5" data-line="5">' in page
    assert "<textarea" in page and "- [ ] 四个角" in page


def test_preview_renders_the_unsaved_text_and_saves_nothing(uploaded):
    before = draft_files(find_draft("pack-and-ship"))
    response = save_file(uploaded, "pack-and-ship", "01-packing.md",
                         "---\ntitle: 新课\nminutes: 3\n---\n## 小标题\n**加粗**的字 <script>alert(1)</script>\n",
                         action="preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ">小标题</h2>" in page and "<strong>加粗</strong>" in page
    assert "<script>alert(1)" not in page
    db.session.expire_all()
    assert draft_files(find_draft("pack-and-ship")) == before


def test_a_quiz_preview_shows_each_question_with_its_right_answer(uploaded):
    page = page_text(save_file(uploaded, "pack-and-ship", QUIZ, PACK_QUIZ, action="preview"))
    assert '<li class="correct-option">四个角 (right answer)</li>' in page
    assert "Right answer: <strong>False</strong>" in page


def test_saving_keeps_the_text_in_the_draft_with_line_endings_made_plain(uploaded):
    text = "---\ntitle: 新课\nminutes: 3\n---\n正文\n"
    response = save_file(uploaded, "pack-and-ship", "01-packing.md", text.replace("\n", "\r\n"))
    assert response.status_code == 302
    assert draft_files(find_draft("pack-and-ship"))["01-packing.md"] == text.encode()
    assert "Saved in the draft." in page_text(uploaded.get(response.headers["Location"]))


def test_an_editor_opened_before_someone_elses_save_does_not_overwrite_it(uploaded):
    page = uploaded.get("/studio/pack-and-ship/edit/01-packing.md").get_data(as_text=True)
    stale = re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)
    save_file(uploaded, "pack-and-ship", "01-packing.md", "---\ntitle: 第一个人改的\nminutes: 3\n---\n")
    response = uploaded.post("/studio/pack-and-ship/edit/01-packing.md",
                             data={"text": "---\ntitle: 第二个人改的\nminutes: 3\n---\n", "revision": stale,
                                   "action": "save"})
    assert response.status_code == 409
    text = page_text(response)
    assert "Someone else saved this course since you opened this page." in text and "第二个人改的" in text
    db.session.expire_all()
    assert "第一个人改的".encode() in draft_files(find_draft("pack-and-ship"))["01-packing.md"]


def test_new_files_get_a_starting_text_and_bad_names_are_refused(uploaded):
    response = uploaded.post("/studio/pack-and-ship/files/new", data={"name": "03-labels.md"})
    assert response.headers["Location"].endswith("/studio/pack-and-ship/edit/03-labels.md")
    assert draft_files(find_draft("pack-and-ship"))["03-labels.md"].startswith(b"---\ntitle: \nminutes: 5\n---")
    response = uploaded.post("/studio/pack-and-ship/files/new", data={"name": "notes.txt"}, follow_redirects=True)
    assert "notes.txt is not a course file name." in page_text(response)
    response = uploaded.post("/studio/pack-and-ship/files/new", data={"name": "01-packing.md"}, follow_redirects=True)
    assert "01-packing.md exists already." in page_text(response)


def test_a_picture_is_added_to_media_scaled_down(uploaded):
    photo = io.BytesIO()
    Image.new("RGB", (3000, 2000), (10, 120, 200)).save(photo, "JPEG")
    response = uploaded.post("/studio/pack-and-ship/media",
                             data={"image": (io.BytesIO(photo.getvalue()), "IMG 2024 货架.JPG")},
                             content_type="multipart/form-data", follow_redirects=True)
    assert "Picture added as media/img-2024.jpg" in page_text(response)
    stored = draft_files(find_draft("pack-and-ship"))["media/img-2024.jpg"]
    assert Image.open(io.BytesIO(stored)).size == (1280, 853)
    preview = uploaded.get("/studio/pack-and-ship/preview/draft/media/img-2024.jpg")
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"


def test_a_picture_that_is_not_one_is_refused(uploaded):
    response = uploaded.post("/studio/pack-and-ship/media", data={"image": (io.BytesIO(b"<html>"), "photo.jpg")},
                             content_type="multipart/form-data", follow_redirects=True)
    assert "This file is not a picture this site can use." in page_text(response)
    assert not any(name.startswith("media/") for name in draft_files(find_draft("pack-and-ship")))


def test_removing_a_file_and_throwing_the_draft_away(uploaded):
    uploaded.post("/studio/pack-and-ship/files/delete", data={"path": "01-packing.md"})
    assert "01-packing.md" not in draft_files(find_draft("pack-and-ship"))
    response = uploaded.post("/studio/pack-and-ship/discard")
    assert response.headers["Location"].endswith("/studio/")  # never published: nothing is left
    assert db.session.scalar(select(CourseDraft)) is None


def test_only_markdown_files_of_the_course_open_in_the_editor(uploaded):
    assert uploaded.get("/studio/pack-and-ship/edit/missing.md").status_code == 404
    assert uploaded.get("/studio/pack-and-ship/edit/../course.md").status_code == 404


def test_throwing_away_a_never_published_course_frees_its_name(uploaded, signed_in, instructor, other_instructor):
    uploaded.post("/studio/pack-and-ship/discard")
    signed_in(other_instructor)
    assert upload(uploaded, make_zip(pack_files())).status_code == 302
    assert uploaded.get("/studio/pack-and-ship/").status_code == 200
    signed_in(instructor)
    assert uploaded.get("/studio/pack-and-ship/").status_code == 404
