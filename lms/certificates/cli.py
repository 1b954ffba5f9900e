"""`flask certificates ...`: issue certificates for older completions, render PDFs ahead of a ceremony."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import click
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.certificates.fonts import system_problems
from lms.certificates.issuing import issue_missing
from lms.certificates.pdfs import RenderingBusy, certificate_pdf, pending_certificate_ids
from lms.certificates.rendering import CertificateRenderError
from lms.extensions import db
from lms.i18n import CommandError, CommandGroup
from lms.reads import dispose_connections

certificates_cli = CommandGroup("certificates", help="Issue certificates and render their PDFs.")


@certificates_cli.command("issue-missing")
def issue_missing_command() -> None:
    """Issue certificates for completed courses that have none (completions from before certificates)."""
    issued = issue_missing()
    db.session.commit()
    click.echo(ngettext("Issued %(num)s certificate.", "Issued %(num)s certificates.", issued))


def _render_one(certificate_id: int) -> str | None:
    """Render and store one certificate's PDF; the problem, if it cannot be rendered."""
    try:
        certificate_pdf(certificate_id)
    except (CertificateRenderError, RenderingBusy) as problem:
        return _("Certificate %(id)s: %(problem)s", id=certificate_id, problem=str(problem))
    finally:
        db.session.remove()  # outside a request every transaction writes: end it, or the others wait for it
    return None


def _start_worker(app) -> None:
    """In a forked worker: its own app context, and database connections of its own."""
    app.app_context().push()
    dispose_connections(app, close=False)


def _render_all(certificate_ids: list[int], jobs: int) -> Iterator[str | None]:
    """Render in this process, or in `jobs` forked processes (each certificate is claimed once either way)."""
    if jobs <= 1 or len(certificate_ids) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_render_one, certificate_ids)
        return
    db.session.remove()
    db.engine.dispose()
    context = multiprocessing.get_context("fork")
    app = current_app._get_current_object()
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(app,)) as pool:
        yield from pool.map(_render_one, certificate_ids, chunksize=4)


@certificates_cli.command("render-pending")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Render at most this many.")
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="one per CPU",
              help="Processes rendering at the same time.")
def render_pending_command(limit: int | None, jobs: int) -> None:
    """Render and store the PDF of every valid certificate that has none yet (set LMS_PUBLIC_URL first)."""
    if not current_app.config.get("LMS_PUBLIC_URL"):
        raise CommandError(_("Set LMS_PUBLIC_URL to the site's address (e.g. https://cunke.example.cn): "
                                     "it is printed in each certificate's QR code."))
    for problem in system_problems(current_app.config):
        click.secho(_("Warning: %(problem)s", problem=problem), fg="yellow", err=True)
    pending = pending_certificate_ids()[:limit]
    problems = []
    started = time.perf_counter()
    with click.progressbar(_render_all(pending, jobs), length=len(pending), label=_("Rendering certificates"),
                           file=sys.stderr, show_pos=True) as bar:
        problems = [problem for problem in bar if problem]
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(_("Rendered %(done)s of %(count)s in %(seconds)s s.", done=len(pending) - len(problems),
                 count=len(pending), seconds=f"{time.perf_counter() - started:.1f}"))
    if problems:
        raise SystemExit(1)
