"""End-to-end fixtures: the app served on 127.0.0.1 and Debian's Chromium driven by Playwright.

Without Chromium these tests are skipped with a reason, unless LMS_REQUIRE_BROWSER=1 (set by
.ci/run), which turns the skip into a failure so CI always runs them.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.content.parser import load_catalog
from lms.content.sync import sync_catalog
from lms.extensions import db
from lms.reads import dispose_connections
from tests.conftest import COURSES, EXTERNAL_DATABASE

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Mobile Safari/537.36"),
    "locale": "zh-CN",
}


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"Chromium not found at {CHROMIUM} (install it: sudo apt-get install -y chromium)"
    if os.environ.get("LMS_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + "; LMS_REQUIRE_BROWSER=1 makes this a failure")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def serving(database: Path, seed=None, **config):
    """The real app on a free loopback port with the fixture courses synced; `seed(app)` may add more;
    `config` adds settings (an attendance clock, say).

    Yields (base URL, whatever `seed` returned)."""
    app = create_app({
        "SECRET_KEY": "browser-test-key",
        "SQLALCHEMY_DATABASE_URI": EXTERNAL_DATABASE or f"sqlite:///{database}",
        "LMS_COURSES_DIR": str(COURSES),
        "RATELIMIT_ENABLED": False,
        **config,
    })
    with app.app_context():
        if EXTERNAL_DATABASE:
            db.drop_all()
        db.create_all()
        sync_catalog(load_catalog(COURSES))
        db.session.commit()
        seeded = seed(app) if seed else None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seeded
    finally:
        server.shutdown()
        with app.app_context():
            db.session.remove()
            if EXTERNAL_DATABASE:
                db.drop_all()
            dispose_connections(app, close=True)


@pytest.fixture
def live_server(tmp_path_factory):
    """The real app on a free loopback port, with the fixture courses synced."""
    with serving(tmp_path_factory.mktemp("live") / "live.sqlite3") as (base, _):
        yield base


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


