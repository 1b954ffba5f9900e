"""Instructors reach only their own workshops; trainees none; administrators all. Checked on every route."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.accounts.models import SignInToken
from lms.cohorts.models import Cohort, CohortMember, TraineeImport
from lms.extensions import db
from tests.cohorts.factories import make_cohort

GET_ROUTES = [
    "/workshops/{cohort}/", "/workshops/{cohort}/edit", "/workshops/{cohort}/projector",
    "/workshops/{cohort}/progress", "/workshops/{cohort}/progress.csv", "/workshops/{cohort}/cards",
    "/workshops/{cohort}/trainees/{trainee}", "/workshops/import/{batch}",
]
POST_ROUTES = [
    "/workshops/{cohort}/code", "/workshops/{cohort}/joining", "/workshops/{cohort}/edit",
    "/workshops/{cohort}/cards", "/workshops/{cohort}/trainees/{trainee}/remove",
    "/workshops/{cohort}/trainees/{trainee}/reset-code", "/workshops/{cohort}/trainees/{trainee}/card",
    "/workshops/import/{batch}",
]
OPEN_TO_EVERY_INSTRUCTOR = ["/workshops/", "/workshops/new", "/workshops/import"]


@pytest.fixture
def world(make_user, courses):
    owner = make_user("instructor", name="王老师")
    other = make_user("instructor", name="李老师")
    admin = make_user("admin", name="管理员")
    trainee = make_user("trainee", name="吕振鸿")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[owner], members=[trainee])
    batch = TraineeImport(created_by_id=owner.id, cohort_id=cohort.id,
                          rows=[{"line": 2, "name": "新学员", "phone": "13712345678", "village": "", "cohort": ""}])
    db.session.add(batch)
    db.session.commit()
    return {"owner": owner, "other": other, "admin": admin, "trainee": trainee, "cohort": cohort, "batch": batch}


def urls(world, templates):
    ids = {"cohort": world["cohort"].id, "trainee": world["trainee"].id, "batch": world["batch"].id}
    return [t.format(**ids) for t in templates]


def state():
    """Everything a forbidden request could have changed."""
    return (db.session.scalar(select(func.count(CohortMember.id))),
            db.session.scalar(select(func.count(SignInToken.id))),
            db.session.scalar(select(Cohort.join_code)), db.session.scalar(select(Cohort.join_open)))


def test_every_workshop_and_sign_in_route_states_its_access_rule(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("cohorts.", "signin_links.")):
            view = app.view_functions[rule.endpoint]
            assert hasattr(view, "access_rule"), rule.endpoint
            trainee_routes = ("cohorts.join", "cohorts.join_link", "cohorts.invitations", "cohorts.answer")
            if rule.endpoint.startswith("cohorts.") and rule.endpoint not in trainee_routes:
                assert view.access_rule == "role:admin,instructor", rule.endpoint


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in urls(world, GET_ROUTES + OPEN_TO_EVERY_INSTRUCTOR + ["/join"]):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_trainees_are_forbidden_everywhere(client, auth, world):
    auth.login(world["trainee"])
    before = state()
    for url in urls(world, GET_ROUTES + OPEN_TO_EVERY_INSTRUCTOR):
        assert client.get(url).status_code == 403, url
    for url in urls(world, POST_ROUTES + ["/workshops/new", "/workshops/import"]):
        assert client.post(url, data={"state": "closed", "days": "3", "name": "x"}).status_code == 403, url
    assert state() == before


def test_another_instructors_workshop_looks_like_it_does_not_exist(client, auth, world):
    auth.login(world["other"])
    before = state()
    for url in urls(world, GET_ROUTES):
        assert client.get(url).status_code == 404, url
    for url in urls(world, POST_ROUTES):
        assert client.post(url, data={"state": "closed", "days": "3"}).status_code == 404, url
    assert state() == before
    listing = client.get("/workshops/").get_data(as_text=True)
    assert world["cohort"].name not in listing and world["cohort"].join_code not in listing


def test_the_instructor_of_the_workshop_and_administrators_get_in(client, auth, world):
    for who in ("owner", "admin"):
        auth.login(world[who])
        for url in urls(world, GET_ROUTES + OPEN_TO_EVERY_INSTRUCTOR):
            if url.startswith("/workshops/import/") and who == "admin":
                continue  # an uploaded list is seen only by whoever uploaded it
            assert client.get(url).status_code == 200, (who, url)
        auth.logout()


def test_an_uploaded_list_is_only_for_its_uploader_even_among_administrators(client, auth, world):
    auth.login(world["admin"])
    assert client.get(f"/workshops/import/{world['batch'].id}").status_code == 404


def test_a_trainee_outside_the_workshop_is_not_found(client, auth, world, make_user):
    stranger = make_user("trainee")
    auth.login(world["owner"])
    cohort = world["cohort"].id
    assert client.get(f"/workshops/{cohort}/trainees/{stranger.id}").status_code == 404
    assert client.post(f"/workshops/{cohort}/trainees/{stranger.id}/reset-code", data={"days": "3"}).status_code == 404
    assert client.post(f"/workshops/{cohort}/trainees/{stranger.id}/card", data={"days": "3"}).status_code == 404
    assert db.session.scalar(select(func.count(SignInToken.id))) == 0


def test_instructors_cannot_issue_codes_for_staff_who_joined_their_workshop(client, auth, world, make_user):
    colleague = make_user("instructor")
    db.session.add(CohortMember(cohort_id=world["cohort"].id, user_id=colleague.id))
    db.session.commit()
    auth.login(world["owner"])
    url = f"/workshops/{world['cohort'].id}/trainees/{colleague.id}/reset-code"
    assert client.post(url, data={"days": "3"}).status_code == 404
    assert db.session.scalar(select(func.count(SignInToken.id))) == 0


def test_the_nav_shows_workshops_to_instructors_and_joining_to_trainees(client, auth, world):
    auth.login(world["trainee"])
    page = client.get("/my").get_data(as_text=True)
    assert 'href="/join"' in page and 'href="/workshops/"' not in page
    auth.logout()
    auth.login(world["owner"])
    page = client.get("/my").get_data(as_text=True)
    assert 'href="/workshops/"' in page
