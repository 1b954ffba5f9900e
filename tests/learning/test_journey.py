"""A trainee's whole journey through the test client: register, learn, fail, pass, complete."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.quizzes.models import QuizAttempt


def quiz_form(html: str, answers: dict[str, str | list[str]]) -> dict:
    """Answer the attempt page by question text: {"注册": "不要", ...} picks the option whose label matches."""
    form: dict[str, str | list[str]] = {}
    for fieldset in re.findall(r"<fieldset.*?</fieldset>", html, re.S):
        legend = re.search(r"<legend>(.*?)</legend>", fieldset, re.S).group(1)
        key = next((k for k in answers if k in legend), None)
        if key is None:
            continue
        wanted = answers[key]
        name = re.search(r'name="(q\d+)"', fieldset).group(1)
        options = dict((label.strip(), value) for value, label in
                       re.findall(r'value="([^"]+)"> <span[^>]*>(.*?)</span>', fieldset))
        if options:
            picks = wanted if isinstance(wanted, list) else [wanted]
            values = [options[p] for p in picks]
            form[name] = values if isinstance(wanted, list) else values[0]
        else:
            form[name] = wanted
    return form


RIGHT = {"注册": "不要，注册是免费的", "排名": ["标题里的关键词", "销量和评价"], "毛利": "20",
         "聊天工具": "阿里旺旺", "差评": "错"}
WRONG = {"注册": "要，每年交一笔费用", "排名": ["标题里的关键词"], "毛利": "80", "聊天工具": "微信", "差评": "对"}


def start_quiz(client) -> tuple[str, str]:
    response = client.post("/courses/shop-basics/basics-check/attempts")
    assert response.status_code == 302
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def test_register_learn_fail_pass_and_complete(client, courses):
    response = client.post("/register", data={
        "phone": "138 1234 5678", "display_name": "吕振鸿", "password": "beishan-outdoor", "confirm": "beishan-outdoor",
    })
    assert response.status_code == 302

    catalog = client.get("/").get_data(as_text=True)
    assert "开店基础" in catalog and "网店进阶" in catalog

    response = client.post("/courses/shop-basics/enrol")
    assert response.headers["Location"].endswith("/courses/shop-basics/choose-product")

    lesson = client.get("/courses/shop-basics/choose-product").get_data(as_text=True)
    assert "折叠椅" in lesson and "我已学完这一课" in lesson
    assert "还没有翻译" not in lesson  # shown in the language the reader chose
    response = client.post("/courses/shop-basics/choose-product/finish")
    assert response.headers["Location"].endswith("/courses/shop-basics/margin")
    response = client.post("/courses/shop-basics/margin/finish")
    assert response.headers["Location"].endswith("/courses/shop-basics/basics-check")

    url, page = start_quiz(client)
    client.post(url, data=quiz_form(page, WRONG))
    result = client.get(url).get_data(as_text=True)
    assert "0%" in result
    assert "注册是免费的；推广才要花钱。" in result  # feedback that teaches
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.completed_at is None

    url, page = start_quiz(client)
    client.post(url, data=quiz_form(page, RIGHT))
    result = client.get(url).get_data(as_text=True)
    assert "100%" in result
    db.session.expire_all()
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.completed_at is not None
    # The moment of the whole course: the certificate is right there, to download and to show.
    certificate = db.session.scalar(select(Certificate))
    assert "你学完了“开店基础" in result
    assert f"/certificates/{certificate.code}.pdf" in result and f"/verify/{certificate.code}" in result

    mine = client.get("/my").get_data(as_text=True)
    in_progress, completed_section = mine.split("<h2>", 2)[1:]
    assert "开店基础" in completed_section
    assert "现在没有正在学的课" in in_progress and "还没有开始" not in in_progress


def test_a_quiz_passed_before_the_last_lesson_does_not_say_the_course_is_finished(client, auth, trainee, courses):
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    url, page = start_quiz(client)
    client.post(url, data=quiz_form(page, RIGHT))
    result = client.get(url).get_data(as_text=True)
    assert "100%" in result and "你学完了" not in result and ".pdf" not in result


def test_quiz_page_holds_no_answer_key(client, auth, trainee, courses):
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    _, page = start_quiz(client)
    assert "注册是免费的；推广才要花钱" not in page  # feedback is for after the attempt
    assert "20 ± 0.5" not in page and "阿里旺旺" not in page and "Wangwang" not in page
    assert "correct" not in page and "truth" not in page
    assert "checked" not in page


def test_a_numeric_answer_shows_its_unit_beside_the_box_in_the_readers_language(client, auth, make_user, courses):
    chinese, english = make_user(), make_user()
    english.locale = "en"
    db.session.commit()
    pages = {}
    for user in (chinese, english):
        auth.login(user)
        client.post("/courses/shop-basics/enrol")
        _, pages[user.locale or "zh"] = start_quiz(client)
        auth.logout()
    assert '你的答案（填数字，单位：<span lang="zh-Hans">元</span>）' in pages["zh"]
    assert '<span class="answer-unit" lang="zh-Hans" aria-hidden="true">元</span>' in pages["zh"]
    assert 'Your answer (a number, in <span lang="en">yuan</span>)' in pages["en"]
    assert '<span class="answer-unit" lang="en" aria-hidden="true">yuan</span>' in pages["en"]


def test_an_answer_typed_with_its_unit_counts_and_another_unit_is_named(client, auth, trainee, courses):
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    url, page = start_quiz(client)
    client.post(url, data=quiz_form(page, {**RIGHT, "毛利": "２０ 元"}))
    assert "100%" in client.get(url).get_data(as_text=True)

    url, page = start_quiz(client)
    client.post(url, data=quiz_form(page, {**RIGHT, "毛利": "20斤"}))
    result = client.get(url).get_data(as_text=True)
    assert "80%" in result
    assert '按<span lang="zh-Hans">元</span>算：只填数字，或者数字后面写“<span lang="zh-Hans">元</span>”。' in result
    # The right answer in its unit, and its margin in words, not "20 ± 0.5".
    assert '20 <span lang="zh-Hans">元</span></strong>（相差 0.5 以内都算对）' in result and "±" not in result


def test_locked_course_says_why_and_refuses_enrolment(client, auth, trainee, courses):
    auth.login(trainee)
    page = client.get("/courses/shop-growth/").get_data(as_text=True)
    assert "🔒" in page and "开店基础" in page
    response = client.post("/courses/shop-growth/enrol")
    assert response.status_code == 302
    assert db.session.scalar(select(Enrolment).where(Enrolment.course_id == courses["shop-growth"].id)) is None


def test_a_link_into_a_locked_course_names_the_course_to_finish_first(client, auth, trainee, courses):
    auth.login(trainee)
    response = client.get("/courses/shop-growth/keywords", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == "/courses/shop-growth/"
    assert "要先学完开店基础才能开始" in page and "开始学习" not in page
    refused = client.post("/courses/shop-growth/enrol", follow_redirects=True).get_data(as_text=True)
    assert "要先学完开店基础才能开始" in refused


def test_lessons_need_an_enrolment(client, auth, trainee, courses):
    auth.login(trainee)
    response = client.get("/courses/shop-basics/choose-product")
    assert response.status_code == 302 and response.headers["Location"].endswith("/courses/shop-basics/")


def test_attempt_limit_is_enforced(client, auth, trainee, courses):
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    for _ in range(2):  # the fixture quiz allows two attempts
        url, page = start_quiz(client)
        client.post(url, data=quiz_form(page, WRONG))
    response = client.post("/courses/shop-basics/basics-check/attempts")
    assert response.headers["Location"].endswith("/courses/shop-basics/basics-check")
    overview = client.get("/courses/shop-basics/basics-check").get_data(as_text=True)
    assert "作答机会已经用完了" in overview
    assert db.session.scalar(select(db.func.count(QuizAttempt.id))) == 2


def test_double_submit_counts_once(client, auth, trainee, courses):
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    url, page = start_quiz(client)
    client.post(url, data=quiz_form(page, WRONG))
    client.post(url, data=quiz_form(page, RIGHT))  # the same form sent again, with other answers
    attempt = db.session.scalar(select(QuizAttempt))
    db.session.refresh(attempt)
    assert attempt.score == 0.0
    assert db.session.scalar(select(db.func.count(QuizAttempt.id))) == 1


def test_another_trainees_attempt_is_not_found(client, auth, make_user, courses):
    owner, other = make_user(), make_user()
    auth.login(owner)
    client.post("/courses/shop-basics/enrol")
    url, _ = start_quiz(client)
    auth.logout()
    auth.login(other)
    assert client.get(url).status_code == 404
    assert client.post(url, data={}).status_code == 404


def test_content_falls_back_to_the_main_language_with_a_note(client, auth, trainee, courses):
    client.post("/language", data={"language": "en", "next": "/"})
    auth.login(trainee)
    client.post("/courses/shop-basics/enrol")
    translated = client.get("/courses/shop-basics/choose-product").get_data(as_text=True)
    assert "Choose a product that sells" in translated and "folding chair" in translated
    untranslated = client.get("/courses/shop-basics/margin").get_data(as_text=True)
    assert "算清每一单的利润" in untranslated
    assert "not translated yet" in untranslated
