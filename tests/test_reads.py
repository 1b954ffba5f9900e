"""Direct reads give what the ORM session would, straight from the driver, and only where that is safe."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, event, select, text

from lms.accounts.models import User
from lms.extensions import db
from lms.learning.models import Enrolment, ItemProgress
from lms.learning.progress import enrol
from lms.reads import DirectRead, detached, reader_engine
from tests.conftest import EXTERNAL_DATABASE

_enrolments, _progress = Enrolment.__table__, ItemProgress.__table__
# Every kind of value the hot reads carry: integers, text, a boolean, timestamps, a float, NULLs.
PROGRESS_ROWS = DirectRead(
    select(_enrolments.c.user_id, _enrolments.c.completed_at, _enrolments.c.last_activity_at,
           _progress.c.item_id, _progress.c.completed_at.label("item_completed_at"), _progress.c.best_score,
           User.__table__.c.active, User.__table__.c.display_name)
    .join(_progress, _progress.c.user_id == _enrolments.c.user_id)
    .join(User.__table__, User.__table__.c.id == _enrolments.c.user_id)
    .where(_enrolments.c.user_id == bindparam("user_id"))
    .order_by(_progress.c.item_id)
)


@pytest.fixture
def progressed(courses, trainee):
    """A trainee enrolled in shop-basics with one item finished (scored) and one only opened."""
    course = courses["shop-basics"]
    enrol(trainee, course)
    finished_at = datetime(2026, 3, 8, 9, 30, 15, 123456, tzinfo=UTC)
    db.session.add_all([
        ItemProgress(user_id=trainee.id, item_id=course.items[0].id, completed_at=finished_at, best_score=0.75),
        ItemProgress(user_id=trainee.id, item_id=course.items[1].id, completed_at=None, best_score=None),
    ])
    db.session.commit()
    return trainee


def test_a_direct_read_returns_the_values_the_session_returns(app, progressed):
    expected = db.session.execute(PROGRESS_ROWS.statement, {"user_id": progressed.id}).all()
    db.session.commit()
    with app.test_request_context("/", method="GET"):
        rows = PROGRESS_ROWS.all(user_id=progressed.id)
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected] and len(rows) == 2
    first, second = rows
    assert first.item_completed_at == datetime(2026, 3, 8, 9, 30, 15, 123456, tzinfo=UTC)
    assert first.item_completed_at.utcoffset() == timedelta(0)  # aware, in UTC, on both databases
    assert first.best_score == 0.75 and second.best_score is None and second.item_completed_at is None
    assert first.active is True and first.display_name == "吕振鸿"


@pytest.mark.parametrize(("method", "scores"), [
    ("GET", [0.75, None]),  # read directly: a change its own session has not committed is not seen
    ("POST", [0.5, None]),  # read in the request's transaction: it sees its own change
])
def test_only_read_only_requests_read_outside_their_session(app, progressed, method, scores):
    with app.test_request_context("/", method=method):
        db.session.execute(text("UPDATE item_progress SET best_score = 0.5 WHERE best_score = 0.75"))
        seen = [row.best_score for row in PROGRESS_ROWS.all(user_id=progressed.id)]
        db.session.rollback()
    assert seen == scores


def test_no_row_is_none_and_first_takes_the_first(app, progressed):
    with app.test_request_context("/", method="GET"):
        assert PROGRESS_ROWS.first(user_id=progressed.id + 1000) is None
        assert PROGRESS_ROWS.first(user_id=progressed.id).best_score == 0.75


def test_an_in_list_that_changes_length_is_refused_when_first_compiled(app):
    ids_in = DirectRead(select(User.__table__.c.id).where(User.__table__.c.id.in_(bindparam("ids", expanding=True))))
    with app.test_request_context("/", method="GET"), pytest.raises(ValueError, match="expanding"):
        ids_in.all(ids=[1, 2])


def drop(connection) -> None:
    """End a connection from the database's side, as a server restart (or a closed file) would."""
    if EXTERNAL_DATABASE:
        db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": connection.info.backend_pid})
        db.session.commit()
    else:
        connection.close()


def test_a_connection_that_was_dropped_is_replaced_without_an_error(app, progressed):
    engine = reader_engine(app)
    with app.test_request_context("/", method="GET"):
        assert PROGRESS_ROWS.first(user_id=progressed.id) is not None
        checked_out = []
        event.listen(engine, "checkout", lambda dbapi, record, proxy: checked_out.append(dbapi))
        PROGRESS_ROWS.first(user_id=progressed.id)
        drop(checked_out[0])
        assert PROGRESS_ROWS.first(user_id=progressed.id).best_score == 0.75
    assert checked_out[-1] is not checked_out[0]


def test_a_user_read_directly_becomes_an_ordinary_loaded_user_in_a_session(app, trainee):
    trainee_id = trainee.id
    row = DirectRead(select(*User.__table__.columns).where(User.__table__.c.id == trainee_id))
    db.session.commit()
    with app.test_request_context("/", method="GET"):
        user = detached(User, row.first())
    db.session.remove()
    db.session.add(user)  # no query: it is known by its key
    assert db.session.get(User, trainee_id) is user
    user.display_name = "吕振鸿二"
    db.session.commit()
    assert db.session.scalar(select(User.display_name).where(User.id == trainee_id)) == "吕振鸿二"


def test_a_new_process_can_make_a_user_before_any_query():
    """A gunicorn worker's first request may be a signed-in page: the ORM is not set up yet then."""
    program = (
        "from collections import namedtuple\n"
        "from datetime import datetime, UTC\n"
        "from lms import models\n"
        "from lms.accounts.models import User\n"
        "from lms.reads import detached\n"
        "columns = [c.key for c in User.__table__.columns]\n"
        "values = dict(id=7, phone='13900000007', display_name='x', village='', role='trainee', password_hash='',"
        " active=True, locale=None, created_at=datetime.now(UTC), created_by_id=None, pending_invitations=0)\n"
        "user = detached(User, namedtuple('Row', columns)(**values))\n"
        "print(user.id, user.phone)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", "13900000007"]
