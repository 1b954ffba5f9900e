"""Certificates as the reports see them: the export's certificate columns, and re-issuing after a
name correction. The one place in lms/reports that reads lms/certificates.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import and_, func, select

from lms.accounts.models import User
from lms.certificates.codes import format_code
from lms.certificates.issuing import reissue_certificate
from lms.certificates.models import VALID, Certificate
from lms.extensions import db
from lms.learning.models import Enrolment


def certificates_for(conn, enrolment_ids) -> dict[tuple[int, int], tuple[str, str]]:
    """{(user_id, course_id): (printed code, state)} of the newest certificate of each of these
    enrolments (`enrolment_ids` is a subquery), in one query."""
    newest = (
        select(Certificate.user_id, Certificate.course_id, func.max(Certificate.issue_number).label("issue_number"))
        .join(Enrolment, and_(Enrolment.user_id == Certificate.user_id, Enrolment.course_id == Certificate.course_id))
        .where(Enrolment.id.in_(enrolment_ids))
        .group_by(Certificate.user_id, Certificate.course_id)
        .subquery()
    )
    rows = conn.execute(
        select(Certificate.user_id, Certificate.course_id, Certificate.code, Certificate.state)
        .join(newest, and_(newest.c.user_id == Certificate.user_id, newest.c.course_id == Certificate.course_id,
                           newest.c.issue_number == Certificate.issue_number))
    ).all()
    return {(user_id, course_id): (format_code(code), state) for user_id, course_id, code, state in rows}


def certificates_with_old_name(user: User) -> list[Certificate]:
    """Valid certificates of this user that show a name other than their current display name."""
    return [
        certificate for certificate in db.session.scalars(
            select(Certificate).where(Certificate.user_id == user.id, Certificate.state == VALID)
            .order_by(Certificate.id)
        )
        if certificate.holder_name != _as_printed(user.display_name)
    ]


def _as_printed(name: str) -> str:
    return unicodedata.normalize("NFC", " ".join(name.split()))


def reissue_with_current_name(actor: User, user: User) -> list[Certificate]:
    """Re-issue every valid certificate that shows an old name (new code; the old one is superseded)."""
    note = "name corrected"
    return [reissue_certificate(certificate, actor, note=note) for certificate in certificates_with_old_name(user)]
