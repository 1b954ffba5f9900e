"""Cunke (村课): the county's e-commerce training platform.

`create_app` builds an application: configuration, extensions, blueprints, commands and error
pages. It never writes to the database; `flask db upgrade` and `flask courses sync` do that.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import PROJECT_ROOT, build_config, load_secret_key


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(build_config(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(Path(app.instance_path))
    if app.config["LMS_TRUSTED_PROXIES"]:
        hops = app.config["LMS_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)

    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)

    from lms.errors import register_error_pages
    from lms.security import init_security
    from lms.templating import init_templating

    register_error_pages(app)
    init_security(app)
    init_templating(app)
    return app


def _init_extensions(app: Flask) -> None:
    from lms import models  # noqa: F401  (every model registered before migrations look)
    from lms.accounts.loader import init_login
    from lms.database import engine_options
    from lms.extensions import babel, db, limiter, migrate
    from lms.i18n import ensure_compiled_catalogs, select_locale
    from lms.rate_limits import STORAGE_URI
    from lms.security import init_csrf

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**engine_options(app.config["SQLALCHEMY_DATABASE_URI"]),
                                               **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    init_csrf(app)
    ensure_compiled_catalogs(app)
    babel.init_app(app, locale_selector=select_locale)
    shared_counters = app.config["RATELIMIT_ENABLED"] and app.config["RATELIMIT_STORAGE_URI"] == STORAGE_URI
    if shared_counters:
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"database_url": app.config["SQLALCHEMY_DATABASE_URI"]}
    limiter.init_app(app)
    if shared_counters:
        app.extensions[STORAGE_URI] = limiter.storage  # its connections end with the app's (lms/reads.py)
    init_login(app)


def _register_blueprints(app: Flask) -> None:
    from lms.accounts.signin_views import bp as signin_links
    from lms.accounts.views import bp as accounts
    from lms.attendance.views import bp as attendance
    from lms.certificates.views import bp as certificates
    from lms.cohorts.views import bp as cohorts
    from lms.content.views import bp as content
    from lms.health import bp as health
    from lms.i18n import bp as language
    from lms.learning.views import bp as learning
    from lms.numbers import DatabaseIdConverter
    from lms.offline import bp as offline
    from lms.quizzes.views import bp as quizzes
    from lms.reports.views import bp as reports
    from lms.studio.views import bp as studio
    from lms.tasks.views import bp as tasks

    app.url_map.converters["int"] = DatabaseIdConverter  # before any route is added: ids beyond the database 404
    for blueprint in (accounts, attendance, certificates, cohorts, content, health, language, learning, offline,
                      quizzes, reports, signin_links, studio, tasks):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from lms.accounts.cli import accounts_cli
    from lms.certificates.cli import certificates_cli
    from lms.content.cli import courses_cli
    from lms.doctor import doctor_command
    from lms.operations.cli import init_operations_cli
    from lms.reports.cli import export_cli

    app.cli.add_command(accounts_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(courses_cli)
    app.cli.add_command(doctor_command)
    app.cli.add_command(export_cli)
    init_operations_cli(app)  # `flask db backup|restore`, `flask dev seed`
