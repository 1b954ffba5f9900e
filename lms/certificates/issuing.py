"""Issuing, re-issuing and revoking certificates, and finding them for the people allowed to see them.

Functions flush, never commit: the view, command or completing request owns the transaction.
A certificate is issued inside the transaction that records a course's completion (the
`course_completed` signal), so a completion never exists without its certificate.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Select, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.attendance.requirement import attendance_short, attended_hours
from lms.audit.log import record_event
from lms.certificates.codes import new_code, normalize_code
from lms.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from lms.cohorts.models import CohortMember, cohort_course, cohort_instructor
from lms.cohorts.policy import instructs_trainee
from lms.content.models import Course
from lms.database import utcnow
from lms.extensions import db
from lms.learning.models import Enrolment

MAX_REASON_LENGTH = 500


class CertificateError(Exception):
    """Why a certificate action was refused, as a short code the view translates."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IssuingOrganisation:
    name: str
    name_en: str
    signatories: list[dict]


def organisation_from(config) -> IssuingOrganisation:
    signatories = [
        {"title": str(line.get("title", "")), "title_en": str(line.get("title_en", "")),
         "name": str(line.get("name", ""))}
        for line in config.get("LMS_SIGNATORIES") or [] if isinstance(line, dict)
    ]
    return IssuingOrganisation(name=config["LMS_ORG_NAME"], name_en=config.get("LMS_ORG_NAME_EN") or "",
                               signatories=signatories)


def _snapshot(certificate: Certificate, user: User, course: Course, completed_at,
              organisation: IssuingOrganisation) -> Certificate:
    certificate.holder_name = unicodedata.normalize("NFC", " ".join(user.display_name.split()))
    certificate.course_titles = dict(course.titles or {})
    certificate.course_language = course.language
    certificate.track_names = dict(course.track.names or {}) if course.track else {}
    certificate.specialty_names = dict(course.specialty.names or {}) if course.specialty else {}
    certificate.level = course.level
    certificate.hours = course.hours
    certificate.attended_hours = attended_hours(user.id, course.id, utcnow())
    certificate.completed_at = completed_at
    certificate.org_name = organisation.name
    certificate.org_name_en = organisation.name_en
    certificate.signatories = organisation.signatories
    return certificate


def _insert(certificate: Certificate) -> bool:
    """Add the row in a savepoint. False when its (user, course, issue number) was taken meanwhile."""
    for _ in range(3):  # a repeated code is astronomically rare; a new one is drawn if it happens
        certificate.code = new_code()
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
            return True
        except IntegrityError:  # the savepoint's rollback took the row out of the session again
            taken = db.session.scalar(select(exists().where(
                Certificate.user_id == certificate.user_id, Certificate.course_id == certificate.course_id,
                Certificate.issue_number == certificate.issue_number)))
            if taken:
                return False
    raise RuntimeError("could not draw an unused certificate code")


def latest_certificate(user_id: int, course_id: int) -> Certificate | None:
    """The newest certificate of this trainee for this course, whatever its state."""
    return db.session.scalar(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.course_id == course_id)
        .order_by(Certificate.issue_number.desc()).limit(1)
    )


def issue_certificate(enrolment: Enrolment, organisation: IssuingOrganisation | None = None) -> Certificate | None:
    """The certificate for a completed enrolment: issued now, or the one issued already. None if the course
    gives no certificate. Safe to call twice, even from two transactions at once."""
    course = enrolment.course
    if enrolment.completed_at is None or not course.certificate:
        return None
    existing = latest_certificate(enrolment.user_id, enrolment.course_id)
    if existing is not None:
        return existing
    if attendance_short(enrolment.user_id, enrolment.course_id, utcnow()):
        return None  # waits for the workshop's required attendance (lms/attendance/requirement.py)
    certificate = _snapshot(Certificate(user_id=enrolment.user_id, course_id=enrolment.course_id, issue_number=1,
                                        state=VALID, issued_at=utcnow()),
                            enrolment.user, course, enrolment.completed_at,
                            organisation or organisation_from(current_app.config))
    if not _insert(certificate):
        return latest_certificate(enrolment.user_id, enrolment.course_id)
    return certificate


def issue_on_completion(enrolment: Enrolment, **_) -> None:
    """Receiver of `lms.learning.signals.course_completed`."""
    issue_certificate(enrolment)


def issue_missing(organisation: IssuingOrganisation | None = None) -> int:
    """Certificates for completions that have none (completed before certificates existed). Returns how many."""
    enrolments = db.session.scalars(
        select(Enrolment).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.completed_at.is_not(None), Course.certificate,
               ~exists().where(Certificate.user_id == Enrolment.user_id,
                               Certificate.course_id == Enrolment.course_id))
        .options(selectinload(Enrolment.user), selectinload(Enrolment.course).selectinload(Course.track),
                 selectinload(Enrolment.course).selectinload(Course.specialty))
        .order_by(Enrolment.id)
    ).all()
    organisation = organisation or organisation_from(current_app.config)
    issued = 0
    for enrolment in enrolments:
        if issue_certificate(enrolment, organisation) is not None:
            issued += 1
    return issued


# ---------------------------------------------------------------- administrators


def revoke_certificate(certificate: Certificate, actor: User, reason: str) -> Certificate:
    reason = " ".join((reason or "").split())
    if not reason:
        raise CertificateError("reason_missing")
    if len(reason) > MAX_REASON_LENGTH:
        raise CertificateError("reason_too_long")
    if certificate.state != VALID:
        raise CertificateError("not_valid")
    certificate.state = REVOKED
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_by_id = actor.id
    db.session.flush()
    record_event(actor, "certificate.revoke", "certificate", certificate.id, code=certificate.code, reason=reason,
                 holder_id=certificate.user_id, course_id=certificate.course_id)
    return certificate


def reissue_certificate(certificate: Certificate, actor: User, note: str = "",
                        organisation: IssuingOrganisation | None = None) -> Certificate:
    """A new certificate with a new code and a fresh snapshot (today's name, course and organisation);
    the old one is marked superseded. Only the newest certificate of a trainee and course can be re-issued."""
    newest = latest_certificate(certificate.user_id, certificate.course_id)
    if newest is None or newest.id != certificate.id or certificate.state == SUPERSEDED:
        raise CertificateError("not_latest")
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == certificate.user_id,
                                                          Enrolment.course_id == certificate.course_id))
    completed_at = enrolment.completed_at if enrolment and enrolment.completed_at else certificate.completed_at
    replacement = _snapshot(
        Certificate(user_id=certificate.user_id, course_id=certificate.course_id,
                    issue_number=certificate.issue_number + 1, state=VALID, issued_at=utcnow()),
        certificate.holder, certificate.course, completed_at, organisation or organisation_from(current_app.config),
    )
    if not _insert(replacement):
        raise CertificateError("not_latest")  # re-issued a moment ago by someone else
    certificate.state = SUPERSEDED
    certificate.superseded_at = replacement.issued_at
    certificate.superseded_by_id = replacement.id
    db.session.flush()
    note = " ".join((note or "").split())[:MAX_REASON_LENGTH]
    record_event(actor, "certificate.reissue", "certificate", replacement.id, code=replacement.code,
                 replaces=certificate.code, replaces_id=certificate.id, note=note,
                 holder_id=certificate.user_id, course_id=certificate.course_id)
    return replacement


# ---------------------------------------------------------------- finding certificates


def find_by_code(code: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.code == code).options(selectinload(Certificate.holder))
    )


def may_download(user, certificate: Certificate) -> bool:
    """The holder and the instructors of their workshops, while it is valid; administrators always."""
    if not user.is_authenticated:
        return False
    if user.role == "admin":
        return True
    if not certificate.is_valid:
        return False
    return user.id == certificate.user_id or instructs_trainee(user, certificate.user_id)


def valid_certificates_by_course(user) -> dict[int, Certificate]:
    """{course id: valid certificate} of this user, in one query."""
    if not user.is_authenticated:
        return {}
    return {certificate.course_id: certificate for certificate in db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.state == VALID)
    )}


def changed_certificates_by_course(user) -> dict[int, Certificate]:
    """{course id: the newest revoked or replaced certificate} of this user: what "My learning" explains."""
    if not user.is_authenticated:
        return {}
    changed = db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.state != VALID)
        .order_by(Certificate.issue_number)
    )
    return {certificate.course_id: certificate for certificate in changed}


def instructed_holders(instructor) -> Select:
    """Ids of the trainees in the workshops this instructor teaches (a subquery)."""
    return (select(CohortMember.user_id)
            .join(cohort_instructor, cohort_instructor.c.cohort_id == CohortMember.cohort_id)
            .where(cohort_instructor.c.user_id == instructor.id))


def course_certificate_ids(user, course: Course) -> list[int]:
    """Valid certificates of a course that this user may download: all for administrators,
    those of their own trainees for instructors."""
    query = select(Certificate.id).where(Certificate.course_id == course.id, Certificate.state == VALID)
    if user.role != "admin":
        query = query.where(Certificate.user_id.in_(instructed_holders(user)))
    return list(db.session.scalars(query.order_by(Certificate.holder_name, Certificate.id)))


def cohort_certificate_ids(cohort) -> list[int]:
    """Valid certificates of a workshop's members for the workshop's courses."""
    course_ids = [course.id for course in cohort.courses]
    if not course_ids:
        return []
    return list(db.session.scalars(
        select(Certificate.id)
        .join(CohortMember, CohortMember.user_id == Certificate.user_id)
        .where(CohortMember.cohort_id == cohort.id, Certificate.course_id.in_(course_ids),
               Certificate.state == VALID)
        .order_by(Certificate.course_id, Certificate.holder_name, Certificate.id)
    ))


def certificate_counts_by_cohort(cohort_ids: list[int]) -> dict[int, int]:
    """{cohort id: number of valid certificates of its members for its courses}, in one query."""
    if not cohort_ids:
        return {}
    rows = db.session.execute(
        select(CohortMember.cohort_id, func.count(Certificate.id))
        .join(Certificate, Certificate.user_id == CohortMember.user_id)
        .join(cohort_course, (cohort_course.c.cohort_id == CohortMember.cohort_id)
              & (cohort_course.c.course_id == Certificate.course_id))
        .where(CohortMember.cohort_id.in_(cohort_ids), Certificate.state == VALID)
        .group_by(CohortMember.cohort_id)
    )
    return dict(rows.tuples().all())


def certificate_counts_by_course(user) -> list[tuple[Course, int]]:
    """Courses with valid certificates this user may download, with how many, in catalog order."""
    query = (select(Course, func.count(Certificate.id))
             .join(Certificate, Certificate.course_id == Course.id)
             .where(Certificate.state == VALID)
             .group_by(Course.id)
             .order_by(Course.position, Course.slug))
    if user.role != "admin":
        query = query.where(Certificate.user_id.in_(instructed_holders(user)))
    return list(db.session.execute(query).tuples())


def search_certificates(text: str = "", limit: int = 50) -> list[Certificate]:
    """For administrators: newest first, filtered by code or by part of the holder's name."""
    query = select(Certificate).options(selectinload(Certificate.course)).order_by(Certificate.id.desc())
    text = " ".join((text or "").split())
    if text:
        code = normalize_code(text)
        needle = f"%{text.lower()}%"
        query = query.where((func.lower(Certificate.holder_name).like(needle))
                            | (Certificate.code == (code or text.upper())))
    return list(db.session.scalars(query.limit(limit)))
