"""`flask db backup FILE` and `flask db restore FILE`, as docs/deploy.md tells administrators to use them."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from contextlib import closing

import pytest
from sqlalchemy import func, select, text

from lms.accounts.models import User
from lms.extensions import db
from lms.learning.models import Enrolment
from lms.learning.progress import enrol
from tests.conftest import EXTERNAL_DATABASE

sqlite_only = pytest.mark.skipif(bool(EXTERNAL_DATABASE), reason="SQLite's backup API; PostgreSQL is tested below")


def count(model) -> int:
    db.session.remove()
    return db.session.scalar(select(func.count(model.id)))


@sqlite_only
def test_a_backup_restores_exactly_what_was_there(runner, make_user, courses, tmp_path):
    trainee = make_user(name="吕振鸿")
    enrol(trainee, courses["shop-basics"])
    db.session.commit()
    backup = tmp_path / "backups" / "cunke-monday.sqlite3"

    result = runner.invoke(args=["db", "backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, nothing beside it
        assert copy.execute("SELECT display_name FROM user").fetchall() == [("吕振鸿",)]

    make_user(name="后来的人")  # changes after the backup...
    db.session.execute(text("DELETE FROM enrolment"))
    db.session.commit()
    result = runner.invoke(args=["db", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output

    assert [u.display_name for u in db.session.scalars(select(User))] == ["吕振鸿"]  # ...are gone
    assert count(Enrolment) == 1
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    before_restore = next(tmp_path.rglob("*.before-restore"))
    with closing(sqlite3.connect(before_restore)) as kept:  # and kept aside, in case the wrong file was restored
        assert kept.execute("SELECT count(*) FROM user").fetchone() == (2,)


@sqlite_only
def test_a_backup_taken_during_writes_is_a_consistent_snapshot(runner, app, tmp_path):
    database = db.engine.url.database
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE visit (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)"))
    stop, written = threading.Event(), []

    def keep_writing() -> None:
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)
        for number in range(50_000):  # bounded; normally stopped long before
            if stop.is_set():
                break
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO visit (payload) VALUES (?)", ("x" * 500,))
            connection.execute("COMMIT")
            written.append(number)
        connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 200:
            stop.wait(0.01)
        before = len(written)
        result = runner.invoke(args=["db", "backup", str(tmp_path / "busy.sqlite3")])
        after = len(written)
        for _ in range(500):  # the writer carries on after the backup (bounded wait)
            if len(written) > after:
                break
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(tmp_path / "busy.sqlite3")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows, highest = copy.execute("SELECT count(*), max(id) FROM visit").fetchone()
    assert before <= rows <= after + 1 and rows == highest  # a prefix of the writes: nothing torn, nothing skipped
    assert len(written) > after, "the writer could not carry on after the backup"


@sqlite_only
def test_backup_and_restore_refuse_to_do_damage(runner, make_user, tmp_path):
    make_user()
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    result = runner.invoke(args=["db", "backup", str(existing)])
    assert result.exit_code != 0 and "--force" in result.output
    assert existing.read_text() == "keep me"

    other = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE notes (x)")
    for bogus, reason in ((existing, "not a sound SQLite database"), (other, "not a Cunke database")):
        result = runner.invoke(args=["db", "restore", str(bogus), "--yes"])
        assert result.exit_code != 0 and reason in result.output, result.output
    assert count(User) == 1  # nothing was touched


@sqlite_only
def test_restore_asks_before_replacing_everything(runner, make_user, tmp_path):
    make_user()
    backup = tmp_path / "b.sqlite3"
    assert runner.invoke(args=["db", "backup", str(backup)]).exit_code == 0
    make_user()
    result = runner.invoke(args=["db", "restore", str(backup)], input="n\n")
    assert result.exit_code != 0 and "Replace everything" in result.output
    assert count(User) == 2


@pytest.mark.skipif(not EXTERNAL_DATABASE or not EXTERNAL_DATABASE.startswith("postgresql"),
                    reason="PostgreSQL backups need LMS_TEST_DATABASE_URL")
@pytest.mark.skipif(shutil.which("pg_dump") is None,
                    reason="pg_dump is not installed (apt-get install postgresql-client)")
def test_postgresql_backup_and_restore_with_pg_dump(runner, make_user, courses, tmp_path):
    trainee = make_user(name="吕振鸿")
    enrol(trainee, courses["shop-basics"])
    db.session.commit()
    backup = tmp_path / "cunke.pgdump"
    result = runner.invoke(args=["db", "backup", str(backup)])
    assert result.exit_code == 0, result.output

    make_user(name="后来的人")
    db.session.execute(text("DELETE FROM enrolment"))
    db.session.commit()
    result = runner.invoke(args=["db", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert [u.display_name for u in db.session.scalars(select(User))] == ["吕振鸿"]
    assert count(Enrolment) == 1
