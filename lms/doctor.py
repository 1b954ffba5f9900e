"""`flask doctor`: say plainly what this machine lacks, and the command that fixes it."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess

import click
from flask.cli import with_appcontext


def system_problems() -> list[str]:
    problems = []
    if ctypes.util.find_library("pango-1.0") is None:
        problems.append("Pango is missing, so PDFs cannot be made: "
                        "sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0")
    if ctypes.util.find_library("harfbuzz-subset") is None:
        problems.append("HarfBuzz subsetting is missing, so certificates take seconds instead of a tenth of one: "
                        "sudo apt-get install -y libharfbuzz-subset0")
    fonts = ""
    fc_list = shutil.which("fc-list")
    if fc_list:
        listing = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False)  # noqa: S603
        fonts = listing.stdout
    if "Noto Sans CJK" not in fonts and "Noto Serif CJK" not in fonts:
        problems.append("No full Chinese font (Noto CJK) was found, so certificates cannot print Chinese names: "
                        "sudo apt-get install -y fonts-noto-cjk")
    return problems


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check the system libraries and fonts Cunke needs."""
    problems = system_problems()
    for problem in problems:
        click.secho(f"warning: {problem}", fg="yellow", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("System check: fonts and libraries are all present.")
