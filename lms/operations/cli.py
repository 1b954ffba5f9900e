"""`flask db backup FILE`, `flask db restore FILE` and `flask dev seed`.

The backup commands join Flask-Migrate's `db` group, next to `db upgrade`. The application may
keep running while a backup is taken; stop it before a restore (see docs/deploy.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate.cli import db as db_group

from lms.extensions import db
from lms.operations.backup import (
    BackupError,
    backup_postgresql,
    backup_sqlite,
    restore_postgresql,
    restore_sqlite,
    sqlite_path,
)

dev_cli = AppGroup("dev", help="Development and benchmarking helpers.")


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@with_appcontext
def backup_command(file: Path, force: bool) -> None:
    """Copy the whole database to FILE while the application keeps running.

    SQLite: a checked single-file copy (SQLite's online backup API).
    PostgreSQL: a pg_dump archive (custom format).
    """
    url = db.engine.url
    try:
        if url.get_backend_name() == "sqlite":
            result = backup_sqlite(sqlite_path(url), file, overwrite=force)
            detail = f"{result.tables} tables, integrity check ok"
        elif url.get_backend_name() == "postgresql":
            result = backup_postgresql(url, file, overwrite=force)
            detail = "pg_dump custom format"
        else:
            raise BackupError(f"no backup method for {url.get_backend_name()}; use the database's own tools")
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {result.path} ({_megabytes(result.size)}, {detail}).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup in FILE.

    Stop the application servers first. SQLite keeps the replaced content in
    <database>.before-restore, so a restore of the wrong file can be undone.
    """
    url = db.engine.url
    target = url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {target} with {file}?", abort=True)
    db.session.remove()
    db.engine.dispose()  # this process holds no connection while the content is replaced
    try:
        if url.get_backend_name() == "sqlite":
            database = sqlite_path(url)
            keep = database.with_name(database.name + ".before-restore")
            result = restore_sqlite(file, database, keep_current=keep)
            click.echo(f"Restored {database} from {file} ({result.tables} tables, integrity check ok). "
                       f"The previous content is in {keep}.")
        elif url.get_backend_name() == "postgresql":
            restore_postgresql(url, file)
            click.echo(f"Restored {target} from {file}.")
        else:
            raise BackupError(f"no restore method for {url.get_backend_name()}; use the database's own tools")
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo("Run `flask db upgrade` if the backup is older than this version of Cunke.")


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
        raise click.BadParameter("cannot be more than --trainees", param_hint="--cohorts")
    real = foreign_accounts()
    if real and not yes:
        click.confirm(f"This database has {real} accounts that were not generated. Add generated trainees to it?",
                      abort=True)
    if not db.session.scalar(select(func.count(Course.id))):
        folder = Path(current_app.config["LMS_COURSES_DIR"])
        try:
            sync_catalog(load_catalog(folder))
        except CourseValidationError as error:
            raise click.ClickException(f"no courses synced and {folder} has problems:\n{error}") from None
        db.session.commit()
        click.echo(f"Synced the courses in {folder}.")
    password = password or SEED_PASSWORD
    with click.progressbar(length=trainees, label="Generating trainees", file=sys.stderr, show_pos=True) as bar:
        try:
            report = seed_database(trainees, cohorts, hash_password(password), seed=random_seed, progress=bar.update)
        except SeedError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Generated {report.summary()}.")
    click.echo(f"Every generated account signs in with the password {password!r} "
               "(trainees 199…, instructors 198…).")


def init_operations_cli(app: Flask) -> None:
    """Add the backup commands to Flask-Migrate's `db` group and the `dev` group to the app."""
    db_group.add_command(backup_command)
    db_group.add_command(restore_command)
    app.cli.add_command(dev_cli)
