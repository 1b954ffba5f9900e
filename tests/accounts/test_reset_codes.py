"""Reset codes without email: issued by an instructor or administrator, used once, the old password ends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.accounts.models import SignInToken
from lms.accounts.signin_links import MAX_CODE_FAILURES, issue_reset_code
from lms.audit.models import AuditEvent
from lms.database import utcnow
from lms.extensions import db
from tests.cohorts.factories import make_cohort
from tests.conftest import PASSWORD

NEW_PASSWORD = "dongpo-peaches-9"


@pytest.fixture
def setting(make_user, courses):
    instructor = make_user("instructor", name="王老师")
    trainee = make_user(name="吕振鸿")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], members=[trainee])
    return {"instructor": instructor, "trainee": trainee, "cohort": cohort}


def reset(client, phone, code, password=NEW_PASSWORD):
    return client.post("/reset", data={"phone": phone, "code": code, "password": password, "confirm": password})


def test_an_instructor_issues_a_code_and_the_trainee_sets_a_new_password(app, setting):
    instructor_client, trainee_client, other_phone = app.test_client(), app.test_client(), app.test_client()
    trainee = setting["trainee"]
    other_phone.post("/login", data={"phone": trainee.phone, "password": PASSWORD})
    assert other_phone.get("/my").status_code == 200

    instructor_client.post("/login", data={"phone": setting["instructor"].phone, "password": PASSWORD})
    page = instructor_client.get(f"/workshops/{setting['cohort'].id}/trainees/{trainee.id}").get_data(as_text=True)
    assert "生成重置码" in page
    response = instructor_client.post(f"/workshops/{setting['cohort'].id}/trainees/{trainee.id}/reset-code",
                                      data={"days": "3"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    code = re.search(r'class="join-code">(\d{4} \d{4})<', response.get_data(as_text=True)).group(1)
    assert f"/reset?phone={trainee.phone}" in response.get_data(as_text=True)

    # The old password still works until the new one is set.
    assert trainee_client.post("/login", data={"phone": trainee.phone, "password": PASSWORD}).status_code == 302
    trainee_client.post("/logout")
    response = reset(trainee_client, trainee.phone, code)
    assert response.status_code == 302 and response.headers["Location"].endswith("/my")
    assert trainee_client.get("/my").status_code == 200  # signed in with the new password set

    assert other_phone.get("/my").status_code == 302  # other sessions ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"phone": trainee.phone, "password": PASSWORD}).status_code == 400
    assert fresh.post("/login", data={"phone": trainee.phone, "password": NEW_PASSWORD}).status_code == 302
    assert reset(app.test_client(), trainee.phone, code, "another-pass-22").status_code == 400  # used once

    actions = [(e.action, e.actor_id) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == [("account.reset_code_issued", setting["instructor"].id),
                       ("account.reset_code_used", trainee.id)]


def test_codes_are_stored_as_slow_hashes_only(app, setting):
    code = issue_reset_code(setting["trainee"], setting["instructor"])
    db.session.commit()
    stored = db.session.scalar(select(SignInToken))
    assert stored.kind == "code" and code not in stored.token_hash and stored.token_hash.startswith("$argon2id$")


def test_a_wrong_code_changes_nothing_and_five_wrong_tries_void_the_code(client, setting):
    trainee = setting["trainee"]
    code = issue_reset_code(trainee, setting["instructor"])
    db.session.commit()
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    response = reset(client, trainee.phone, wrong)
    assert response.status_code == 400 and "重置码不对" in response.get_data(as_text=True)
    for _ in range(MAX_CODE_FAILURES - 1):
        reset(client, trainee.phone, wrong)
    assert reset(client, trainee.phone, code).status_code == 400  # the right code is void now
    assert client.post("/login", data={"phone": trainee.phone, "password": PASSWORD}).status_code == 302


def test_an_expired_code_does_not_work(client, setting):
    code = issue_reset_code(setting["trainee"], setting["instructor"], days=3, now=utcnow() - timedelta(days=4))
    db.session.commit()
    assert reset(client, setting["trainee"].phone, code).status_code == 400


def test_a_code_is_for_one_phone_only(client, make_user, setting):
    code = issue_reset_code(setting["trainee"], setting["instructor"])
    db.session.commit()
    someone_else = make_user()
    assert reset(client, someone_else.phone, code).status_code == 400
    assert reset(client, "13000000000", code).status_code == 400


def test_codes_typed_with_spaces_or_full_width_digits_work(client, setting):
    code = issue_reset_code(setting["trainee"], setting["instructor"])
    db.session.commit()
    typed = " ".join(code[:4]) + "　" + "".join(chr(ord(d) + 0xFEE0) for d in code[4:])
    assert reset(client, setting["trainee"].phone, typed).status_code == 302


def test_a_newer_code_replaces_the_older_one(client, setting):
    first = issue_reset_code(setting["trainee"], setting["instructor"])
    second = issue_reset_code(setting["trainee"], setting["instructor"])
    db.session.commit()
    assert reset(client, setting["trainee"].phone, first).status_code == 400
    assert reset(client, setting["trainee"].phone, second).status_code == 302


def test_an_administrator_may_issue_a_code_for_any_member(client, auth, make_user, setting):
    auth.login(make_user("admin"))
    url = f"/workshops/{setting['cohort'].id}/trainees/{setting['trainee'].id}/reset-code"
    assert client.post(url, data={"days": "1"}).status_code == 200


def test_the_reset_page_comes_prefilled_from_the_instructors_qr_code(client, setting):
    page = client.get(f"/reset?phone={setting['trainee'].phone}").get_data(as_text=True)
    assert f'value="{setting["trainee"].phone}"' in page


def test_guesses_sent_all_at_once_check_a_code_at_most_five_times(app, setting, monkeypatch):
    """Each try is counted in SQL before the code is checked, so parallel guesses cannot slip past five."""
    import threading
    import time

    from lms.accounts import signin_links

    trainee = setting["trainee"]
    code = issue_reset_code(trainee, setting["instructor"])
    stored_hash = db.session.scalar(select(SignInToken.token_hash))
    phone = trainee.phone
    db.session.commit()  # and start no new transaction: the test's own session must not hold the write lock
    checks, real_verify = [], signin_links.verify_password

    def slow_verify(hashed, candidate):
        if hashed == stored_hash:
            checks.append(candidate)
            time.sleep(0.05)  # Argon2 takes a while: the window parallel guesses used to share
        return real_verify(hashed, candidate)

    monkeypatch.setattr(signin_links, "verify_password", slow_verify)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    start = threading.Barrier(12)
    answers: list[int] = []

    def guess():
        client = FlaskClient(app)  # a plain client: each request brings its own app context
        start.wait()
        answers.append(reset(client, phone, wrong).status_code)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 12 and 500 not in answers
    assert len(checks) <= MAX_CODE_FAILURES
    stored = db.session.scalar(select(SignInToken))
    assert stored.failed_attempts == MAX_CODE_FAILURES and stored.revoked_at is not None
    assert reset(app.test_client(), trainee.phone, code).status_code == 400  # void, even with the right code
