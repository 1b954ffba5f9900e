"""A worker forked after `warm_up` spends none of its first pages on templates or languages."""

from __future__ import annotations

from flask import Flask
from flask_babel import support

from lms.config import PROJECT_ROOT
from lms.extensions import db
from lms.learning.progress import enrol, find_course
from lms.warm import warm_up


def test_after_warming_up_the_first_pages_compile_no_template_and_load_no_language(
        app, courses, make_user, auth, client, monkeypatch):
    trainee = make_user()
    enrol(trainee, find_course("shop-basics"))
    db.session.commit()

    templates = warm_up(app)
    assert {"base.html", "learning/lesson.html", "quizzes/attempt.html", "errors/error.html"} <= set(templates)

    compiled, loaded = [], []
    real_compile, real_load = app.jinja_env.compile, support.Translations.load
    monkeypatch.setattr(app.jinja_env, "compile", lambda *args, **kwargs: compiled.append(args[1]) or real_compile(
        *args, **kwargs))
    monkeypatch.setattr(support.Translations, "load", lambda *args, **kwargs: loaded.append(args) or real_load(
        *args, **kwargs))
    auth.login(trainee)
    for language in ("zh", "en"):
        client.set_cookie("lang", language)
        for path in ("/", "/courses/shop-basics/", "/courses/shop-basics/choose-product", "/no-such-page"):
            assert client.get(path).status_code in (200, 404)
    assert compiled == [] and loaded == []


def test_another_application_under_the_same_settings_is_left_alone():
    other = Flask("reference", root_path=str(PROJECT_ROOT))  # would find Cunke's templates, without their filters
    assert warm_up(other) == []
