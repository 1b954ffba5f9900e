"""The certificate as a picture to save in the phone's album or post in WeChat Moments.

It is the stored PDF itself, rasterised by poppler's `pdftoppm` (installed with poppler-utils beside
WeasyPrint): the same design and the same verification QR, never a second layout to keep in step.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

PICTURE_WIDTH = 1080  # a phone screen's and WeChat Moments' full width
MAX_PICTURE_BYTES = 300 * 1024


class PictureError(RuntimeError):
    """pdftoppm is missing or could not read the PDF."""


def certificate_picture(pdf: bytes, width: int = PICTURE_WIDTH) -> bytes:
    """A JPEG of the PDF's first page, `width` pixels wide, under MAX_PICTURE_BYTES."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "certificate.pdf"
        source.write_bytes(pdf)
        program = shutil.which("pdftoppm")
        if program is None:
            raise PictureError("pdftoppm (poppler-utils) is not installed")
        try:
            arguments = [program, "-png", "-r", "300", "-scale-to-x", str(width), "-scale-to-y", "-1",
                         "-singlefile", "-f", "1", "-l", "1", str(source), str(Path(folder) / "page")]
            subprocess.run(arguments, check=True, capture_output=True, timeout=60)  # noqa: S603 (our own PDF)
        except (OSError, subprocess.SubprocessError) as error:
            raise PictureError(str(error)) from error
        image = Image.open(Path(folder) / "page.png").convert("RGB")
    for quality in (88, 80, 72, 64, 56):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
        if out.tell() <= MAX_PICTURE_BYTES:
            break
    return out.getvalue()
