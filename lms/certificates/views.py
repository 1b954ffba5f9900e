"""Certificates: public verification, PDF downloads, ceremony ZIPs (instructors), re-issue and revoke (admins).

Who may download a PDF: its holder and the instructors of the holder's workshops while it is valid,
administrators always. Anyone else gets 404, as for a certificate that does not exist.
"""

from __future__ import annotations

import io
import logging
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.access import public, role_required, signed_in
from lms.audit.models import AuditEvent
from lms.certificates.bundles import safe_filename, zip_stream
from lms.certificates.codes import format_code, normalize_code
from lms.certificates.fonts import system_problems
from lms.certificates.forms import ReissueForm, RevokeForm, SearchForm, VerifyForm
from lms.certificates.issuing import (
    CertificateError,
    certificate_counts_by_cohort,
    certificate_counts_by_course,
    changed_certificates_by_course,
    cohort_certificate_ids,
    course_certificate_ids,
    find_by_code,
    issue_on_completion,
    latest_certificate,
    may_download,
    reissue_certificate,
    revoke_certificate,
    search_certificates,
    valid_certificates_by_course,
)
from lms.certificates.models import Certificate
from lms.certificates.pdfs import RenderingBusy, certificate_pdf
from lms.certificates.pictures import PictureError, certificate_picture
from lms.certificates.rendering import CertificateRenderError, MissingGlyphs
from lms.certificates.verification import verify_code
from lms.cohorts.models import Cohort
from lms.cohorts.policy import managed_cohort, managed_cohorts
from lms.content.models import Course, pick_language
from lms.extensions import db, limiter
from lms.learning.signals import course_completed
from lms.templating import refuse_on_kept_page

LOGGER = logging.getLogger(__name__)
PDF_MAX_AGE = 3600

bp = Blueprint("certificates", __name__)
admins_only = role_required("admin")
instructors_only = role_required("instructor")


@bp.record_once
def _on_register(state) -> None:
    course_completed.connect(issue_on_completion)  # issued inside the completing transaction
    _warn_about_system(state.app)


_warned = False


def _warn_about_system(app) -> None:
    """Say once per process, at start-up, what would make certificates slow or impossible."""
    global _warned
    if _warned or app.testing:
        return
    _warned = True
    for problem in system_problems(app.config):
        app.logger.warning("Certificates: %s", problem)


@bp.app_context_processor
def certificate_helpers():
    def my_certificates() -> dict[int, Certificate]:
        """{course id: valid certificate} of the signed-in user (one query, made only when a page asks)."""
        refuse_on_kept_page("my_certificates()")
        return valid_certificates_by_course(current_user)

    def my_changed_certificates() -> dict[int, Certificate]:
        """{course id: newest revoked or replaced certificate} of the signed-in user, to explain what happened."""
        refuse_on_kept_page("my_changed_certificates()")
        return changed_certificates_by_course(current_user)

    return {"my_certificates": my_certificates, "my_changed_certificates": my_changed_certificates,
            "certificate_code": format_code}


def error_messages() -> dict[str, str]:
    return {
        "reason_missing": _("Write the reason: it is kept in the audit log."),
        "reason_too_long": _("Write at most 500 characters."),
        "not_valid": _("Only a valid certificate can be revoked."),
        "not_latest": _("Only the newest certificate of this trainee and course can be re-issued."),
    }


def course_title(certificate: Certificate, language: str) -> str:
    return pick_language(certificate.course_titles, language, certificate.course_language)


# ---------------------------------------------------------------- public verification


@bp.route("/verify")
@public
def verify_form():
    form = VerifyForm(request.args)
    if "code" in request.args and form.validate():
        return redirect(url_for("certificates.verify", code=normalize_code(form.code.data)))
    return render_template("certificates/verify_form.html", form=form), 400 if form.errors else 200


@bp.route("/verify/<code>")
@public
@limiter.limit("60 per minute")
def verify(code: str):
    normalized = normalize_code(code)
    if normalized and normalized != code:
        return redirect(url_for("certificates.verify", code=normalized), 301)
    result = verify_code(code)
    response = Response(render_template("certificates/verify.html", result=result, form=VerifyForm(formdata=None)),
                        status=404 if result.state == "unknown" else 200)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "no-cache"  # a revocation must show at once
    return response


# ---------------------------------------------------------------- downloads


def _download_name(certificate: Certificate) -> str:
    title = course_title(certificate, "zh")
    return f"结业证书-{safe_filename(certificate.holder_name, 40)}-{safe_filename(title, 40)}.pdf"


def _cannot_print(certificate: Certificate, problem: Exception):
    LOGGER.error("certificate %s cannot be rendered: %s", certificate.code, problem)
    missing = "".join(problem.characters) if isinstance(problem, MissingGlyphs) else ""
    return render_template("certificates/cannot_print.html", certificate=certificate, missing=missing), 409


def _own_certificate_or_404(code: str) -> Certificate:
    normalized = normalize_code(code)
    certificate = find_by_code(normalized) if normalized else None
    if certificate is None or not may_download(current_user, certificate):
        abort(404)
    return certificate


def _busy() -> Response:
    response = Response(render_template("certificates/busy.html"), status=503)
    response.headers["Retry-After"] = "5"
    return response


@bp.route("/certificates/<code>.pdf")
@signed_in
def download(code: str):
    certificate = _own_certificate_or_404(code)
    try:
        pdf = certificate_pdf(certificate.id)
    except RenderingBusy:
        return _busy()
    except CertificateRenderError as problem:
        return _cannot_print(certificate, problem)
    response = send_file(io.BytesIO(pdf.content), mimetype="application/pdf", etag=pdf.sha256,
                         last_modified=pdf.rendered_at, max_age=PDF_MAX_AGE, conditional=True)
    ascii_name = f"certificate-{certificate.code}.pdf"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(_download_name(certificate))}")
    response.cache_control.public = False
    response.cache_control.private = True  # personal: browsers may keep it, shared caches may not
    return response


@bp.route("/certificates/<code>.jpg")
@signed_in
def picture(code: str):
    """The certificate as a picture, shown inline so a phone (and WeChat's browser) can long-press and save it."""
    certificate = _own_certificate_or_404(code)
    try:
        pdf = certificate_pdf(certificate.id)
        content = certificate_picture(pdf.content)
    except RenderingBusy:
        return _busy()
    except (CertificateRenderError, PictureError) as problem:
        return _cannot_print(certificate, problem)
    response = send_file(io.BytesIO(content), mimetype="image/jpeg", etag=pdf.sha256, max_age=PDF_MAX_AGE,
                         conditional=True)
    response.headers["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.jpg"'
    response.cache_control.public = False
    response.cache_control.private = True
    return response


def _zip_response(certificate_ids: list[int], filename: str):
    response = Response(stream_with_context(zip_stream(certificate_ids)), mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"certificates.zip\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # let a proxy pass the pieces on as they come
    return response


def _nothing_to_download(back: str):
    return render_template("certificates/none.html", back=back)


@bp.route("/certificates/course/<slug>.zip")
@instructors_only
def course_zip(slug: str):
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    ids = course_certificate_ids(current_user, course)
    if not ids:
        return _nothing_to_download(url_for("certificates.ceremony"))
    title = course.title(course.language)
    return _zip_response(ids, f"结业证书-{safe_filename(title)}.zip")


@bp.route("/certificates/cohort/<int:cohort_id>.zip")
@instructors_only
def cohort_zip(cohort_id: int):
    cohort = managed_cohort(current_user, cohort_id)
    if cohort is None:
        abort(404)
    ids = cohort_certificate_ids(cohort)
    if not ids:
        return _nothing_to_download(url_for("certificates.ceremony"))
    return _zip_response(ids, f"结业证书-{safe_filename(cohort.name)}.zip")


@bp.route("/certificates/ceremony")
@instructors_only
def ceremony():
    """Where instructors pick the workshop or course whose certificates they print."""
    cohorts = list(db.session.scalars(
        managed_cohorts(current_user).options(selectinload(Cohort.courses))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())
    ))
    return render_template("certificates/ceremony.html", cohorts=cohorts,
                           cohort_counts=certificate_counts_by_cohort([c.id for c in cohorts]),
                           courses=certificate_counts_by_course(current_user))


# ---------------------------------------------------------------- administrators


def certificate_or_404(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.route("/admin/certificates")
@admins_only
def admin_list():
    form = SearchForm(request.args)
    text = form.q.data if form.validate() else ""
    return render_template("certificates/admin_list.html", form=form, certificates=search_certificates(text or ""),
                           searched=bool(text))


def _render_admin_detail(certificate: Certificate, revoke_form=None, reissue_form=None, status: int = 200):
    chain_ids = list(db.session.scalars(select(Certificate.id).where(
        Certificate.user_id == certificate.user_id, Certificate.course_id == certificate.course_id)))
    events = list(db.session.scalars(
        select(AuditEvent).options(selectinload(AuditEvent.actor))
        .where(AuditEvent.target_type == "certificate", AuditEvent.target_id.in_(chain_ids))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ))
    history = list(db.session.scalars(select(Certificate).where(Certificate.id.in_(chain_ids))
                                      .order_by(Certificate.issue_number.desc())))
    latest = latest_certificate(certificate.user_id, certificate.course_id)
    return render_template(
        "certificates/admin_detail.html", certificate=certificate, history=history, events=events,
        is_latest=latest is not None and latest.id == certificate.id,
        revoke_form=revoke_form or RevokeForm(formdata=None), reissue_form=reissue_form or ReissueForm(formdata=None),
    ), status


@bp.route("/admin/certificates/<int:certificate_id>")
@admins_only
def admin_detail(certificate_id: int):
    return _render_admin_detail(certificate_or_404(certificate_id))


@bp.route("/admin/certificates/<int:certificate_id>/revoke", methods=["POST"])
@admins_only
def admin_revoke(certificate_id: int):
    certificate = certificate_or_404(certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _render_admin_detail(certificate, revoke_form=form, status=400)
    try:
        revoke_certificate(certificate, current_user, form.reason.data)
    except CertificateError as error:
        db.session.rollback()
        flash(error_messages()[error.code], "error")
        return redirect(url_for("certificates.admin_detail", certificate_id=certificate_id))
    db.session.commit()
    flash(_("The certificate is revoked. Its number now shows as revoked to anyone who checks it."), "success")
    return redirect(url_for("certificates.admin_detail", certificate_id=certificate_id))


@bp.route("/admin/certificates/<int:certificate_id>/reissue", methods=["POST"])
@admins_only
def admin_reissue(certificate_id: int):
    certificate = certificate_or_404(certificate_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        return _render_admin_detail(certificate, reissue_form=form, status=400)
    try:
        replacement = reissue_certificate(certificate, current_user, form.note.data or "")
    except CertificateError as error:
        db.session.rollback()
        flash(error_messages()[error.code], "error")
        return redirect(url_for("certificates.admin_detail", certificate_id=certificate_id))
    db.session.commit()
    flash(_("A new certificate was issued with the number %(code)s. The old number now shows as replaced.",
            code=replacement.display_code), "success")
    return redirect(url_for("certificates.admin_detail", certificate_id=replacement.id))
