"""Pictures for course media and for practical tasks' photos: type by content, scaled down, no camera data.

A phone photo is 3–8 MB and 4000 pixels wide; trainees on a weak signal should get a few hundred
kilobytes at most. JPEG, PNG and WebP are decoded with Pillow, turned upright (the EXIF
orientation), scaled to at most MAX_WIDTH pixels wide and encoded again without their EXIF data
(which often holds the place and time the photo was taken). SVG goes through the course
checker's own SVG check.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from lms.content.parser import MAX_MEDIA_BYTES, check_media
from lms.content.problems import Problem

MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_WIDTH = 1280
MAX_PIXELS = 50_000_000
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif", "SVG": ".svg"}
_REENCODED = ("JPEG", "PNG", "WEBP")


class ImageProblem(Exception):
    """Why a picture was refused, as a code the view words; for an unsafe SVG, the checker's problems too."""

    def __init__(self, code: str, problems: list[Problem] | None = None):
        super().__init__(code)
        self.code = code
        self.problems = problems or []


@dataclass
class PreparedImage:
    content: bytes
    extension: str  # ".jpg", ".png", ...
    width: int | None
    height: int | None


def _looks_like_svg(content: bytes) -> bool:
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in content[:8192].lower()


def _open(content: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise ImageProblem("too_many_pixels") from error
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ImageProblem("not_an_image") from error
    if image.format not in EXTENSIONS:
        raise ImageProblem("not_an_image")
    if image.width * image.height > MAX_PIXELS:
        raise ImageProblem("too_many_pixels")
    return image


def _encode(image: Image.Image, image_format: str, longest: int | None = None) -> bytes:
    """Upright, scaled (to MAX_WIDTH wide, or to `longest` on the longer side) and without camera data."""
    try:
        upright = ImageOps.exif_transpose(image)
        if longest is not None:
            upright.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        elif upright.width > MAX_WIDTH:
            upright.thumbnail((MAX_WIDTH, MAX_WIDTH * 20), Image.Resampling.LANCZOS)
        options: dict = {}
        icc = image.info.get("icc_profile")
        if icc:
            options["icc_profile"] = icc
        out = io.BytesIO()
        if image_format == "JPEG":
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            upright.save(out, "JPEG", quality=82, optimize=True, progressive=True, **options)
        elif image_format == "PNG":
            upright.save(out, "PNG", optimize=True, **options)
        else:
            upright.save(out, "WEBP", quality=80, **options)
    except (OSError, ValueError, SyntaxError) as error:  # a truncated or broken file shows up on decoding
        raise ImageProblem("not_an_image") from error
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def prepare_upload(content: bytes) -> PreparedImage:
    """A picture uploaded on its own: always encoded afresh (JPEG, PNG, WebP), else checked (SVG, GIF)."""
    if len(content) > MAX_INPUT_BYTES:
        raise ImageProblem("too_large")
    if _looks_like_svg(content):
        _, problems = check_media("media/picture.svg", content, "")
        if problems:
            raise ImageProblem("bad_svg", problems)
        return PreparedImage(content, ".svg", None, None)
    image = _open(content)
    with image:
        image_format = image.format
        if image_format == "GIF":
            if len(content) > MAX_MEDIA_BYTES:
                raise ImageProblem("gif_too_large")
            return PreparedImage(content, ".gif", image.width, image.height)
        encoded = _encode(image, image_format)
        if len(encoded) > MAX_MEDIA_BYTES and image_format == "PNG" and not _has_alpha(image):
            image_format, encoded = "JPEG", _encode(image, "JPEG")  # a photo saved as PNG
    if len(encoded) > MAX_MEDIA_BYTES:
        raise ImageProblem("still_too_large")
    with Image.open(io.BytesIO(encoded)) as result:
        width, height = result.size
    return PreparedImage(encoded, EXTENSIONS[image_format], width, height)


def shrink_photo(content: bytes, longest: int) -> PreparedImage:
    """A photo of someone's work: JPEG (WebP kept as WebP), at most `longest` pixels on its longer side, upright
    and without camera data. Anything else, whatever its name, raises ImageProblem("not_an_image")."""
    if len(content) > MAX_INPUT_BYTES:
        raise ImageProblem("too_large")
    image = _open(content)
    with image:
        if image.format not in _REENCODED:
            raise ImageProblem("not_an_image")
        image_format = "WEBP" if image.format == "WEBP" else "JPEG"
        if image.format == "JPEG":  # decode a large JPEG at 1/2, 1/4 ... of its size where that still covers `longest`
            factor = longest / max(image.size)
            image.draft("RGB", (round(image.width * factor), round(image.height * factor)))
        encoded = _encode(image, image_format, longest)
    with Image.open(io.BytesIO(encoded)) as result:
        width, height = result.size
    return PreparedImage(encoded, EXTENSIONS[image_format], width, height)


def tidy_media(content: bytes) -> bytes:
    """A raster picture from an uploaded ZIP, scaled down and stripped only when it needs it.

    Pictures already small and without camera data are kept byte for byte, so a downloaded
    course uploaded again is not encoded again (and does not lose quality each round).
    """
    try:
        image = _open(content)
    except ImageProblem:
        return content  # the course checker reports it
    with image:
        if image.format not in _REENCODED:
            return content
        needs_work = image.width > MAX_WIDTH or len(content) > MAX_MEDIA_BYTES or bool(image.getexif())
        if not needs_work:
            return content
        try:
            return _encode(image, image.format)
        except ImageProblem:
            return content
