"""The public check page: anyone, no account, states valid / revoked / replaced / unknown with a masked name."""

from __future__ import annotations

import pytest

from lms.certificates.issuing import reissue_certificate, revoke_certificate
from lms.certificates.verification import mask_name
from lms.extensions import db


@pytest.mark.parametrize(("name", "masked"), [
    ("吕振鸿", "吕*鸿"), ("王芳", "王*"), ("欧阳娜娜", "欧**娜"), ("𠮷䶮堃", "𠮷*堃"), ("李", "*"),
    ("Alexandra", "A*******a"), ("  吕振鸿 ", "吕*鸿"),
])
def test_names_are_masked_keeping_first_and_last_character(name, masked):
    assert mask_name(name) == masked


def test_a_valid_certificate_says_so_without_an_account(client, completed, trainee):
    certificate = completed(trainee)
    response = client.get(f"/verify/{certificate.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "有效证书" in page
    assert "吕*鸿" in page and "吕振鸿" not in page  # the full name is never published
    assert "开店基础" in page and "入门" in page and certificate.display_code in page
    assert "县电子商务培训中心" in page
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_a_revoked_certificate_shows_the_date_but_not_the_reason(client, completed, trainee, make_user):
    certificate = completed(trainee)
    revoke_certificate(certificate, make_user("admin"), "考试作弊")
    db.session.commit()
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "已撤销" in page and "不再有效" in page
    assert "考试作弊" not in page
    assert "有效证书" not in page


def test_a_replaced_certificate_points_to_its_holder_not_to_the_new_number(client, completed, trainee, make_user):
    certificate = completed(trainee)
    replacement = reissue_certificate(certificate, make_user("admin"))
    db.session.commit()
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "已被新证书取代" in page
    assert replacement.display_code not in page
    assert "有效证书" in client.get(f"/verify/{replacement.code}").get_data(as_text=True)


def test_an_unknown_number_is_not_found(client, courses):
    response = client.get("/verify/K7QM3XHP9TWDR2F")
    assert response.status_code == 404
    assert "没有找到这个编号的证书" in response.get_data(as_text=True)
    assert client.get("/verify/not-a-code").status_code == 404


def test_the_english_page_reads_in_english(client, completed, trainee):
    certificate = completed(trainee)
    page = client.get(f"/verify/{certificate.code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Valid certificate" in page and "Shop basics" in page and "吕*鸿" in page


def test_a_typed_number_is_read_leniently_and_redirected(client, completed, trainee):
    certificate = completed(trainee)
    typed = certificate.display_code.lower().replace("-", " ")
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302 and response.headers["Location"] == f"/verify/{certificate.code}"
    pretty = client.get(f"/verify/{certificate.display_code.lower()}")
    assert pretty.status_code == 301 and pretty.headers["Location"] == f"/verify/{certificate.code}"


def test_a_malformed_number_is_explained_next_to_the_field(client, courses):
    response = client.get("/verify", query_string={"code": "ABC"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in page and "15 位" in page


def test_the_empty_form_asks_for_a_number(client, courses):
    response = client.get("/verify")
    assert response.status_code == 200 and 'name="code"' in response.get_data(as_text=True)


def test_a_link_pasted_in_a_chat_previews_status_course_and_centre_with_the_name_masked(client, completed, trainee,
                                                                                        make_user):
    import re  # noqa: PLC0415
    from html import unescape  # noqa: PLC0415

    certificate = completed(trainee)
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    meta = {name: unescape(value) for name, value in re.findall(r'<meta property="og:(\w+)" content="([^"]*)"', page)}
    assert meta["title"] == "有效证书：开店基础"
    assert "吕*鸿" in meta["description"] and "县电子商务培训中心" in meta["description"]
    assert "吕振鸿" not in page
    assert meta["url"].endswith(f"/verify/{certificate.code}")
    assert "image" not in meta  # nothing a chat app would fetch from elsewhere
    revoke_certificate(certificate, make_user("admin"), "错发")
    db.session.commit()
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert re.search(r'<meta property="og:title" content="已撤销', page)
