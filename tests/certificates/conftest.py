"""Certificate fixtures: trainees who completed the fixture course, and the poppler tools to read PDFs."""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning.progress import enrol, finish_lesson, record_quiz_result

PUBLIC_URL = "https://cunke.example.cn"
RARE_NAME = "𠮷䶮堃喆燊"  # CJK extension B, extension A and three rare unified ideographs


def complete_course(user, course) -> Certificate | None:
    """Finish every lesson and pass every quiz of `course` as `user`, committed; returns the certificate."""
    enrol(user, course)
    for item in course.items:
        if item.is_quiz:
            record_quiz_result(user, item, 100.0, True)
        else:
            finish_lesson(user, item)
    db.session.commit()
    return certificate_of(user, course)


def certificate_of(user, course) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.user_id == user.id,
                                                       Certificate.course_id == course.id)
                             .order_by(Certificate.issue_number.desc()))


@pytest.fixture
def completed(courses):
    """complete(user) → that user's certificate for shop-basics."""
    return lambda user, slug="shop-basics": complete_course(user, courses[slug])


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pdf_text(path) -> str:
    return run("pdftotext", "-layout", str(path), "-")


def pdf_fonts(path) -> list[dict]:
    """pdffonts rows as {name, type, emb, sub, uni}."""
    rows = run("pdffonts", str(path)).splitlines()[2:]
    fonts = []
    for row in rows:
        match = re.match(r"(\S+)\s+(.+?)\s{2,}\S+\s+(yes|no)\s+(yes|no)\s+(yes|no)", row)
        assert match, row
        fonts.append({"name": match[1], "type": match[2], "emb": match[3], "sub": match[4], "uni": match[5]})
    return fonts


def pdf_info(path) -> dict[str, str]:
    return dict(line.split(":", 1) for line in run("pdfinfo", str(path)).splitlines() if ":" in line)
