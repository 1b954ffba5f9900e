"""Backups and restores of the whole database, without stopping the application.

SQLite: the online backup API copies a consistent snapshot while the app keeps reading and
writing (in WAL mode writers do not wait for the copy, nor the copy for them). The copy is
written beside the target, checked with `PRAGMA integrity_check`, switched to a single-file
journal mode and only then renamed into place, so FILE is either a complete backup or absent.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --single-transaction`, which
must be installed (package postgresql-client) in a version at least as new as the server.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.engine import URL

BUSY_TIMEOUT_MS = 30_000
REQUIRED_TABLES = frozenset({"user", "course", "enrolment"})


class BackupError(Exception):
    """A backup or restore that did not happen, with the reason for the administrator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    tables: int = 0


# ---------------------------------------------------------------- SQLite


def sqlite_path(url: URL) -> Path:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError(_("An in-memory SQLite database cannot be backed up."))
    return Path(database)


def _connect(path: Path, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    else:
        connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def integrity_problems(path: Path) -> list[str]:
    """`PRAGMA integrity_check` of a database file: an empty list when it is sound."""
    connection = _connect(path, read_only=True)
    try:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    finally:
        connection.close()
    return [] if rows == ["ok"] else rows


def _table_names(connection: sqlite3.Connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_sqlite(database: Path, target: Path, overwrite: bool = False) -> BackupResult:
    """Copy a live SQLite database to `target` (one self-contained file)."""
    if not database.exists():
        raise BackupError(_("Database file not found: %(path)s", path=str(database)))
    if target.exists() and not overwrite:
        raise BackupError(_("%(path)s exists already (use --force to replace it).", path=str(target)))
    if target.resolve() == database.resolve():
        raise BackupError(_("The backup file cannot be the database itself."))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = _connect(database)
    try:
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            # One step: a single read transaction on the source, so concurrent writes never restart the copy.
            source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")  # a backup is one file, no -wal beside it
            tables = len(_table_names(copy))
        finally:
            copy.close()
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(_("The backup failed: %(error)s", error=str(error))) from error
    finally:
        source.close()
    problems = integrity_problems(partial)
    if problems:
        partial.unlink(missing_ok=True)
        raise BackupError(_("The copy failed its integrity check: %(problems)s", problems="; ".join(problems[:5])))
    _fsync(partial)
    partial.replace(target)
    _fsync(target.parent)
    return BackupResult(path=target, size=target.stat().st_size, tables=tables)


def check_sqlite_backup(backup: Path) -> None:
    """Refuse files that are not a sound Cunke database before anything is overwritten."""
    if not backup.is_file():
        raise BackupError(_("Backup file not found: %(path)s", path=str(backup)))
    problems = integrity_problems(backup)
    if problems:
        raise BackupError(_("%(path)s is not a sound SQLite database: %(problems)s", path=str(backup),
                            problems="; ".join(problems[:5])))
    connection = _connect(backup, read_only=True)
    try:
        missing = REQUIRED_TABLES - _table_names(connection)
    finally:
        connection.close()
    if missing:
        raise BackupError(_("%(path)s is not a Cunke database (it has no table %(tables)s).", path=str(backup),
                            tables=", ".join(sorted(missing))))


def restore_sqlite(backup: Path, database: Path, keep_current: Path | None = None) -> BackupResult:
    """Replace the database's content with the backup's, in one transaction.

    Connections that are open elsewhere see the old content until their transaction ends and the
    restored content after it; nothing in between. The current content is first saved to
    `keep_current` (when given), so a restore of the wrong file can be undone.
    """
    check_sqlite_backup(backup)
    if database.exists() and keep_current is not None:
        backup_sqlite(database, keep_current, overwrite=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    source = _connect(backup, read_only=True)
    try:
        live = _connect(database)
        try:
            source.backup(live, pages=-1)
            live.execute("PRAGMA journal_mode=WAL")
            tables = len(_table_names(live))
        finally:
            live.close()
    except sqlite3.Error as error:
        raise BackupError(_("The restore failed: %(error)s", error=str(error))) from error
    finally:
        source.close()
    problems = integrity_problems(database)
    if problems:
        raise BackupError(_("The restored database failed its integrity check: %(problems)s",
                            problems="; ".join(problems[:5])))
    return BackupResult(path=database, size=database.stat().st_size, tables=tables)


# ---------------------------------------------------------------- PostgreSQL


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for the pg_* tools, with the password passed in the environment."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(_("%(program)s not found: install the PostgreSQL client tools "
                            "(apt-get install postgresql-client).", program=name))
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(_("%(program)s failed: %(error)s", program=Path(command[0]).name,
                            error=result.stderr.strip() or str(result.returncode)))


def backup_postgresql(url: URL, target: Path, overwrite: bool = False) -> BackupResult:
    if target.exists() and not overwrite:
        raise BackupError(_("%(path)s exists already (use --force to replace it).", path=str(target)))
    conninfo, env = _libpq(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
              f"--dbname={conninfo}"], env)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return BackupResult(path=target, size=target.stat().st_size)


def restore_postgresql(url: URL, backup: Path) -> BackupResult:
    if not backup.is_file():
        raise BackupError(_("Backup file not found: %(path)s", path=str(backup)))
    conninfo, env = _libpq(url)
    _run([_tool("pg_restore"), "--list", str(backup)], env)  # refuses anything that is not a pg_dump archive
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={conninfo}", str(backup)], env)
    return BackupResult(path=backup, size=backup.stat().st_size)
