"""The serving setup the documentation describes: gunicorn.conf.py, the nginx site and the systemd units.

The nginx test runs the example site file unchanged except for paths and ports, in front of a
real gunicorn. It needs an nginx binary (on PATH, or named by LMS_NGINX) and is skipped
without one.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from lms import create_app
from lms.templating import asset_url
from tests.conftest import COURSES
from tests.production.live import ROOT, free_port

SITE = ROOT / "deploy" / "nginx" / "cunke.conf"
UNIT = ROOT / "deploy" / "systemd" / "cunke.service"
GIB = 1024**3


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_TIMEOUT", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_workers_follow_cpus_and_memory(monkeypatch):
    settings = gunicorn_settings(monkeypatch)
    workers = settings["default_workers"]
    assert workers(cpus=2, memory=4 * GIB) == 5  # 2 x CPU + 1
    assert workers(cpus=8, memory=2 * GIB) == 7  # memory-bound: each worker may hash a password (64 MiB)
    assert workers(cpus=1, memory=GIB // 2) == 2  # never fewer than two
    assert settings["workers"] >= 2 and settings["worker_class"] == "sync"
    assert gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


def test_gunicorn_defaults_suit_a_proxy_on_the_same_machine(monkeypatch):
    settings = gunicorn_settings(monkeypatch)
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["accesslog"] == "-" and "%(D)s" in settings["access_log_format"]
    assert 30 <= settings["timeout"] < 75  # nginx's proxy_read_timeout is 75 s
    assert settings["preload_app"] and callable(settings["post_fork"]) and callable(settings["when_ready"])
    assert gunicorn_settings(monkeypatch, GUNICORN_BIND="0.0.0.0:9000")["bind"] == "0.0.0.0:9000"


def test_the_nginx_site_matches_the_application():
    site = SITE.read_text()
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert f"client_max_body_size {app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)}m;" in site
    assert "gzip on;" in site and "immutable" in site
    assert "proxy_read_timeout 75s;" in site
    with app.test_request_context():
        hashed = asset_url("app.css")  # the asset pattern in the site file matches the names the app makes
    pattern = re.search(r'location ~ "(\^/assets/[^"]+)"', site).group(1)
    assert re.match(pattern.replace("(?<", "(?P<"), hashed), hashed


def test_the_systemd_unit_runs_the_documented_command():
    unit = UNIT.read_text()
    assert "ExecStart=/srv/cunke/.venv/bin/gunicorn -c gunicorn.conf.py app:app" in unit
    assert "WorkingDirectory=/srv/cunke" in unit and "EnvironmentFile=/etc/cunke/cunke.env" in unit
    readme = (ROOT / "README.md").read_text()
    assert "gunicorn -c gunicorn.conf.py 'app:app'" in readme and "docs/deploy.md" in readme


def test_every_command_in_the_deployment_guide_exists(runner):
    documented = set()
    for doc in ("docs/deploy.md", "docs/performance.md", "README.md"):
        documented |= set(re.findall(r"flask --app app ((?:[a-z-]+ )*[a-z-]+)", (ROOT / doc).read_text()))
    assert {"db backup", "db restore", "db upgrade", "dev seed"} <= {" ".join(c.split()[:2]) for c in documented}
    for command in documented:
        words = command.split()
        result = runner.invoke(args=[*words[:2], "--help"])
        assert result.exit_code == 0, f"`flask --app app {command}` is documented but does not exist"


# ---------------------------------------------------------------- nginx in front of gunicorn


def nginx_binary() -> str:
    found = os.environ.get("LMS_NGINX") or shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        reason = "nginx is not installed (apt-get install nginx-light), or name its binary in LMS_NGINX"
        if os.environ.get("LMS_REQUIRE_SERVICES") == "1":
            pytest.fail(reason + " (LMS_REQUIRE_SERVICES=1 makes this a failure)")
        pytest.skip(reason)
    return found


def nginx_config(folder: Path, port: int, upstream_port: int) -> Path:
    """The example site, with only its addresses and paths changed, inside a minimal nginx.conf."""
    site = SITE.read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("listen [::]:80;", "")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream_port}")
    site = site.replace("/var/cache/nginx/cunke", str(folder / "cache")).replace("/srv/cunke", str(ROOT))
    (folder / "cunke.conf").write_text(site)
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = "user root;" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(f"""
{user}
daemon off;
worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 256; }}
http {{
    types {{ text/html html; text/css css; application/javascript js; image/svg+xml svg; image/png png; }}
    default_type application/octet-stream;
    access_log {folder / 'access.log'};
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {folder / 'cunke.conf'};
}}
""")
    return config


@pytest.mark.slow
def test_nginx_serves_assets_itself_caches_pictures_and_forwards_the_rest(deployment, gunicorn, tmp_path):
    nginx = nginx_binary()
    server = gunicorn(deployment, LMS_TRUSTED_PROXIES="1")
    port = free_port()
    config = nginx_config(tmp_path, port, server.port)
    checked = subprocess.run([nginx, "-t", "-c", str(config)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([nginx, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        with deployment.app.test_request_context():
            css = asset_url("app.css")
        before = server.log()

        asset = httpx.get(base + css, headers={"Accept-Encoding": "gzip"})
        assert asset.status_code == 200 and asset.headers["Content-Encoding"] == "gzip"
        assert "immutable" in asset.headers["Cache-Control"] and "max-age=31536000" in asset.headers["Cache-Control"]
        assert asset.text == (ROOT / "static" / "app.css").read_text()
        assert httpx.get(f"{base}/assets/gone.0123456789.css").status_code == 404  # handed to the app

        page = httpx.get(f"{base}/courses/shop-basics/", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
        assert "开店基础" in page.text
        media = re.search(r'src="(/courses/shop-basics/media/shelf\.svg[^"]*)"', page.text).group(1)
        pictures = [httpx.get(base + media.replace("&amp;", "&")) for _ in range(3)]
        assert [p.headers.get("X-Cache-Status") for p in pictures] == ["MISS", "HIT", "HIT"]
        assert {p.content for p in pictures} == {(COURSES / "shop-basics" / "media" / "shelf.svg").read_bytes()}
        assert "Set-Cookie" not in pictures[0].headers and "sandbox" in pictures[-1].headers["Content-Security-Policy"]

        too_big = httpx.post(f"{base}/login", content=b"x" * (17 * 1024 * 1024))
        assert too_big.status_code == 413
        after = server.log()[len(before):]
        assert css not in after  # the asset never reached Python
        assert '127.0.0.1 127.0.0.1 "GET /courses/shop-basics/ HTTP/1.0" 200' in after  # X-Forwarded-For kept
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert server.server_errors() == [], server.error_report()
