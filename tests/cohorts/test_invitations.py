"""A trainee list never hands an instructor someone else's account: existing accounts are invited,
and credentials go only to trainees who came in themselves or whose account the instructor's list made."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from lms.accounts.models import SignInToken, User
from lms.audit.models import AuditEvent
from lms.cohorts.models import CohortInvitation, CohortMember, TraineeImport
from lms.cohorts.workshops import join_by_code
from lms.extensions import db
from tests.cohorts.factories import make_cohort
from tests.conftest import PASSWORD


@pytest.fixture
def county(make_user, courses):
    """Instructor B's workshop with a trainee who joined it with the code; instructor A's own workshop."""
    a, b = make_user("instructor", name="甲老师"), make_user("instructor", name="乙老师")
    trainee = make_user(name="韦秀英", phone="13912345678")
    cohort_a = make_cohort("甲的班", courses=[courses["shop-basics"]], instructors=[a])
    cohort_b = make_cohort("乙的班", courses=[courses["shop-basics"]], instructors=[b])
    join_by_code(trainee, cohort_b.join_code)
    db.session.commit()
    return {"a": a, "b": b, "trainee": trainee, "cohort_a": cohort_a, "cohort_b": cohort_b}


def import_list(client, cohort, content: str) -> str:
    response = client.post("/workshops/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content.encode()), "名单.csv"), "cohort": str(cohort.id)})
    return response.headers["Location"]


def members_of(cohort) -> set[int]:
    return set(db.session.scalars(select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)))


def test_a_list_with_a_stranger_s_phone_does_not_let_its_instructor_sign_in_as_them(client, auth, county):
    trainee, cohort_a = county["trainee"], county["cohort_a"]
    auth.login(county["a"])
    preview = import_list(client, cohort_a, f"姓名,手机\n随便写,{trainee.phone}\n")
    page = client.get(preview).get_data(as_text=True)
    assert "将加入" in page and "已有账号" not in page and "韦秀英" not in page
    client.post(preview)

    assert trainee.id not in members_of(cohort_a)  # not added: invited
    for route in ("reset-code", "card"):
        response = client.post(f"/workshops/{cohort_a.id}/trainees/{trainee.id}/{route}", data={"days": "3"})
        assert response.status_code == 404, route
    assert db.session.scalar(select(func.count(SignInToken.id))) == 0
    assert client.get(f"/workshops/{cohort_a.id}/trainees/{trainee.id}").status_code == 404
    assert db.session.get(User, trainee.id).display_name == "韦秀英"  # the list's name changed nothing


def test_an_invited_trainee_sees_the_invitation_on_any_page_and_joins_only_by_accepting(app, client, auth, county,
                                                                                       courses):
    trainee, cohort_a = county["trainee"], county["cohort_a"]
    invitation = CohortInvitation(cohort_id=cohort_a.id, user_id=trainee.id, invited_by_id=county["a"].id)
    db.session.add(invitation)
    trainee.pending_invitations = 1
    db.session.commit()

    auth.login(trainee)
    for path in ("/my", "/courses/shop-basics/", "/courses/shop-basics/choose-product"):
        page = client.get(path).get_data(as_text=True)
        assert "有 1 个培训班邀请你加入" in page and "/invitations" in page, path
    page = client.get("/invitations").get_data(as_text=True)
    assert "甲的班" in page and "甲老师 邀请你加入这个培训班" in page
    assert trainee.id not in members_of(cohort_a)

    response = client.post(f"/invitations/{invitation.id}", data={"answer": "join"})
    assert response.status_code == 302 and response.headers["Location"] == "/my"
    membership = db.session.scalar(select(CohortMember).where(CohortMember.cohort_id == cohort_a.id,
                                                              CohortMember.user_id == trainee.id))
    assert membership.joined_via == "invitation"
    assert "邀请你加入" not in client.get("/courses/shop-basics/choose-product").get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.actor_id == trainee.id)
                             .order_by(AuditEvent.id.desc())) == "cohort.invitation_accepted"

    # Having joined themselves, the trainee may now get a reset code from this workshop's instructor.
    auth.logout()
    auth.login(county["a"])
    response = client.post(f"/workshops/{cohort_a.id}/trainees/{trainee.id}/reset-code", data={"days": "3"})
    assert response.status_code == 200 and "重置码" in response.get_data(as_text=True)


def test_a_declined_invitation_is_kept_and_the_same_list_does_not_ask_again(client, auth, county):
    trainee, cohort_a = county["trainee"], county["cohort_a"]
    auth.login(county["a"])
    client.post(import_list(client, cohort_a, f"姓名,手机\n韦秀英,{trainee.phone}\n"))
    auth.logout()

    auth.login(trainee)
    invitation = db.session.scalar(select(CohortInvitation))
    client.post(f"/invitations/{invitation.id}", data={"answer": "decline"})
    assert trainee.id not in members_of(cohort_a)
    assert db.session.get(User, trainee.id).pending_invitations == 0
    assert "邀请你加入" not in client.get("/my").get_data(as_text=True)
    assert client.post(f"/invitations/{invitation.id}", data={"answer": "join"}).status_code == 404  # answered
    auth.logout()

    auth.login(county["a"])
    done = client.get(client.post(import_list(client, cohort_a, f"姓名,手机\n韦秀英,{trainee.phone}\n"))
                      .headers["Location"]).get_data(as_text=True)
    assert "之前邀请过，这次不再邀请" in done
    assert db.session.get(User, trainee.id).pending_invitations == 0


def test_nobody_answers_someone_else_s_invitation(client, auth, county, make_user):
    invitation = CohortInvitation(cohort_id=county["cohort_a"].id, user_id=county["trainee"].id)
    db.session.add(invitation)
    db.session.commit()
    auth.login(make_user(name="路人"))
    assert client.post(f"/invitations/{invitation.id}", data={"answer": "join"}).status_code == 404
    assert county["trainee"].id not in members_of(county["cohort_a"])


def test_instructors_issue_credentials_only_to_trainees_who_came_in_themselves_or_whom_their_list_made(
        client, auth, county, make_user):
    a, cohort_a = county["a"], county["cohort_a"]
    auth.login(a)
    client.post(import_list(client, cohort_a, "姓名,手机\n新学员,13600000001\n"))
    made = db.session.scalar(select(User).where(User.phone == "13600000001"))
    # An account an older list added without having made it (before invitations existed).
    legacy = make_user(name="旧名单学员")
    db.session.add(CohortMember(cohort_id=cohort_a.id, user_id=legacy.id, joined_via="legacy"))
    db.session.commit()

    for person, allowed in ((made, True), (legacy, False)):
        response = client.post(f"/workshops/{cohort_a.id}/trainees/{person.id}/reset-code", data={"days": "3"})
        assert (response.status_code == 200) is allowed, person.display_name
    page = client.get(f"/workshops/{cohort_a.id}/trainees/{legacy.id}").get_data(as_text=True)
    assert "以前用名单加进培训班" in page and "做一个重置码" not in page

    cards = client.post(f"/workshops/{cohort_a.id}/cards", data={"who": "all", "days": "14"})
    assert cards.mimetype == "application/pdf"
    printed_for = set(db.session.scalars(select(SignInToken.user_id).where(SignInToken.kind == "link")))
    assert printed_for == {made.id}  # the whole-workshop print leaves the legacy member out too

    auth.logout()
    auth.login(make_user("admin"))
    response = client.post(f"/workshops/{cohort_a.id}/trainees/{legacy.id}/reset-code", data={"days": "3"})
    assert response.status_code == 200  # an administrator may, for any trainee


def test_an_upgrade_marks_memberships_an_older_list_added_as_untrusted(app, county):
    """The migration reads the audit log of each confirmed list (see migrations/versions/0006)."""
    from importlib import import_module

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    trainee, a, cohort_a = county["trainee"], county["a"], county["cohort_a"]
    made_by_list = User(phone="13600000002", display_name="名单新建", role="trainee")
    db.session.add(made_by_list)
    db.session.flush()
    added = CohortMember(cohort_id=cohort_a.id, user_id=trainee.id)
    made = CohortMember(cohort_id=cohort_a.id, user_id=made_by_list.id)
    batch = TraineeImport(created_by_id=a.id, rows=[])
    db.session.add_all([added, made, batch])
    db.session.flush()
    db.session.add(AuditEvent(actor_id=a.id, action="accounts.imported", target_type="trainee_import",
                              target_id=batch.id, details={"created": [made_by_list.id], "joined": [trainee.id]}))
    db.session.commit()

    migration = import_module("migrations.versions.0006_sign_ins_and_workshop_invitations")
    with db.engine.begin() as connection:
        context = MigrationContext.configure(connection)
        with Operations.context(context):
            migration._mark_memberships_made_by_older_lists()
    db.session.expire_all()
    assert db.session.get(CohortMember, added.id).joined_via == "legacy"
    assert db.session.get(CohortMember, made.id).joined_via == "import"
    assert db.session.get(User, made_by_list.id).created_by_id == a.id
    membership_b = db.session.scalar(select(CohortMember).where(CohortMember.cohort_id == county["cohort_b"].id))
    assert membership_b.joined_via == "code"  # joined with the code long before: untouched


def test_signing_in_with_the_password_still_works_for_an_invited_trainee(client, auth, county):
    response = client.post("/login", data={"phone": county["trainee"].phone, "password": PASSWORD})
    assert response.status_code == 302
