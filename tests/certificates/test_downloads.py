"""Who may download a certificate PDF (the holder, their workshop's instructors, administrators) and how."""

from __future__ import annotations

import io
import zipfile

import pytest

from lms.certificates.issuing import reissue_certificate, revoke_certificate
from lms.certificates.pdfs import certificate_rendered
from lms.extensions import db
from tests.cohorts.factories import make_cohort


@pytest.fixture
def holder_certificate(completed, trainee):
    return completed(trainee)


def pdf_url(certificate) -> str:
    return f"/certificates/{certificate.code}.pdf"


def test_the_holder_downloads_a_pdf_with_a_chinese_filename_and_private_caching(client, auth, trainee,
                                                                               holder_certificate):
    auth.login(trainee)
    response = client.get(pdf_url(holder_certificate))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="certificate-{holder_certificate.code}.pdf"' in disposition
    assert "filename*=UTF-8''%E7%BB%93%E4%B8%9A%E8%AF%81%E4%B9%A6-" in disposition  # 结业证书-…
    assert "private" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
    assert response.headers["ETag"]


def test_downloads_serve_the_stored_pdf_and_answer_unchanged_copies_with_304(client, auth, trainee,
                                                                             holder_certificate):
    auth.login(trainee)
    renders: list[int] = []
    with certificate_rendered.connected_to(lambda sender, **_: renders.append(sender)):
        first = client.get(pdf_url(holder_certificate))
        second = client.get(pdf_url(holder_certificate))
        again = client.get(pdf_url(holder_certificate), headers={"If-None-Match": first.headers["ETag"]})
    assert renders == [holder_certificate.id]
    assert first.data == second.data
    assert again.status_code == 304


def test_another_trainee_gets_not_found(client, auth, make_user, holder_certificate):
    auth.login(make_user())
    assert client.get(pdf_url(holder_certificate)).status_code == 404


def test_an_unknown_code_is_the_same_not_found(client, auth, trainee, holder_certificate):
    auth.login(trainee)
    assert client.get("/certificates/K7QM3XHP9TWDR2F.pdf").status_code == 404


def test_signing_in_is_required(client, holder_certificate):
    response = client.get(pdf_url(holder_certificate))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_instructor_of_the_holders_workshop_may_download(client, auth, make_user, trainee, courses,
                                                            holder_certificate):
    instructor = make_user("instructor")
    make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], members=[trainee])
    auth.login(instructor)
    assert client.get(pdf_url(holder_certificate)).status_code == 200


def test_an_instructor_of_another_workshop_gets_not_found(client, auth, make_user, courses, holder_certificate):
    instructor = make_user("instructor")
    make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], members=[make_user()])
    auth.login(instructor)
    assert client.get(pdf_url(holder_certificate)).status_code == 404


def test_an_administrator_may_download_any_even_revoked(client, auth, make_user, trainee, holder_certificate):
    admin = make_user("admin")
    revoke_certificate(holder_certificate, admin, "名字写错了")
    db.session.commit()
    auth.login(trainee)
    assert client.get(pdf_url(holder_certificate)).status_code == 404  # no longer valid: not for the holder
    auth.logout()
    auth.login(admin)
    assert client.get(pdf_url(holder_certificate)).status_code == 200


def test_a_name_the_font_cannot_print_gives_a_clear_page_not_boxes(client, auth, make_user, completed):
    person = make_user(name="王\U00030000")
    certificate = completed(person)
    auth.login(person)
    response = client.get(pdf_url(certificate))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "\U00030000" in page and certificate.display_code in page


def test_my_learning_and_the_course_page_link_the_certificate(client, auth, trainee, holder_certificate):
    auth.login(trainee)
    for path in ("/my", "/courses/shop-basics/"):
        page = client.get(path).get_data(as_text=True)
        assert pdf_url(holder_certificate) in page, path
        assert f"/verify/{holder_certificate.code}" in page and holder_certificate.display_code in page, path


def test_after_a_reissue_the_pages_link_the_new_certificate(client, auth, make_user, trainee, holder_certificate):
    replacement = reissue_certificate(holder_certificate, make_user("admin"))
    db.session.commit()
    auth.login(trainee)
    page = client.get("/my").get_data(as_text=True)
    assert pdf_url(replacement) in page and pdf_url(holder_certificate) not in page


# ---------------------------------------------------------------- ceremony ZIPs


def zip_names(response) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(response.data)).namelist()


def test_an_instructor_downloads_the_course_zip_of_their_own_trainees_only(client, auth, make_user, completed,
                                                                          courses):
    instructor = make_user("instructor")
    mine = [make_user(name="张三"), make_user(name="李四")]
    stranger = make_user(name="王五")
    make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], members=mine)
    for person in (*mine, stranger):
        completed(person)
    auth.login(instructor)
    response = client.get("/certificates/course/shop-basics.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    names = zip_names(response)
    assert len(names) == 2
    assert any("张三" in name for name in names) and any("李四" in name for name in names)
    assert not any("王五" in name for name in names)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert all(archive.read(name).startswith(b"%PDF") for name in names)


def test_the_workshop_zip_is_only_for_its_instructors(client, auth, make_user, completed, courses):
    instructor, other = make_user("instructor"), make_user("instructor")
    member = make_user(name="张三")
    cohort = make_cohort(courses=[courses["shop-basics"]], instructors=[instructor], members=[member])
    completed(member)
    auth.login(other)
    assert client.get(f"/certificates/cohort/{cohort.id}.zip").status_code == 404
    auth.logout()
    auth.login(instructor)
    response = client.get(f"/certificates/cohort/{cohort.id}.zip")
    assert response.status_code == 200
    assert [name.split("/")[0] for name in zip_names(response)] == ["开店基础"]


def test_trainees_cannot_download_zips(client, auth, trainee, holder_certificate):
    auth.login(trainee)
    assert client.get("/certificates/course/shop-basics.zip").status_code == 403


def test_an_administrator_gets_every_valid_certificate_of_a_course(client, auth, make_user, completed, courses):
    people = [make_user() for _ in range(3)]
    certificates = [completed(person) for person in people]
    revoke_certificate(certificates[0], make_user("admin"), "重复")
    db.session.commit()
    auth.login(make_user("admin"))
    assert len(zip_names(client.get("/certificates/course/shop-basics.zip"))) == 2


def test_the_ceremony_page_lists_workshops_and_courses_with_counts(client, auth, make_user, completed, courses):
    instructor = make_user("instructor")
    member = make_user()
    cohort = make_cohort(name="北山村开店班", courses=[courses["shop-basics"]], instructors=[instructor],
                         members=[member])
    completed(member)
    auth.login(instructor)
    page = client.get("/certificates/ceremony").get_data(as_text=True)
    assert "北山村开店班" in page and f"/certificates/cohort/{cohort.id}.zip" in page
    assert "/certificates/course/shop-basics.zip" in page and "1 张证书" in page


def test_no_certificates_yet_is_a_page_not_an_empty_zip(client, auth, make_user, courses):
    auth.login(make_user("instructor"))
    response = client.get("/certificates/course/shop-basics.zip")
    assert response.status_code == 200 and response.mimetype == "text/html"
