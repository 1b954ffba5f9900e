"""Lesson HTML is rendered, then sanitized: nothing an author writes can run in a trainee's browser."""

from __future__ import annotations

import re
import shutil

import pytest

from lms.content.parser import load_catalog
from lms.content.problems import CourseValidationError
from lms.content.rendering import render_markdown
from tests.conftest import COURSES

HOSTILE_LESSON = """\
---
title: 危险的一课
minutes: 5
---
<script>alert("x")</script>

<img src="x" onerror="alert('img')">

[点我](javascript:alert('link'))

<a href="javascript:alert(2)" onclick="alert(3)">raw link</a>

段落
{: onclick="alert('attr')" style="color:red" }

<iframe src="https://evil.example"></iframe>

!!! tip "现在试试"
    安全的提示框。
"""


def test_script_event_handlers_and_javascript_links_are_removed():
    html = render_markdown(HOSTILE_LESSON.split("---\n", 2)[2])
    lowered = html.lower()
    assert "<script" not in lowered and "alert(\"x\")" not in html
    assert "onerror" not in lowered and "onclick" not in lowered
    assert "javascript:" not in lowered
    assert "<iframe" not in lowered and "style=" not in lowered
    assert '<div class="admonition tip">' in html  # the allowed structure survives


def test_markdown_features_survive_sanitizing():
    html = render_markdown("## 标题\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n[链接](https://www.taobao.com)\n")
    assert '<h2 id="' in html and "<table>" in html and "<pre><code>" in html
    assert 'href="https://www.taobao.com"' in html and 'rel="noopener nofollow noreferrer"' in html


def test_course_text_cannot_pass_for_the_site_s_own_buttons_or_clobber_its_ids():
    html = render_markdown('## 标题 {: #csrf_token .button .tip }\n\n[回到标题](#csrf_token)\n\n'
                           '<div class="button button-next" id="main">假按钮</div>\n\n'
                           '段落\n{: class="flash flash-success" }\n\n```python\nx = 1\n```\n')
    assert 'class="button' not in html and "flash" not in html
    assert '<h2 class="tip" id="user-content-csrf_token">' in html
    assert 'href="#user-content-csrf_token"' in html  # the in-page link follows its heading
    assert 'id="main"' not in html and 'id="user-content-main"' in html
    assert 'class="language-python"' in html
    assert not re.search(r'id="(?!user-content-)', html)


def test_the_checker_names_a_class_that_is_not_allowed_with_its_line(tmp_path):
    folder = tmp_path / "courses"
    shutil.copytree(COURSES, folder)
    lesson = folder / "shop-basics" / "01-choose-product.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text + '\n[下一步](next) {: .button .button-next }\n\n<p class="tip flash">x</p>\n',
                      encoding="utf-8")
    with pytest.raises(CourseValidationError) as refused:
        load_catalog(folder)
    messages = [str(problem) for problem in refused.value.problems]
    lines = len(text.splitlines())
    assert any(f"01-choose-product.md:{lines + 2}:" in m and "'button'" in m for m in messages), messages
    assert any(f"01-choose-product.md:{lines + 2}:" in m and "'button-next'" in m for m in messages), messages
    assert any(f"01-choose-product.md:{lines + 4}:" in m and "'flash'" in m for m in messages), messages
    assert not any("'tip'" in m for m in messages)


def test_hostile_lesson_is_inert_on_the_page(client, auth, trainee, runner, tmp_path):
    catalog = tmp_path / "courses"
    shutil.copytree(COURSES, catalog)
    (catalog / "shop-basics" / "04-danger.md").write_text(HOSTILE_LESSON, encoding="utf-8")
    assert runner.invoke(args=["courses", "sync", str(catalog)]).exit_code == 0
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    page = client.get("/courses/shop-basics/danger").get_data(as_text=True)
    assert "危险的一课" in page and "安全的提示框" in page
    body = page.split('<div class="prose">', 1)[1].lower()
    assert "<script" not in body and "onerror" not in body and "onclick" not in body
    assert "javascript:" not in body


def test_media_is_served_with_long_caching_and_traversal_finds_nothing(client, courses):
    page = client.get("/courses/shop-basics/").get_data(as_text=True)
    assert 'src="/courses/shop-basics/media/shelf.svg?v=' in page
    src = page.split('src="/courses/shop-basics/media/shelf.svg', 1)[1].split('"', 1)[0]
    response = client.get(f"/courses/shop-basics/media/shelf.svg{src}")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "immutable" in response.headers["Cache-Control"]
    [policy] = response.headers.getlist("Content-Security-Policy")  # the picture's own, not the pages' too
    assert "sandbox" in policy
    assert client.get("/courses/shop-basics/media/../course.md").status_code == 404
    assert client.get("/courses/shop-basics/media/..%2f..%2fapp.py").status_code == 404
    assert client.get("/courses/shop-basics/media/%2e%2e/%2e%2e/app.py").status_code == 404
