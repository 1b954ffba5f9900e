"""What the public verification page may say about a code: state, course, dates and a masked name.

The page needs no account and its address is printed on paper, so it never shows a full name:
the first and last characters stay, the rest become stars (吕振鸿 → 吕*鸿, 王芳 → 王*).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lms.certificates.codes import format_code, normalize_code
from lms.certificates.issuing import find_by_code
from lms.certificates.models import Certificate
from lms.content.models import pick_language

UNKNOWN = "unknown"


def mask_name(name: str) -> str:
    characters = list(name.strip())
    if len(characters) <= 1:
        return "*"
    if len(characters) == 2:
        return characters[0] + "*"
    return characters[0] + "*" * (len(characters) - 2) + characters[-1]


@dataclass(frozen=True)
class Verification:
    state: str  # valid, revoked, superseded or unknown
    code: str = ""
    masked_name: str = ""
    course_titles: dict | None = None
    course_language: str = "zh"
    level: str = ""
    hours: float = 0
    completed_at: datetime | None = None
    issued_at: datetime | None = None
    revoked_at: datetime | None = None
    superseded_at: datetime | None = None
    org_name: str = ""
    org_name_en: str = ""

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    def course_title(self, language: str) -> str:
        return pick_language(self.course_titles, language, self.course_language)


def verify_code(typed: str | None) -> Verification:
    code = normalize_code(typed)
    certificate: Certificate | None = find_by_code(code) if code else None
    if certificate is None:
        return Verification(state=UNKNOWN, code=code or "")
    return Verification(
        state=certificate.state, code=certificate.code, masked_name=mask_name(certificate.holder_name),
        course_titles=certificate.course_titles, course_language=certificate.course_language,
        level=certificate.level, hours=certificate.hours, completed_at=certificate.completed_at,
        issued_at=certificate.issued_at, revoked_at=certificate.revoked_at,
        superseded_at=certificate.superseded_at, org_name=certificate.org_name, org_name_en=certificate.org_name_en,
    )
