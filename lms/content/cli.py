"""`flask courses check` and `flask courses sync`: the command-line way to publish course files."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.content.parser import course_folders, load_catalog
from lms.content.problems import CourseValidationError
from lms.content.sync import sync_catalog
from lms.extensions import db
from lms.i18n import CommandError, CommandGroup

courses_cli = CommandGroup("courses", help="Check and load the markdown course catalog.")


def _folder(directory: str | None) -> Path:
    return Path(directory or current_app.config["LMS_COURSES_DIR"])


def _load_or_exit(folder: Path):
    if not folder.is_dir():
        raise CommandError(_("Course folder not found: %(folder)s", folder=str(folder)))
    folders = course_folders(folder)
    try:
        with click.progressbar(folders, label=_("Reading courses"), file=sys.stderr,
                               show_pos=True) as bar:
            return load_catalog(folder, bar)
    except CourseValidationError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        raise CommandError(ngettext("%(num)s problem in %(folder)s; nothing was changed.",
                                    "%(num)s problems in %(folder)s; nothing was changed.",
                                    len(error.problems), folder=str(folder))) from None


@courses_cli.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def check_command(directory: str | None) -> None:
    """Validate every course; print each problem as path:line: message."""
    folder = _folder(directory)
    catalog = _load_or_exit(folder)
    items = sum(len(c.items) for c in catalog.courses)
    click.echo(_("OK: %(courses)s courses, %(items)s lessons and quizzes in %(folder)s.",
                 courses=len(catalog.courses), items=items, folder=str(folder)))


@courses_cli.command("sync")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def sync_command(directory: str | None) -> None:
    """Check, then load or update all courses in one transaction (all or nothing)."""
    folder = _folder(directory)
    catalog = _load_or_exit(folder)
    try:
        report = sync_catalog(catalog)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(_("Synced %(folder)s: %(added)s added, %(updated)s updated, %(unchanged)s unchanged, "
                 "%(withdrawn)s withdrawn.", folder=str(folder), added=len(report.added),
                 updated=len(report.updated), unchanged=len(report.unchanged), withdrawn=len(report.withdrawn)))


@courses_cli.command("import-questions")
@click.argument("bank", type=click.Path(exists=True, dir_okay=False))
@click.option("--into", "target", required=True, help="COURSE/NN-slug.quiz.md inside the course folder.")
@click.option("--title", default=None, help="The quiz title (default: the sheet or category name).")
@click.option("--directory", default=None, type=click.Path(file_okay=False))
def import_questions_command(bank: str, target: str, title: str | None, directory: str | None) -> None:
    """Write an Excel 题库 (XLSX, CSV) or a Moodle GIFT file as quiz files; report every row it could not read."""
    from lms.content.questionbank.importing import import_bank  # noqa: PLC0415

    written, problems = import_bank(Path(bank), _folder(directory), target, title)
    for problem in problems:
        click.echo(f"{Path(bank).name}:{problem}", err=True)
    for path in written:
        click.echo(_("Wrote %(path)s", path=str(path)))
    if not written:
        raise CommandError(_("No quiz was written."))


@courses_cli.command("export-questions")
@click.argument("quiz", type=click.Path(exists=True, dir_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False))
def export_questions_command(quiz: str, output: str) -> None:
    """Write a quiz (and its English twin, when there is one) in the Excel 题库 layout."""
    from lms.content.questionbank.importing import export_quiz  # noqa: PLC0415

    Path(output).write_bytes(export_quiz(Path(quiz)))
    click.echo(_("Wrote %(path)s", path=output))
