"""SQLite: writers wait in line on a file lock, readers never do."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import EXTERNAL_DATABASE

pytestmark = pytest.mark.skipif(bool(EXTERNAL_DATABASE), reason="SQLite's single writer")


@contextmanager
def writers_line(app):
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + "-writers"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        yield fd
    finally:
        os.close(fd)


def someone_is_writing(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


def test_a_writer_keeps_its_place_in_line_until_it_commits_or_rolls_back(app, make_user):
    make_user()
    with writers_line(app) as line:
        assert not someone_is_writing(line)
        db.session.get(User, 1).village = "南山村"
        db.session.flush()  # BEGIN IMMEDIATE: this session is writing now
        assert someone_is_writing(line)
        db.session.commit()
        assert not someone_is_writing(line)

        db.session.get(User, 1).village = "东岭村"
        db.session.flush()
        assert someone_is_writing(line)
        db.session.rollback()
        assert not someone_is_writing(line)


def test_a_page_that_only_reads_does_not_queue(app, make_user):
    make_user()
    with writers_line(app) as line, app.test_request_context("/my", method="GET"):
        assert db.session.scalar(select(func.count(User.id))) == 1  # a read transaction is open
        assert not someone_is_writing(line)
        db.session.rollback()
