"""Printable sign-in cards: several per A4 page, one new one-time link per trainee, older cards revoked."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from lms.accounts.models import SignInToken
from lms.accounts.passwords import hash_password
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.cohorts.factories import make_cohort
from tests.cohorts.test_workshops import ODD_NUMBERS
from tests.conftest import error_next_to


@pytest.fixture
def setting(make_user, courses):
    instructor = make_user("instructor")
    people = [make_user(name=f"学员{n}") for n in range(10)]
    for person in people:
        person.password_hash = ""  # imported: no password yet
    people[0].password_hash = hash_password("beishan-outdoor")
    people[1].display_name = "<b>王&amp;</b>"
    db.session.commit()
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], members=people)
    return {"instructor": instructor, "people": people, "cohort": cohort}


def pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "cards.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,  # noqa: S603, S607
                          check=True).stdout


def live_tokens(user_id: int) -> int:
    return db.session.scalar(select(func.count(SignInToken.id)).where(
        SignInToken.user_id == user_id, SignInToken.revoked_at.is_(None), SignInToken.used_at.is_(None)))


def test_cards_for_trainees_without_a_password_print_eight_to_a_page(client, auth, setting, tmp_path):
    auth.login(setting["instructor"])
    page = client.get(f"/workshops/{setting['cohort'].id}/cards").get_data(as_text=True)
    assert "有 9 名学员还没设置密码" in page
    response = client.post(f"/workshops/{setting['cohort'].id}/cards", data={"who": "new", "days": "14"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert text.count("\f") == 2  # 9 cards: eight on the first A4 page, one on the second
    assert "学员2" in text and "学员9" in text and "学员0" not in text  # 学员0 has chosen a password
    assert "<b>王&amp;</b>" in text  # printed as typed, never interpreted as markup
    assert setting["people"][2].phone in text
    assert live_tokens(setting["people"][0].id) == 0
    assert all(live_tokens(p.id) == 1 for p in setting["people"][1:])
    issued = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.sign_in_link_issued"))
    assert sorted(e.target_id for e in issued) == sorted(p.id for p in setting["people"][1:])


def test_printing_new_cards_revokes_the_older_ones(client, auth, setting):
    auth.login(setting["instructor"])
    url = f"/workshops/{setting['cohort'].id}/cards"
    client.post(url, data={"who": "all", "days": "14"})
    client.post(url, data={"who": "all", "days": "7"})
    for person in setting["people"]:
        tokens = list(db.session.scalars(select(SignInToken).where(SignInToken.user_id == person.id)
                                         .order_by(SignInToken.id)))
        assert len(tokens) == 2
        assert tokens[0].revoked_at is not None and tokens[1].revoked_at is None


def test_card_expiry_must_be_between_one_and_sixty_days(client, auth, setting):
    auth.login(setting["instructor"])
    response = client.post(f"/workshops/{setting['cohort'].id}/cards", data={"who": "new", "days": "365"})
    assert response.status_code == 400 and "1 到 60" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SignInToken.id))) == 0


@pytest.mark.parametrize("days", ODD_NUMBERS + ["0", "61"])
def test_days_no_card_or_code_could_last_get_the_message_next_to_the_field(client, auth, setting, days):
    auth.login(setting["instructor"])
    cohort, person = setting["cohort"], setting["people"][3]
    response = client.post(f"/workshops/{cohort.id}/cards", data={"who": "all", "days": days})
    assert response.status_code == 400
    assert error_next_to(response.get_data(as_text=True), "days") == "请输入 1 到 60 之间的数字。"
    for route, field_id in (("card", "card-days"), ("reset-code", "code-days")):
        response = client.post(f"/workshops/{cohort.id}/trainees/{person.id}/{route}", data={"days": days})
        assert response.status_code == 400, route
        page = response.get_data(as_text=True)
        assert error_next_to(page, field_id) == "请输入 1 到 60 之间的数字。", route
        assert f'value="{days}"' in page  # what was typed stays, to be corrected
    assert db.session.scalar(select(func.count(SignInToken.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_a_single_card_for_one_trainee(client, auth, setting, tmp_path):
    auth.login(setting["instructor"])
    person = setting["people"][3]
    response = client.post(f"/workshops/{setting['cohort'].id}/trainees/{person.id}/card", data={"days": "3"})
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.get_data(), tmp_path)
    assert "学员3" in text and "学员4" not in text
    assert live_tokens(person.id) == 1


def test_card_text_is_at_least_ten_points_and_no_line_starts_with_punctuation(client, auth, setting, tmp_path):
    """Older eyes read these cards: measured in the PDF itself, from the height of every printed word."""
    auth.login(setting["instructor"])
    pdf = client.post(f"/workshops/{setting['cohort'].id}/cards", data={"who": "new", "days": "14"}).get_data()
    text = pdf_text(pdf, tmp_path)  # skips without poppler
    path = tmp_path / "cards.pdf"
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,  # noqa: S603, S607
                           check=True).stdout
    heights = [float(y_max) - float(y_min) for y_min, y_max in
               re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
    # poppler boxes a word of Noto Sans CJK 1.448 em high (ascent plus descent): 10 pt makes 14.48 pt.
    assert heights and min(heights) >= 10 * 1.44, min(heights)
    lines = [line.strip() for column in text.splitlines() for line in re.split(r"\s{3,}", column) if line.strip()]
    assert not [line for line in lines if line[0] in "，。、；：！？）」』”"]
