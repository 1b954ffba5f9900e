"""The yardsticks the lesson page is measured against, served by the same gunicorn settings.

* `hello`: Flask's "hello world", the most a Flask app can answer on this machine.
* `reference`: the least a real page needs: one 9 KB row read from SQLite, rendered into a
  two-level Jinja layout, for a visitor with a signed session cookie. Its ratio to `hello` is the
  practical ceiling for any database-backed page.
* `stack_floor`: a signed-in page as the libraries Cunke is built on are ordinarily used:
  Flask-Login loading the user with one ORM query (so a changed password or a deactivated account
  ends the session at once), Flask-SQLAlchemy running one more small query in the request's
  session, Flask-WTF's CSRF protection and a token for the page's form, and a page already
  rendered. No template, no translation, no other extension. Cunke's lesson page reads without
  the ORM session (lms/reads.py); this shows what that session costs.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from flask import Flask, render_template, session
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect, generate_csrf
from jinja2 import DictLoader
from sqlalchemy import String, bindparam, create_engine, insert, select
from sqlalchemy.orm import Mapped, mapped_column

hello = Flask("hello")


@hello.route("/")
def hello_world():
    return "Hello, World!"


REFERENCE_DB = Path(os.environ.get("BENCH_REFERENCE_DB", "reference.sqlite3"))
reference = Flask("reference")
reference.secret_key = "reference-secret"
reference.jinja_loader = DictLoader({
    "base.html": "<!doctype html><html><head><title>{% block title %}{% endblock %}</title></head>"
                 "<body><header>{{ name }}</header>{% block body %}{% endblock %}</body></html>",
    "layout.html": "{% extends 'base.html' %}{% block body %}<main>{% block main %}{% endblock %}</main>"
                   "<footer>page</footer>{% endblock %}",
    "page.html": "{% extends 'layout.html' %}{% block title %}{{ row[0] }}{% endblock %}"
                 "{% block main %}<h1>{{ row[0] }}</h1><div>{{ row[1] }}</div>{% endblock %}",
})
_connection: sqlite3.Connection | None = None  # one per worker process, as a connection pool would keep


def create_reference_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE IF NOT EXISTS page (id INTEGER PRIMARY KEY, title TEXT, body TEXT)")
        connection.execute("DELETE FROM page")
        connection.execute("INSERT INTO page VALUES (1, ?, ?)", ("选一个好卖的商品", "先看看邻居在卖什么。" * 300))
    connection.close()


@reference.route("/sign-in")
def reference_sign_in():
    session["name"] = "吕振鸿"
    return "signed in"


@reference.route("/")
def reference_page():
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(REFERENCE_DB)
    row = _connection.execute("SELECT title, body FROM page WHERE id = 1").fetchone()
    return render_template("page.html", row=row, name=session.get("name", ""))


FLOOR_DB = Path(os.environ.get("BENCH_FLOOR_DB", "stack-floor.sqlite3"))
stack_floor = Flask("stack_floor")
stack_floor.secret_key = "stack-floor-secret"
stack_floor.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{FLOOR_DB.absolute()}"
_floor_db = SQLAlchemy(stack_floor)
_floor_login = LoginManager(stack_floor)
CSRFProtect(stack_floor)
_FLOOR_PAGE = ("<!doctype html><html><body><main>" + "先看看邻居在卖什么。" * 220
               + '<form method="post"><input type="hidden" name="csrf_token" value="', '"></form></main></body></html>')


class FloorUser(UserMixin, _floor_db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    progress: Mapped[int] = mapped_column(default=0)


_FLOOR_USER = select(FloorUser).where(FloorUser.id == bindparam("user_id"))
_FLOOR_PROGRESS = select(FloorUser.__table__.c.progress).where(FloorUser.__table__.c.id == bindparam("user_id"))


@_floor_login.user_loader
def _load_floor_user(user_id: str):
    return _floor_db.session.execute(_FLOOR_USER, {"user_id": int(user_id)}).scalar_one_or_none()


def create_floor_database(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    FloorUser.metadata.drop_all(engine)
    FloorUser.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(FloorUser.__table__).values(id=1, name="吕振鸿"))
    engine.dispose()


@stack_floor.route("/sign-in")
def floor_sign_in():
    login_user(_floor_db.session.get(FloorUser, 1))
    return "signed in"


@stack_floor.route("/")
@login_required
def floor_page():
    _floor_db.session.execute(_FLOOR_PROGRESS, {"user_id": current_user.id}).scalar()
    return _FLOOR_PAGE[0] + generate_csrf() + _FLOOR_PAGE[1]
