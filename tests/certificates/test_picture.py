"""The certificate as a picture: the PDF's own page, phone-sized and small, offered to long-press in WeChat."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

from PIL import Image

from lms.certificates.pictures import MAX_PICTURE_BYTES, PICTURE_WIDTH

WECHAT = ("Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
          "MicroMessenger/8.0.47.2560(0x28002F35) NetType/4G Language/zh_CN")


def test_the_picture_is_the_pdf_page_phone_wide_and_under_300_kb(client, auth, completed, trainee, tmp_path):
    certificate = completed(trainee)
    auth.login(trainee)
    response = client.get(f"/certificates/{certificate.code}.jpg")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert len(response.data) <= MAX_PICTURE_BYTES
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "JPEG" and image.width == PICTURE_WIDTH
    pdf = client.get(f"/certificates/{certificate.code}.pdf").data
    (tmp_path / "c.pdf").write_bytes(pdf)
    info = subprocess.run([shutil.which("pdfinfo"), str(tmp_path / "c.pdf")], capture_output=True, text=True,
                          check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert abs(image.height / image.width - height / width) < 0.01  # the PDF's own page, not another layout


def test_someone_else_cannot_see_the_picture(client, auth, completed, trainee, make_user):
    certificate = completed(trainee)
    auth.login(make_user("trainee", phone="13900000077"))
    assert client.get(f"/certificates/{certificate.code}.jpg").status_code == 404


def test_in_wechat_the_page_offers_the_picture_and_the_open_in_browser_hint(client, auth, completed, trainee):
    certificate = completed(trainee)
    auth.login(trainee)
    slug = certificate.course.slug if hasattr(certificate, "course") and certificate.course else "shop-basics"
    ordinary = client.get(f"/courses/{slug}/").get_data(as_text=True)
    wechat = client.get(f"/courses/{slug}/", headers={"User-Agent": WECHAT}).get_data(as_text=True)
    picture = f"/certificates/{certificate.code}.jpg"
    assert f"/certificates/{certificate.code}.pdf" in ordinary and picture in ordinary
    assert f'<img class="certificate-picture" src="{picture}"' in wechat
    assert "浏览器" in wechat and f"/certificates/{certificate.code}.pdf" not in wechat
