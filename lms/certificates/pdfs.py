"""Each certificate's PDF: rendered once, stored in the database, served from there ever after.

Completing a course only writes the certificate row; the PDF is made on the first download,
by a ceremony ZIP on its way, or ahead of time by `flask certificates render-pending`. A short
conditional UPDATE claims the rendering, so a second request arriving meanwhile waits for the
stored bytes instead of rendering again, and no database lock is held while WeasyPrint works.

Unlike the domain modules, the functions here commit: each claim and each stored PDF is its
own short transaction, so that other requests see them at once.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from typing import TypeVar

from blinker import Namespace
from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from lms.certificates.fonts import faces_for
from lms.certificates.models import VALID, Certificate, CertificatePdf
from lms.certificates.rendering import (
    CertificateDocument,
    CertificateRenderError,
    document_from,
    render_certificate_pdf,
)
from lms.database import utcnow, write_transaction
from lms.extensions import db

CLAIM_EXPIRES = timedelta(minutes=2)  # a renderer that died leaves a claim nobody honours after this
WAIT_SECONDS = 20
POLL_SECONDS = 0.1

# Sent with the certificate id each time a PDF is rendered and stored (never for a stored one served).
certificate_rendered = Namespace().signal("certificate-rendered")

T = TypeVar("T")


class RenderingBusy(Exception):
    """Another request is still rendering this certificate; try again in a moment."""


def verification_url(code: str) -> str:
    """The public verification page of a code, as printed in the QR code."""
    base = current_app.config.get("LMS_PUBLIC_URL") or ""
    if base:
        adapter = current_app.url_map.bind("", script_name="/")
        return base.rstrip("/") + adapter.build("certificates.verify", {"code": code})
    if has_request_context():
        return url_for("certificates.verify", code=code, _external=True)
    raise CertificateRenderError(_("Set LMS_PUBLIC_URL (the site's address, e.g. https://cunke.example.cn) so "
                                   "certificates rendered outside a web request carry the right QR code."))


def certificate_document(certificate: Certificate) -> CertificateDocument:
    return document_from(certificate, verification_url(certificate.code), current_app.config["LMS_TIMEZONE"])


def render_document(document: CertificateDocument) -> bytes:
    config = current_app.config
    return render_certificate_pdf(document, faces_for(config), config.get("LMS_SEAL_IMAGE") or "")


def render_pdf(certificate: Certificate) -> bytes:
    """Render (without storing) a certificate's PDF from its snapshot and today's configuration."""
    return render_document(certificate_document(certificate))


def _write(work: Callable[[], T]) -> T:
    """Run `work` in a transaction of its own that takes the write lock up front, and commit it."""
    db.session.commit()  # end the transaction in progress, so the next one begins as a writer
    with write_transaction():
        result = work()
        db.session.commit()
    return result


def stored_pdf(certificate_id: int) -> CertificatePdf | None:
    return db.session.get(CertificatePdf, certificate_id, populate_existing=True)


def claim_rendering(certificate_id: int) -> bool:
    """True if this caller may render the PDF now: none is stored and nobody else is rendering it."""
    now = utcnow()
    result = db.session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id,
               (Certificate.render_claimed_at.is_(None)) | (Certificate.render_claimed_at < now - CLAIM_EXPIRES),
               ~exists().where(CertificatePdf.certificate_id == certificate_id))
        .values(render_claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _release_claim(certificate_id: int) -> None:
    db.session.execute(update(Certificate).where(Certificate.id == certificate_id)
                       .values(render_claimed_at=None).execution_options(synchronize_session=False))


def _store(certificate_id: int, content: bytes) -> None:
    # IntegrityError: stored meanwhile by a renderer whose claim had expired; theirs stays.
    with suppress(IntegrityError), db.session.begin_nested():
        db.session.add(CertificatePdf(certificate_id=certificate_id, content=content,
                                      sha256=hashlib.sha256(content).hexdigest(), rendered_at=utcnow()))
    _release_claim(certificate_id)


def certificate_pdf(certificate_id: int) -> CertificatePdf:
    """The stored PDF, rendering and storing it first if nobody has. Commits.

    Raises `CertificateRenderError` when the certificate cannot be rendered as it stands (for example a
    character of the name missing from the font) and `RenderingBusy` when another request has been
    rendering it for longer than `WAIT_SECONDS`.
    """
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        pdf = stored_pdf(certificate_id)
        if pdf is not None:
            return pdf
        if _write(lambda: claim_rendering(certificate_id)):
            break
        if time.monotonic() > deadline:
            raise RenderingBusy(_("Another process is still rendering certificate %(id)s.", id=certificate_id))
        time.sleep(POLL_SECONDS)
        db.session.commit()  # a fresh snapshot for the next look
    try:
        document = certificate_document(db.session.get(Certificate, certificate_id))
        db.session.commit()  # no transaction (nor SQLite's write lock) is held while WeasyPrint works
        content = render_document(document)
    except BaseException:
        _write(lambda: _release_claim(certificate_id))
        raise
    _write(lambda: _store(certificate_id, content))
    certificate_rendered.send(certificate_id)
    return stored_pdf(certificate_id)


def pending_certificate_ids() -> list[int]:
    """Certificates that still need a PDF: valid ones without a stored rendering."""
    return list(db.session.scalars(
        select(Certificate.id)
        .where(Certificate.state == VALID, ~exists().where(CertificatePdf.certificate_id == Certificate.id))
        .order_by(Certificate.id)
    ))
