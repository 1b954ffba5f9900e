"""`flask export completions ...`: the completion export for scheduled jobs, with the page's filters.

    flask --app app export completions --format csv --output completions.csv
    flask --app app export completions --format xlsx --output may.xlsx --from 2025-05-01 --to 2025-05-31

The file is written next to its destination and renamed into place when complete, so a job that
picks it up never reads half a file. Each run is written to the audit log (actor: none, via: cli).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from lms.audit.log import record_event
from lms.cohorts.models import Cohort
from lms.content.models import LEVELS, Course, Track
from lms.extensions import db
from lms.i18n import CommandGroup
from lms.reports.completions import HEADER_LANGUAGES, CompletionExport
from lms.reports.filters import DATE_FIELDS, STATUSES, ExportFilters

export_cli = CommandGroup("export", help="Export records for the training office.")


def _track_id(slug: str | None, specialty: bool) -> int | None:
    if not slug:
        return None
    track = db.session.scalar(select(Track).where(Track.slug == slug))
    if track is None or (track.parent_id is not None) != specialty:
        if specialty:
            raise click.BadParameter(_("No specialty is called %(slug)s.", slug=slug), param_hint="--specialty")
        raise click.BadParameter(_("No track is called %(slug)s.", slug=slug), param_hint="--track")
    return track.id


def _course_id(slug: str | None) -> int | None:
    if not slug:
        return None
    course_id = db.session.scalar(select(Course.id).where(Course.slug == slug))
    if course_id is None:
        raise click.BadParameter(_("No course is called %(slug)s.", slug=slug), param_hint="--course")
    return course_id


def _cohort_id(value: str | None) -> int | None:
    """A workshop by its number or its join code."""
    if not value:
        return None
    query = select(Cohort.id).where(Cohort.id == int(value)) if value.isdigit() else \
        select(Cohort.id).where(Cohort.join_code == value.strip().upper())
    cohort_id = db.session.scalar(query)
    if cohort_id is None:
        raise click.BadParameter(_("No workshop has the number or join code %(value)s.", value=value),
                                 param_hint="--cohort")
    return cohort_id


@export_cli.command("completions")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--output", "-o", required=True, help="the file to write; '-' writes CSV to standard output")
@click.option("--header", type=click.Choice(HEADER_LANGUAGES), default="zh", show_default=True,
              help="column names: Chinese, English, or the stable machine names")
@click.option("--date-field", type=click.Choice(DATE_FIELDS), default="completed", show_default=True,
              help="which date --from and --to apply to")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="first day (YYYY-MM-DD, local time)")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="last day, included (YYYY-MM-DD)")
@click.option("--track", help="track slug, e.g. entrepreneurship")
@click.option("--specialty", help="specialty slug, e.g. customer-service")
@click.option("--level", type=click.Choice(LEVELS))
@click.option("--course", help="course slug")
@click.option("--cohort", help="workshop number or join code")
@click.option("--village", help="village, exactly as trainees gave it")
@click.option("--status", type=click.Choice(STATUSES))
def completions_command(file_format, output, header, date_field, date_from, date_to, track, specialty, level,
                        course, cohort, village, status) -> None:
    """One row per trainee and course, with progress, completion and certificate."""
    if date_from and date_to and date_to < date_from:
        raise click.BadParameter(_("The end date is before the start date."), param_hint="--to")
    if output == "-" and file_format != "csv":
        raise click.BadParameter(_("Only CSV can be written to standard output."), param_hint="--output")
    filters = ExportFilters(
        date_field=date_field, date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None, track_id=_track_id(track, specialty=False),
        specialty_id=_track_id(specialty, specialty=True), level=level, course_id=_course_id(course),
        cohort_id=_cohort_id(cohort), village=" ".join((village or "").split()) or None, status=status,
    )
    db.session.rollback()  # the look-ups above are done; no transaction stays open while exporting
    export = CompletionExport(filters, ZoneInfo(current_app.config["LMS_TIMEZONE"]), header)
    if output == "-":
        rows = export.write_csv(sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        rows = _write_file(export, file_format, Path(output))
    record_event(None, "export.completions", format=file_format, header=header, filters=filters.for_audit(),
                 rows=rows, via="cli", output=output)
    db.session.commit()
    click.echo(ngettext("Exported %(num)s row to %(output)s.", "Exported %(num)s rows to %(output)s.", rows,
                        output=output), err=output == "-")


def _write_file(export: CompletionExport, file_format: str, path: Path) -> int:
    path = path.resolve()
    if path.is_dir():
        raise click.BadParameter(_("%(path)s is a folder.", path=str(path)), param_hint="--output")
    if not path.parent.is_dir():
        raise click.BadParameter(_("The folder %(path)s does not exist.", path=str(path.parent)),
                                 param_hint="--output")
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            rows = export.write_csv(handle) if file_format == "csv" else export.write_xlsx(handle)
        os.chmod(partial, 0o640)  # personal data: not readable by every account on the machine
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return rows
