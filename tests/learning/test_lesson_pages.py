"""Lesson pages are kept whole per course version and progress; each trainee still gets their own page."""

from __future__ import annotations

import re

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import event

from lms.extensions import db
from lms.learning.models import Enrolment
from lms.learning.progress import enrol, find_course
from lms.templating import CachedPageError, render_cached_page
from tests.conftest import PASSWORD, csrf_token_from

LESSON = "/courses/shop-basics/choose-product"


@pytest.fixture
def enrolled(courses, make_user):
    """Make a trainee (or instructor) enrolled in shop-basics."""

    def make(role: str = "trainee", name: str | None = None):
        user = make_user(role, name=name)
        enrol(user, find_course("shop-basics"))
        db.session.commit()
        return user

    return make


def signed_in_client(app, user):
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"phone": user.phone, "password": PASSWORD, "csrf_token": token})
    return client


def page_for(app, user, path: str = LESSON) -> str:
    response = signed_in_client(app, user).get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_trainees_at_the_same_point_each_see_their_own_name(app, enrolled):
    first, second = enrolled(name="吕振鸿"), enrolled(name="张秀兰")
    first_page, second_page = page_for(app, first), page_for(app, second)
    assert "吕振鸿" in first_page and "张秀兰" not in first_page
    assert "张秀兰" in second_page and "吕振鸿" not in second_page


def test_a_name_is_escaped_where_it_is_filled_in(app, enrolled):
    page = page_for(app, enrolled(name="<b>阿强</b>"))
    assert "&lt;b&gt;阿强&lt;/b&gt;" in page and "<b>阿强</b>" not in page


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_each_page_carries_the_visitors_own_working_form_token(app, enrolled):
    client = signed_in_client(app, enrolled())
    page = client.get(LESSON).get_data(as_text=True)
    other_page = page_for(app, enrolled())  # renders the same cached page for another session first
    assert csrf_token_from(page) != csrf_token_from(other_page)

    response = client.post(f"{LESSON}/finish", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert "✓" in client.get(LESSON).get_data(as_text=True)


def test_a_kept_page_reads_its_visitor_and_their_progress_without_the_orm_session(app, enrolled):
    client = signed_in_client(app, enrolled())
    assert client.get(LESSON).status_code == 200  # the page is kept now
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(LESSON)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200 and statements == []


def test_finishing_a_lesson_changes_that_trainees_page_only(app, enrolled):
    finished, other = enrolled(), enrolled()
    client = signed_in_client(app, finished)
    before = client.get(LESSON).get_data(as_text=True)
    client.post(f"{LESSON}/finish")
    after = client.get(LESSON).get_data(as_text=True)

    assert "我已学完这一课" in before and "我已学完这一课" not in after
    assert 'class="done"' not in before and 'class="done"' in after
    assert 'value="0"' in before and 'value="0"' not in after  # the progress bar moved
    other_client = signed_in_client(app, other)
    other_client.post("/courses/shop-basics/margin/finish")  # as far on, but with another lesson
    assert 'class="done"' not in other_client.get(LESSON).get_data(as_text=True)


def test_a_message_for_the_trainee_is_shown_once(app, enrolled):
    client = signed_in_client(app, enrolled())
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "<欢迎> 回来")]
    assert 'class="flash flash-success"' in (page := client.get(LESSON).get_data(as_text=True))
    assert "&lt;欢迎&gt; 回来" in page
    assert "flash-success" not in client.get(LESSON).get_data(as_text=True)


def test_the_language_switch_returns_to_this_very_address(app, enrolled):
    trainee = enrolled()
    first = page_for(app, trainee, f"{LESSON}?from=<list>")
    second = page_for(app, trainee, f"{LESSON}?from=home")
    assert f'name="next" value="{LESSON}?from=&lt;list&gt;"' in first
    assert f'name="next" value="{LESSON}?from=home"' in second


def test_instructors_and_trainees_keep_their_own_menus(app, enrolled):
    trainee_page, instructor_page = page_for(app, enrolled()), page_for(app, enrolled("instructor"))
    assert "/studio" not in trainee_page and "/join" in trainee_page
    assert "/studio" in instructor_page and "/join" not in instructor_page


def test_trainees_further_on_see_their_own_progress_bar(app, enrolled):
    further = signed_in_client(app, enrolled())
    further.post("/courses/shop-basics/margin/finish")
    starting = page_for(app, enrolled())
    assert 'value="0"' in starting
    assert 'value="0"' not in further.get(LESSON).get_data(as_text=True)


def test_each_trainee_reads_the_page_in_their_own_language(app, enrolled):
    english = enrolled()
    english.locale = "en"
    db.session.commit()
    chinese_page, english_page = page_for(app, enrolled()), page_for(app, english)
    assert '<html lang="zh-Hans"' in chinese_page and "课程进度" in chinese_page
    assert '<html lang="en"' in english_page and "Course progress" in english_page


def test_the_interface_follows_the_reader_where_the_course_has_one_language(app, make_user, courses):
    english, chinese = make_user(), make_user()
    english.locale = "en"
    for user in (english, chinese):  # shop-growth is written in Chinese only
        db.session.add(Enrolment(user_id=user.id, course_id=courses["shop-growth"].id))
    db.session.commit()
    english_page = page_for(app, english, "/courses/shop-growth/keywords")
    chinese_page = page_for(app, chinese, "/courses/shop-growth/keywords")
    assert "Course progress" in english_page and "课程进度" not in english_page
    assert "课程进度" in chinese_page


def test_administrators_keep_their_own_menu(app, enrolled):
    instructor_page, admin_page = page_for(app, enrolled("instructor")), page_for(app, enrolled("admin"))
    assert "/reports" in admin_page and "/reports" not in instructor_page


def test_a_site_served_under_a_prefix_links_under_it(app, enrolled):
    client = signed_in_client(app, enrolled())
    prefixed = client.get(LESSON, base_url="http://localhost/cunke").get_data(as_text=True)
    plain = client.get(LESSON).get_data(as_text=True)
    assert 'href="/cunke/courses/shop-basics/"' in prefixed
    assert "/cunke" not in plain


@pytest.fixture
def probe(app, enrolled, monkeypatch):
    """Render a template as a kept page for a signed-in trainee; returns the page."""

    def render(templates: dict[str, str], user=None) -> str:
        monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([DictLoader(templates), app.jinja_env.loader]))
        cookie = signed_in_client(app, user or enrolled()).get_cookie("session")
        with app.app_context(), app.test_request_context(LESSON, headers={"Cookie": f"{cookie.key}={cookie.value}"}):
            return render_cached_page("probe.html", ())

    return render


def test_a_macro_imported_without_the_page_context_still_gets_each_visitors_token(probe, enrolled):
    templates = {"form.html": "{% macro token() %}{{ csrf_token() }}{% endmacro %}",
                 "probe.html": '{% from "form.html" import token %}<i>{{ token() }}</i>'}
    first, second = probe(templates), probe(templates)  # the second visitor is served the kept page
    assert first != second and "hole" not in first + second


@pytest.mark.parametrize(("source", "complaint"), [
    ("{{ current_user.phone }}", "current_user.phone"),
    ("{{ request.path }}", "request.path"),
    ("{{ session['_user_id'] }}", "session"),
    ("{{ my_certificates() }}", "my_certificates()"),
    ("{% for message in get_flashed_messages() %}{{ message }}{% endfor %}", "get_flashed_messages()"),
    ("{{ current_user.display_name|upper }}", "a hole was changed"),
])
def test_a_kept_page_cannot_show_what_differs_between_visitors_without_a_hole(probe, source, complaint):
    with pytest.raises(CachedPageError, match=re.escape(complaint)):
        probe({"probe.html": source})


def test_a_process_keeps_a_bounded_number_of_pages(app, enrolled, monkeypatch):
    from lms import templating

    monkeypatch.setattr(templating, "CACHED_PAGES", 1)
    trainee = enrolled()
    page_for(app, trainee)
    page_for(app, trainee, "/courses/shop-basics/margin")
    assert len(app.extensions["lms.cached_pages"]) == 1
