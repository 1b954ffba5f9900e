"""Creating and editing workshops: courses, instructors, dates, places; the projector page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.learning.models import Enrolment
from tests.cohorts.factories import make_cohort
from tests.conftest import error_next_to

# Beyond a float (WTForms' range check once raised OverflowError), beyond the database's integer, not a number at all.
ODD_NUMBERS = ["9" * 400, "9" * 5000, "2147483648", "-9223372036854775809", "1e400", "1.5", "两百"]


def test_an_instructor_creates_a_workshop_they_teach(client, auth, make_user, courses):
    instructor = make_user("instructor", name="王老师")
    auth.login(instructor)
    form = client.get("/workshops/new").get_data(as_text=True)
    assert "开店基础" in form and "王老师" in form
    response = client.post("/workshops/new", data={
        "name": " 北山村 开店入门班 ", "location": "北山村村委会", "starts_on": "2025-03-03", "ends_on": "2025-03-21",
        "capacity": "40", "courses": [str(courses["shop-basics"].id)],
    })
    cohort = db.session.scalar(select(Cohort))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/workshops/{cohort.id}/")
    assert cohort.name == "北山村 开店入门班" and cohort.capacity == 40 and cohort.join_open
    assert [u.id for u in cohort.instructors] == [instructor.id]
    assert [c.slug for c in cohort.courses] == ["shop-basics"]
    page = client.get(f"/workshops/{cohort.id}/").get_data(as_text=True)
    assert cohort.join_code in page and f"/join/{cohort.join_code}" in page
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_id == cohort.id)) == "cohort.created"


def test_an_administrator_staffs_a_workshop_with_instructors(client, auth, make_user, courses):
    admin = make_user("admin")
    teachers = [make_user("instructor"), make_user("instructor")]
    auth.login(admin)
    client.post("/workshops/new", data={
        "name": "县中心进阶班", "courses": [str(courses["shop-basics"].id), str(courses["shop-growth"].id)],
        "instructors": [str(t.id) for t in teachers],
    })
    cohort = db.session.scalar(select(Cohort))
    assert {u.id for u in cohort.instructors} == {t.id for t in teachers}
    assert admin.id not in {u.id for u in cohort.instructors}


def test_a_workshop_needs_a_name_a_course_and_sensible_dates(client, auth, make_user, courses):
    auth.login(make_user("instructor"))
    response = client.post("/workshops/new", data={"name": "", "starts_on": "2025-03-21", "ends_on": "2025-03-03",
                                                   "capacity": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请输入培训班名称" in page and "请至少选一门课程" in page and "结业日期不能早于开班日期" in page
    assert "1 到 5000" in page
    assert db.session.scalar(select(Cohort)) is None


@pytest.mark.parametrize("capacity", ODD_NUMBERS)
def test_a_capacity_no_workshop_could_have_gets_the_message_next_to_the_field(client, auth, make_user, courses,
                                                                             capacity):
    instructor = make_user("instructor")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], capacity=30)
    auth.login(instructor)
    for url in ("/workshops/new", f"/workshops/{cohort.id}/edit"):
        response = client.post(url, data={"name": "大班", "capacity": capacity,
                                          "courses": [str(courses["shop-basics"].id)]})
        assert response.status_code == 400, url
        assert error_next_to(response.get_data(as_text=True), "capacity") == "请输入 1 到 5000 之间的数字。"
    assert db.session.scalars(select(Cohort.name)).all() == [cohort.name] and cohort.capacity == 30


def test_editing_keeps_the_instructor_and_enrols_members_in_added_courses(client, auth, make_user, trainee, courses):
    instructor = make_user("instructor")
    colleague = make_user("instructor")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], members=[trainee])
    auth.login(instructor)
    page = client.get(f"/workshops/{cohort.id}/edit").get_data(as_text=True)
    assert f'value="{cohort.name}"' in page
    # The instructor unticks themselves and picks a colleague: they stay on their own workshop.
    client.post(f"/workshops/{cohort.id}/edit", data={
        "name": "改名的班", "courses": [str(courses["shop-basics"].id), str(courses["shop-growth"].id)],
        "instructors": [str(colleague.id)],
    })
    db.session.refresh(cohort)
    assert cohort.name == "改名的班"
    assert {u.id for u in cohort.instructors} == {instructor.id, colleague.id}
    # shop-growth needs shop-basics first: the member is not enrolled in it yet, but nothing failed.
    enrolled = set(db.session.scalars(select(Enrolment.course_id).where(Enrolment.user_id == trainee.id)))
    assert enrolled == {courses["shop-basics"].id}


def test_added_unlocked_courses_are_enrolled_for_every_member(client, auth, make_user, courses):
    instructor = make_user("instructor")
    people = [make_user(), make_user()]
    cohort = make_cohort(courses=[], instructors=[instructor], members=people)
    auth.login(instructor)
    client.post(f"/workshops/{cohort.id}/edit", data={"name": cohort.name, "courses": [str(courses["shop-basics"].id)]})
    enrolled = set(db.session.scalars(
        select(Enrolment.user_id).where(Enrolment.course_id == courses["shop-basics"].id)
    ))
    assert enrolled == {p.id for p in people}


def test_the_projector_page_shows_the_code_big_and_a_qr_code_of_the_join_link(client, auth, make_user, courses):
    instructor = make_user("instructor")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor])
    auth.login(instructor)
    page = client.get(f"/workshops/{cohort.id}/projector").get_data(as_text=True)
    assert "join-code-big" in page and cohort.join_code in page
    assert '<svg viewBox=' in page and "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert f"http://localhost/join/{cohort.join_code}" in page


def test_taking_a_trainee_out_asks_first_and_needs_a_reason(client, auth, make_user, trainee, courses):
    from lms.cohorts.models import CohortMember

    instructor = make_user("instructor")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], members=[trainee])
    auth.login(instructor)
    url = f"/workshops/{cohort.id}/trainees/{trainee.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'data-confirm="要把{trainee.display_name}移出{cohort.name}吗？"' in page
    refused = client.post(f"{url}/remove", data={"reason": "  "})
    assert refused.status_code == 400 and 'id="reason-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(CohortMember).where(CohortMember.user_id == trainee.id)) is not None
    done = client.post(f"{url}/remove", data={"reason": "搬去县城了"})
    assert done.status_code == 302
    assert db.session.scalar(select(CohortMember).where(CohortMember.user_id == trainee.id)) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cohort.member_removed"))
    assert event.details == {"cohort_id": cohort.id, "reason": "搬去县城了"} and event.target_id == trainee.id
