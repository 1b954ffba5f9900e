"""The certificate PDF, read back with poppler's tools: Chinese text, embedded subset fonts, one small page."""

from __future__ import annotations

import threading

import pytest
import weasyprint
from PIL import Image
from sqlalchemy import select

from lms.certificates.fonts import character_map, faces_for, missing_characters
from lms.certificates.models import CertificatePdf
from lms.certificates.pdfs import certificate_pdf, certificate_rendered, render_pdf
from lms.certificates.rendering import REGULAR_FONT_URL, MissingGlyphs, certificate_fetcher
from lms.extensions import db
from tests.certificates.conftest import PUBLIC_URL, RARE_NAME, pdf_fonts, pdf_info, pdf_text, run

pytestmark = pytest.mark.app_config(LMS_PUBLIC_URL=PUBLIC_URL)
MAX_BYTES = 100 * 1024
LONG_NAME = "欧阳娜娜𠮷䶮 Alexandra Konstantinopoulou-Wang de la Cruz Fernández"
LONG_TITLE = "从零开始做好农产品电商：拍照、写详情页、客服、发货与售后的全流程实战课程（县级电商服务中心特别版）"


@pytest.fixture
def rare_named(make_user, completed):
    return completed(make_user(name=RARE_NAME))


def write(tmp_path, content: bytes, name: str = "certificate.pdf"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_the_font_draws_rare_name_characters(app):
    faces = faces_for(app.config)
    assert missing_characters(RARE_NAME + "吕振鸿", faces) == []
    assert all(0x20BB7 in character_map(face.path, face.index) for face in faces)  # 𠮷, outside the BMP


def test_pdf_holds_the_chinese_name_course_title_and_code_as_text(tmp_path, rare_named):
    path = write(tmp_path, render_pdf(rare_named))
    text = pdf_text(path)
    flat = "".join(text.split())  # letter-spaced headings come out with spaces between the letters
    assert RARE_NAME in flat
    assert "开店基础" in text and "Shop basics" in text
    assert rare_named.display_code in text
    assert "结业证书" in flat and "CERTIFICATEOFCOMPLETION" in flat
    assert "县电子商务培训中心" in flat and "cunke.example.cn/verify" in text


def test_pdf_embeds_only_the_two_subset_certificate_fonts(tmp_path, rare_named):
    fonts = pdf_fonts(write(tmp_path, render_pdf(rare_named)))
    assert len(fonts) == 2
    for font in fonts:
        assert font["emb"] == "yes" and font["sub"] == "yes" and font["uni"] == "yes", font
        assert font["name"].split("+", 1)[1].startswith("Cunke-Certificate"), font
        assert len(font["name"].split("+")[0]) == 6  # the subset tag


def test_pdf_is_one_a4_landscape_page_under_100_kb(tmp_path, rare_named):
    content = render_pdf(rare_named)
    info = pdf_info(write(tmp_path, content))
    assert info["Pages"].strip() == "1"
    width, _, height = info["Page size"].split("pts")[0].split()
    assert (round(float(width)), round(float(height))) == (842, 595)  # A4 landscape, in points
    assert len(content) < MAX_BYTES, len(content)


def test_long_names_and_titles_shrink_and_wrap_but_stay_on_one_page(tmp_path, make_user, completed, courses):
    courses["shop-basics"].titles = {"zh": LONG_TITLE, "en": "From zero to a working farm-produce shop: " * 3}
    db.session.commit()
    certificate = completed(make_user(name=LONG_NAME))
    content = render_pdf(certificate)
    path = write(tmp_path, content)
    assert pdf_info(path)["Pages"].strip() == "1"
    text = "".join(pdf_text(path).split())
    assert "".join(LONG_NAME.split()) in text
    assert LONG_TITLE in text
    assert len(content) < MAX_BYTES


def test_markup_in_a_name_is_printed_as_text(tmp_path, make_user, completed):
    certificate = completed(make_user(name='<img src="file:///etc/passwd">王芳'))
    text = pdf_text(write(tmp_path, render_pdf(certificate)))
    assert '<img src="file:///etc/passwd">王芳' in text


def test_a_name_the_font_cannot_draw_is_refused_rather_than_boxed(make_user, completed):
    unknown = "\U00030000"  # CJK extension G: not in Noto CJK
    certificate = completed(make_user(name=f"王{unknown}"))
    with pytest.raises(MissingGlyphs) as refused:
        render_pdf(certificate)
    assert refused.value.field_name == "name" and refused.value.characters == [unknown]
    assert "U+30000" in str(refused.value)


def test_the_pdf_is_rendered_once_even_when_two_first_downloads_race(app, rare_named):
    certificate_id = rare_named.id
    db.session.commit()
    renders: list[int] = []
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def count(sender, **_):
        renders.append(sender)

    def download() -> None:
        try:
            with app.app_context():
                start.wait()
                results.append(certificate_pdf(certificate_id).sha256)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    with certificate_rendered.connected_to(count):
        threads = [threading.Thread(target=download) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert renders == [certificate_id]
        assert len(set(results)) == 1
        certificate_pdf(certificate_id)  # served from storage from now on
        assert renders == [certificate_id]
    assert len(db.session.scalars(select(CertificatePdf)).all()) == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_render_pending_renders_every_certificate_without_a_pdf_once(runner, make_user, completed, jobs):
    for _ in range(3):
        completed(make_user())
    result = runner.invoke(args=["certificates", "render-pending", "--jobs", jobs])
    assert result.exit_code == 0, result.output
    assert "Rendered 3 of 3" in result.output
    db.session.expire_all()
    assert len(db.session.scalars(select(CertificatePdf)).all()) == 3
    assert "Rendered 0 of 0" in runner.invoke(args=["certificates", "render-pending"]).output


@pytest.mark.app_config(LMS_PUBLIC_URL="")
def test_render_pending_needs_the_public_address(runner, make_user, completed):
    completed(make_user())
    result = runner.invoke(args=["certificates", "render-pending"])
    assert result.exit_code != 0 and "LMS_PUBLIC_URL" in result.output


def test_a_configured_seal_image_is_printed(app, tmp_path, rare_named):
    seal = tmp_path / "seal.png"
    Image.new("RGBA", (240, 240), (200, 20, 20, 160)).save(seal)
    app.config["LMS_SEAL_IMAGE"] = str(seal)
    path = write(tmp_path, render_pdf(rare_named))
    images = run("pdfimages", "-list", str(path)).splitlines()[2:]
    assert [row.split()[2] for row in images] == ["image", "smask"]  # the seal and its transparency
    assert len(path.read_bytes()) < MAX_BYTES


@pytest.mark.parametrize("url", ["file:///etc/hostname", "http://127.0.0.1:9/x.png", "data:image/png;base64,AA==",
                                 "cunke-certificate:font-regular-of-another-page"])
def test_the_renderer_fetches_nothing_but_this_pages_own_fonts_and_seal(url):
    fetcher = certificate_fetcher({REGULAR_FONT_URL: (b"font", "font/otf")})
    with pytest.raises(BaseException, match="(?i)fetch|may not load"):  # WeasyPrint stops with a BaseException
        weasyprint.HTML(string=f'<img src="{url}">', url_fetcher=fetcher).write_pdf()


def test_the_completion_date_is_never_broken_across_lines(app, tmp_path, rare_named):
    from datetime import UTC, datetime

    from lms.certificates.rendering import _dates, local_date

    rare_named.completed_at = datetime(2026, 9, 28, 3, tzinfo=UTC)  # the longest month name
    path = write(tmp_path, render_pdf(rare_named))
    lines = pdf_text(path).splitlines()
    completed_zh, completed_en = _dates(local_date(rare_named.completed_at, app.config["LMS_TIMEZONE"]))
    assert any(completed_zh in line for line in lines) and any(completed_en in line for line in lines)
