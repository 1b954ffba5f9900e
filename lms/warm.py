"""Work each worker would otherwise do on its first request, done once before gunicorn forks.

gunicorn loads the application in its master and forks workers from it (`preload_app`), and
recycles each worker after a few thousand requests. A new worker's first page used to cost
about 200 ms of CPU: SQLAlchemy setting up its mappers, Jinja compiling templates, Babel loading
catalogs and locale data. Done in the master, every worker starts with them and shares their
memory with the others.
"""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import force_locale, format_date, format_decimal, get_translations
from sqlalchemy.orm import configure_mappers

from lms.config import LANGUAGES


def warm_up(app: Flask) -> list[str]:
    """Configure the mappers, compile every template, load every language. Returns the templates.

    Another application served with the same gunicorn settings (the benchmarks' reference apps)
    is left as it is: these templates and languages are Cunke's.
    """
    if app.import_name != __package__:
        return []
    configure_mappers()
    templates = app.jinja_env.list_templates()
    for name in templates:
        app.jinja_env.get_template(name)
    with app.test_request_context("/"):
        for language in LANGUAGES:
            with force_locale(language):
                get_translations()
                format_date(date(2000, 1, 1))
                format_decimal(1.5)
    return templates
