"""Pictures: known by their content, phone photos scaled down and stripped of camera data."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lms.content.images import MAX_WIDTH, ImageProblem, prepare_upload, tidy_media


def photo(width: int = 2560, height: int = 1920, image_format: str = "JPEG", orientation: int | None = None,
          gps: bool = False, noisy: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 120, 40))
    if noisy:
        image = Image.effect_noise((width, height), 90).convert("RGB")
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x010F] = "PhoneMaker"  # camera make
        exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0)}  # GPS position
    out = io.BytesIO()
    image.save(out, image_format, exif=exif.tobytes() if (orientation or gps) else b"")
    return out.getvalue()


def opened(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))


def test_a_large_phone_photo_is_scaled_to_the_maximum_width_and_loses_its_camera_data():
    original = photo(gps=True, noisy=True)
    prepared = prepare_upload(original)
    image = opened(prepared.content)
    assert (image.format, image.size) == ("JPEG", (MAX_WIDTH, 960))
    assert len(prepared.content) < len(original)
    assert not image.getexif()
    assert prepared.extension == ".jpg" and (prepared.width, prepared.height) == (MAX_WIDTH, 960)


def test_a_photo_taken_sideways_is_turned_upright():
    prepared = prepare_upload(photo(width=1600, height=1200, orientation=6))  # 6: rotate 90° to display
    assert opened(prepared.content).size == (1200, 1600)


def test_the_type_comes_from_the_content_not_the_name():
    prepared = prepare_upload(photo(width=200, height=100, image_format="PNG"))
    assert prepared.extension == ".png"
    with pytest.raises(ImageProblem) as caught:
        prepare_upload(b"MZ\x90\x00 this is a Windows program, not a picture")
    assert caught.value.code == "not_an_image"


def test_an_svg_with_a_script_is_refused_by_the_course_checker_rules():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
    with pytest.raises(ImageProblem) as caught:
        prepare_upload(svg)
    assert caught.value.code == "bad_svg"
    assert [(p.code, p.params) for p in caught.value.problems] == [("svg_forbidden_element", (("element", "script"),))]
    safe = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>'
    assert prepare_upload(safe).extension == ".svg"


def test_a_picture_over_the_input_limit_is_refused():
    with pytest.raises(ImageProblem) as caught:
        prepare_upload(b"\xff\xd8" + bytes(11 * 1024 * 1024))
    assert caught.value.code == "too_large"


def test_pictures_in_an_uploaded_zip_are_left_alone_unless_they_need_scaling_or_stripping():
    small = photo(width=800, height=600)
    assert tidy_media(small) == small
    tidied = tidy_media(photo(width=3000, height=1000, gps=True))
    image = opened(tidied)
    assert image.size == (MAX_WIDTH, 427) and not image.getexif()
    assert tidy_media(b"not a picture") == b"not a picture"  # the course checker reports it
