"""The authoring guide is served in the studio, in the reader's language, and the studio's words lead to it."""

from __future__ import annotations

import html

from tests.studio.conftest import save_file


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_an_instructor_reads_the_guide_in_chinese(client, auth, instructor):
    auth.login(instructor)
    client.set_cookie("lang", "zh")
    response = client.get("/studio/guide")
    assert response.status_code == 200
    page = page_text(response)
    assert "<h1>村课编课指南</h1>" in page and '<article class="guide" lang="zh-Hans">' in page
    assert '<a href="#user-content-quizzes">4. 小测和实操任务</a>' in page  # the contents
    assert '<h2 id="user-content-quizzes">4. 小测和实操任务</h2>' in page
    assert '<h3 id="user-content-units">单位</h3>' in page
    assert "{#" not in page  # the anchors became ids, not text


def test_an_english_reader_gets_the_english_guide(client, auth, instructor):
    auth.login(instructor)
    client.set_cookie("lang", "en")
    page = page_text(client.get("/studio/guide"))
    assert "<h1>Writing a course for Cunke</h1>" in page \
        and '<h2 id="user-content-quizzes">4. Quizzes and practical tasks</h2>' in page
    assert "村课编课指南" not in page


def test_the_guide_is_for_instructors_and_administrators_only(client, auth, make_user):
    assert "/login" in client.get("/studio/guide").headers["Location"]
    for role, status in (("trainee", 403), ("instructor", 200), ("admin", 200)):
        auth.logout()
        auth.login(make_user(role))
        assert client.get("/studio/guide").status_code == status, role


def test_the_editor_and_the_upload_form_link_to_the_guide(client, auth, admin, courses):
    auth.login(admin)
    client.set_cookie("lang", "zh")
    editor = page_text(client.get("/studio/shop-basics/edit/course.md"))
    assert '<a href="/studio/guide">各项设置和题型见编课指南。</a>' in editor
    upload = page_text(client.get("/studio/upload"))
    assert '<a href="/studio/guide#user-content-folder">课程文件夹怎么准备（有例子）</a>' in upload
    assert "courses/" not in upload  # no words from the repository an instructor has never seen
    for shown in ("<code>course.md</code>", "<code>01-choose-product.md</code>", "<code>03-first-check.quiz.md</code>",
                  "<code>01-choose-product.en.md</code>", "<code>media</code>"):
        assert shown in upload


def test_a_new_problem_in_the_editor_links_to_its_section_of_the_guide(client, auth, admin, courses):
    auth.login(admin)
    client.set_cookie("lang", "en")
    save_file(client, "shop-basics", "02-margin.md", "---\ntitle: 利润\nminutes: lots\n---\n正文\n")
    page = page_text(client.get("/studio/shop-basics/edit/02-margin.md"))
    assert "'minutes' must be a whole number between 1 and 600" in page
    assert '<a class="guide-link" href="/studio/guide#user-content-lessons">How to fix it</a>' in page
