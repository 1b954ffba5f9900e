"""The two yardsticks the lesson page is measured against, served by the same gunicorn settings.

* `hello`: Flask's "hello world", the most a Flask app can answer on this machine.
* `reference`: the least a real page needs: one 9 KB row read from SQLite, rendered into a
  two-level Jinja layout, for a visitor with a signed session cookie. Its ratio to `hello` is the
  practical ceiling for any database-backed page.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from flask import Flask, render_template, session
from jinja2 import DictLoader

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
