"""`flask db backup FILE`, `flask db restore FILE` and `flask dev seed`.

The backup commands join Flask-Migrate's `db` group, next to `db upgrade`. The application may
keep running while a backup is taken; stop it before a restore (see docs/deploy.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_migrate.cli import db as db_group

from lms.extensions import db
from lms.i18n import CommandError, CommandGroup, in_cli_language
from lms.operations.backup import (
    BackupError,
    backup_postgresql,
    backup_sqlite,
    restore_postgresql,
    restore_sqlite,
    sqlite_path,
)

dev_cli = CommandGroup("dev", help="Development and benchmarking helpers.")


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
@in_cli_language
def backup_command(file: Path, force: bool) -> None:
    """Copy the whole database to FILE while the application keeps running.

    SQLite: a checked single-file copy (SQLite's online backup API).
    PostgreSQL: a pg_dump archive (custom format).
    """
    url = db.engine.url
    try:
        if url.get_backend_name() == "sqlite":
            result = backup_sqlite(sqlite_path(url), file, overwrite=force)
            detail = _("%(tables)s tables, integrity check ok", tables=result.tables)
        elif url.get_backend_name() == "postgresql":
            result = backup_postgresql(url, file, overwrite=force)
            detail = _("pg_dump custom format")
        else:
            raise BackupError(_("No backup method for %(database)s; use the database's own tools.",
                                database=url.get_backend_name()))
    except BackupError as error:
        raise CommandError(str(error)) from None
    click.echo(_("Backed up to %(path)s (%(size)s, %(detail)s).", path=str(result.path),
                 size=_megabytes(result.size), detail=detail))


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
@in_cli_language
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup in FILE.

    Stop the application servers first. SQLite keeps the replaced content in
    <database>.before-restore, so a restore of the wrong file can be undone.
    """
    url = db.engine.url
    target = url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(_("Replace everything in %(database)s with %(file)s?", database=target, file=str(file)),
                      abort=True)
    db.session.remove()
    db.engine.dispose()  # this process holds no connection while the content is replaced
    try:
        if url.get_backend_name() == "sqlite":
            database = sqlite_path(url)
            keep = database.with_name(database.name + ".before-restore")
            result = restore_sqlite(file, database, keep_current=keep)
            click.echo(_("Restored %(database)s from %(file)s (%(tables)s tables, integrity check ok). The "
                         "previous content is in %(kept)s.", database=str(database), file=str(file),
                         tables=result.tables, kept=str(keep)))
        elif url.get_backend_name() == "postgresql":
            restore_postgresql(url, file)
            click.echo(_("Restored %(database)s from %(file)s.", database=target, file=str(file)))
        else:
            raise BackupError(_("No restore method for %(database)s; use the database's own tools.",
                                database=url.get_backend_name()))
    except BackupError as error:
        raise CommandError(str(error)) from None
    click.echo(_("Run `flask db upgrade` if the backup is older than this version of Cunke."))


@dev_cli.command("seed")
@click.option("--trainees", type=click.IntRange(1, 5_000_000), default=1_000, show_default=True)
@click.option("--cohorts", type=click.IntRange(1, 100_000), default=10, show_default=True,
              help="Workshops the trainees are spread over.")
@click.option("--seed", "random_seed", type=int, default=2024, show_default=True, help="Same seed, same data.")
@click.option("--password", default=None, help="Password of every generated account [default: cunke-seed-2024].")
@click.option("--yes", is_flag=True, help="Do not ask before adding to a database with real accounts.")
def seed_command(trainees: int, cohorts: int, random_seed: int, password: str | None, yes: bool) -> None:
    """Fill the database with generated trainees, workshops and their progress, for load tests and benchmarks.

    Uses the synced courses (syncing LMS_COURSES_DIR first if there are none). Never run it on a
    database with real trainees: the generated ones are indistinguishable from them in reports.
    """
    from sqlalchemy import func, select

    from lms.accounts.passwords import hash_password
    from lms.content.models import Course
    from lms.content.parser import load_catalog
    from lms.content.problems import CourseValidationError
    from lms.content.sync import sync_catalog
    from lms.operations.seed import SEED_PASSWORD, SeedError, foreign_accounts, seed_database

    if cohorts > trainees:
        raise click.BadParameter(_("There cannot be more workshops than trainees."), param_hint="--cohorts")
    real = foreign_accounts()
    if real and not yes:
        click.confirm(_("This database has %(count)s accounts that were not generated. Add generated trainees to it?",
                        count=real), abort=True)
    if not db.session.scalar(select(func.count(Course.id))):
        folder = Path(current_app.config["LMS_COURSES_DIR"])
        try:
            sync_catalog(load_catalog(folder))
        except CourseValidationError as error:
            raise CommandError(_("No courses are synced and %(folder)s has problems:\n%(problems)s",
                                         folder=str(folder), problems=str(error))) from None
        db.session.commit()
        click.echo(_("Synced the courses in %(folder)s.", folder=str(folder)))
    password = password or SEED_PASSWORD
    with click.progressbar(length=trainees, label=_("Generating trainees"), file=sys.stderr, show_pos=True) as bar:
        try:
            report = seed_database(trainees, cohorts, hash_password(password), seed=random_seed, progress=bar.update)
        except SeedError as error:
            raise CommandError(str(error)) from None
    click.echo(_("Generated %(summary)s.", summary=report.summary()))
    click.echo(_("Every generated account signs in with the password %(password)s (trainees' phone numbers start "
                 "with 199, instructors' with 198).", password=password))


def init_operations_cli(app: Flask) -> None:
    """Add the backup commands to Flask-Migrate's `db` group and the `dev` group to the app."""
    db_group.add_command(backup_command)
    db_group.add_command(restore_command)
    app.cli.add_command(dev_cli)
