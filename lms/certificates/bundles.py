"""All certificates of a course or workshop as one ZIP, for a ceremony, streamed as it is built.

The archive is written to the response piece by piece (stored, not compressed: PDFs are compressed
already), so the first bytes leave at once and a long list never sits in memory. Certificates
without a stored PDF are rendered on the way (and stored, so the next download is instant); one
that cannot be rendered is listed in a `problems.txt` inside the archive instead of stopping it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from lms.certificates.models import Certificate, CertificatePdf
from lms.certificates.pdfs import RenderingBusy, certificate_pdf
from lms.certificates.rendering import CertificateRenderError
from lms.content.models import pick_language
from lms.extensions import db

BATCH = 50
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


class _Sink(io.RawIOBase):
    """A write-only, unseekable file that hands out what was written since the last look."""

    def __init__(self):
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def safe_filename(text: str, limit: int = 60) -> str:
    cleaned = _UNSAFE.sub("-", " ".join(text.split())).strip(" .-")
    return cleaned[:limit] or "certificate"


def archive_path(certificate: Certificate) -> str:
    title = pick_language(certificate.course_titles, "zh", certificate.course_language)
    return f"{safe_filename(title)}/{safe_filename(certificate.holder_name)}-{certificate.display_code}.pdf"


def zip_stream(certificate_ids: list[int]) -> Iterator[bytes]:
    sink = _Sink()
    problems: list[str] = []
    timezone = ZoneInfo(current_app.config["LMS_TIMEZONE"])
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for start in range(0, len(certificate_ids), BATCH):
            batch = certificate_ids[start:start + BATCH]
            certificates = {c.id: c for c in db.session.scalars(select(Certificate).where(Certificate.id.in_(batch)))}
            paths = {cid: archive_path(certificate) for cid, certificate in certificates.items()}
            stored = {p.certificate_id: (p.content, p.rendered_at) for p in db.session.scalars(
                select(CertificatePdf).where(CertificatePdf.certificate_id.in_(batch)))}
            for certificate_id in batch:
                if certificate_id not in paths:
                    continue
                if certificate_id not in stored:
                    try:
                        pdf = certificate_pdf(certificate_id)
                    except (CertificateRenderError, RenderingBusy) as problem:
                        problems.append(f"{paths[certificate_id]}: {problem}")
                        continue
                    stored[certificate_id] = (pdf.content, pdf.rendered_at)
                content, rendered_at = stored.pop(certificate_id)
                info = zipfile.ZipInfo(paths[certificate_id],
                                       date_time=rendered_at.astimezone(timezone).timetuple()[:6])
                archive.writestr(info, content)
                yield sink.take()
        if problems:
            archive.writestr("problems.txt", "\n".join(problems) + "\n")
    yield sink.take()
