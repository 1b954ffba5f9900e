"""`flask doctor`: say plainly what this machine lacks, and the command that fixes it."""

from __future__ import annotations

import ctypes.util
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from lms.certificates.fonts import system_problems as certificate_problems
from lms.i18n import PACKAGE_TRANSLATIONS, in_cli_language, stale_catalogs


def system_problems() -> list[str]:
    problems = []
    for po in stale_catalogs(PACKAGE_TRANSLATIONS, Path(current_app.instance_path) / "translations"):
        problems.append(_("The %(language)s translation is not compiled, so pages would show in English: make "
                          "translations (Cunke also compiles it when it starts, if it may write there)",
                          language=po.parent.parent.name))
    if ctypes.util.find_library("pango-1.0") is None:
        problems.append(_("Pango is missing, so PDFs cannot be made: %(command)s",
                          command="sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0"))
    # Certificates: HarfBuzz subsetting, a full Chinese font with rare name characters, the seal image.
    problems.extend(certificate_problems(current_app.config))
    return problems


@click.command("doctor")
@with_appcontext
@in_cli_language
def doctor_command() -> None:
    """Check the system libraries and fonts Cunke needs."""
    problems = system_problems()
    for problem in problems:
        click.secho(_("Warning: %(problem)s", problem=problem), fg="yellow", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(_("System check: fonts and libraries are all present."))
