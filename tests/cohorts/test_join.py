"""Trainees join a workshop with its code: valid, wrong, closed, full, already a member."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.cohorts.models import CohortMember
from lms.cohorts.workshops import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, new_join_code, normalize_join_code
from lms.extensions import db
from lms.learning.models import Enrolment
from tests.cohorts.factories import make_cohort


def members(cohort) -> set[int]:
    return set(db.session.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)))


def enrolled_slugs(user) -> set[str]:
    from lms.content.models import Course

    return set(db.session.scalars(
        select(Course.slug).join(Enrolment, Enrolment.course_id == Course.id).where(Enrolment.user_id == user.id)
    ))


def test_join_codes_are_six_characters_without_look_alikes(app):
    codes = {new_join_code() for _ in range(200)}
    assert all(len(code) == JOIN_CODE_LENGTH for code in codes)
    assert not set("".join(codes)) & set("0O1IL")
    assert set("".join(codes)) <= set(JOIN_CODE_ALPHABET)


def test_codes_typed_on_a_phone_are_understood():
    assert normalize_join_code(" km7-tq3 ") == "KM7TQ3"
    assert normalize_join_code("ＫＭ７ＴＱ３") == "KM7TQ3"  # full-width, as a Chinese keyboard types it
    assert normalize_join_code("KM7TQ") is None
    assert normalize_join_code("KM7TQ0") is None


def test_joining_with_a_valid_code_enrols_in_the_workshop_courses(client, auth, trainee, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]])
    auth.login(trainee)
    response = client.post("/join", data={"code": cohort.join_code.lower()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/my")
    assert members(cohort) == {trainee.id}
    assert enrolled_slugs(trainee) == {"shop-basics"}
    page = client.get("/my").get_data(as_text=True)
    assert "开店基础" in page and cohort.name in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.joined")).actor_id == trainee.id


def test_a_wrong_code_is_refused_and_nothing_changes(client, auth, trainee, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]])
    auth.login(trainee)
    wrong = "AAAAAA" if cohort.join_code != "AAAAAA" else "BBBBBB"
    response = client.post("/join", data={"code": wrong})
    assert response.status_code == 400
    assert "这个加入码不对" in response.get_data(as_text=True)
    assert members(cohort) == set() and enrolled_slugs(trainee) == set()


def test_a_closed_workshop_says_so(client, auth, trainee, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]], join_open=False)
    auth.login(trainee)
    response = client.post("/join", data={"code": cohort.join_code})
    assert response.status_code == 400
    assert "不再接收新学员" in response.get_data(as_text=True)
    assert members(cohort) == set()


def test_a_full_workshop_says_so(client, auth, make_user, trainee, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]], capacity=1, members=[make_user()])
    auth.login(trainee)
    response = client.post("/join", data={"code": cohort.join_code})
    assert response.status_code == 400
    assert "人数已满" in response.get_data(as_text=True)
    assert trainee.id not in members(cohort)


def test_joining_again_says_already_a_member_and_adds_nothing(client, auth, trainee, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]], capacity=1)
    auth.login(trainee)
    client.post("/join", data={"code": cohort.join_code})
    response = client.post("/join", data={"code": cohort.join_code}, follow_redirects=True)
    assert "你已经在" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CohortMember.id))) == 1


def test_a_member_is_told_so_even_when_the_workshop_is_now_full_or_closed(client, auth, trainee, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]], capacity=1, members=[trainee])
    cohort.join_open = False
    db.session.commit()
    auth.login(trainee)
    response = client.post("/join", data={"code": cohort.join_code}, follow_redirects=True)
    assert response.status_code == 200 and "你已经在" in response.get_data(as_text=True)


def test_a_trainee_can_be_in_several_workshops(client, auth, trainee, courses):
    intro = make_cohort("入门班", courses=[courses["shop-basics"]])
    later = make_cohort("进阶班", courses=[courses["shop-growth"]])
    auth.login(trainee)
    client.post("/join", data={"code": intro.join_code})
    client.post("/join", data={"code": later.join_code})
    assert trainee.id in members(intro) and trainee.id in members(later)
    page = client.get("/join").get_data(as_text=True)
    assert "入门班" in page and "进阶班" in page


def test_a_course_that_needs_another_waits_and_opens_when_that_one_is_completed(client, auth, trainee, courses):
    from tests.learning.test_journey import RIGHT, quiz_form, start_quiz

    cohort = make_cohort("进阶班", courses=[courses["shop-basics"], courses["shop-growth"]])
    auth.login(trainee)
    response = client.post("/join", data={"code": cohort.join_code}, follow_redirects=True)
    assert "学完开店基础，就能开始学网店进阶" in response.get_data(as_text=True)  # told what opens it
    assert trainee.id in members(cohort)
    assert enrolled_slugs(trainee) == {"shop-basics"}

    client.post("/courses/shop-basics/choose-product/finish")
    client.post("/courses/shop-basics/margin/finish")
    url, page = start_quiz(client)
    client.post(url, data=quiz_form(page, RIGHT))
    assert enrolled_slugs(trainee) == {"shop-basics", "shop-growth"}


def test_the_join_link_shows_the_workshop_and_sends_newcomers_to_register(client, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]])
    page = client.get(f"/join/{cohort.join_code}").get_data(as_text=True)
    assert cohort.name in page and "开店基础" in page
    assert f"/register?next=/join/{cohort.join_code}" in page


def test_registering_from_a_join_link_leads_to_the_join_button(client, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]])
    response = client.post(f"/register?next=/join/{cohort.join_code}", data={
        "phone": "13812345678", "display_name": "吕振鸿", "password": "beishan-outdoor", "confirm": "beishan-outdoor",
    }, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.request.path == f"/join/{cohort.join_code}"
    assert "还差一步" in page and "加入这个培训班" in page and "选一门课" not in page


def test_the_join_link_joins_in_one_tap_after_sign_in(client, auth, trainee, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]])
    auth.login(trainee)
    page = client.get(f"/join/{cohort.join_code.lower()}").get_data(as_text=True)
    assert 'action="/join"' in page and f'value="{cohort.join_code}"' in page
    assert members(cohort) == set()  # opening the link alone joins nobody


def test_a_wrong_join_link_is_not_found(client, courses):
    response = client.get("/join/ZZZZZZ")
    assert response.status_code == 404


def test_a_closed_join_link_says_so(client, auth, trainee, courses):
    cohort = make_cohort(courses=[courses["shop-basics"]], join_open=False)
    auth.login(trainee)
    page = client.get(f"/join/{cohort.join_code}").get_data(as_text=True)
    assert "不再接收新学员" in page and 'action="/join"' not in page


def test_a_new_code_stops_the_old_one(client, auth, make_user, trainee, courses):
    instructor = make_user("instructor")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor])
    old = cohort.join_code
    auth.login(instructor)
    client.post(f"/workshops/{cohort.id}/code")
    db.session.refresh(cohort)
    assert cohort.join_code != old
    auth.logout()
    auth.login(trainee)
    assert client.post("/join", data={"code": old}).status_code == 400
    assert client.post("/join", data={"code": cohort.join_code}).status_code == 302


def test_closing_and_reopening_joining(client, auth, make_user, trainee, courses):
    instructor = make_user("instructor")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor])
    auth.login(instructor)
    client.post(f"/workshops/{cohort.id}/joining", data={"state": "closed"})
    db.session.refresh(cohort)
    assert cohort.join_open is False
    client.post(f"/workshops/{cohort.id}/joining", data={"state": "open"})
    db.session.refresh(cohort)
    assert cohort.join_open is True
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"cohort.joining_closed", "cohort.joining_opened"} <= actions
