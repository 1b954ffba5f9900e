"""Shared pieces of the serving benchmarks: the machine, gunicorn, PostgreSQL scratch databases, medians.

Not a benchmark itself (the leading underscore keeps `python -m benchmarks` from running it).
"""

from __future__ import annotations

import os
import platform
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.cookies import SimpleCookie
from pathlib import Path

from benchmarks._load import USER_AGENT, generator_name

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "benchmark-secret-key"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def machine() -> str:
    """One line naming the machine the figures come from."""
    model, memory = "unknown CPU", ""
    with suppress(OSError):
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        model = found.group(1).strip() if found else model
    with suppress(OSError, AttributeError):
        kilobytes = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kilobytes / 1024 / 1024:.0f} GB RAM"
    return (f"{os.cpu_count()} × {model}{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}")


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    busy = " (busy: other processes, or earlier benchmarks of this run, may lower the figures)" \
        if one > 0.5 * (os.cpu_count() or 1) else ""
    return f"{one:.2f} / {five:.2f} (1 / 5 min){busy}"


def add_load_arguments(parser, runs: int, per: str) -> None:
    """The options of a benchmark that loads gunicorn with concurrent connections."""
    parser.add_argument("--runs", type=int, default=runs, help=f"measured runs per {per} (default {runs})")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run (default 5)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")


def print_load_setup(name: str, args) -> None:
    """The two lines that say where a serving benchmark's figures come from."""
    print(f"{name}: {machine()}; load average {load_average()}")
    print(f"{name}: gunicorn -c gunicorn.conf.py --workers {args.workers}, {args.connections} connections, "
          f"load from {generator_name()}, {args.runs} runs × {args.seconds:g} s each, medians")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py` on a loopback port, for one benchmark; always stopped on exit."""

    def __init__(self, target: str, log: Path, workers: int, **env: str):
        self.port = free_port()
        self.log_path = log
        self.command = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--bind",
                        f"127.0.0.1:{self.port}", "--workers", str(workers), "--access-logfile", "/dev/null",
                        "--error-logfile", str(log), target]
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "GUNICORN_", "DATABASE_URL"))},
                    "SECRET_KEY": SECRET, "LMS_RATELIMIT_ENABLED": "0", **env}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start within 30 s")

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def worker_cpu_seconds(self) -> float | None:
        """CPU time the workers have used so far, those gunicorn already replaced included (Linux's
        /proc; None elsewhere). Unlike requests per second, it leaves out the load generator."""
        if self.process is None:
            return None
        try:
            master = _proc_stat(self.process.pid)
            ticks = int(master[13]) + int(master[14])  # workers reaped by the master
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    with suppress(OSError, IndexError):
                        fields = _proc_stat(int(entry.name))
                        if int(fields[1]) == self.process.pid:
                            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            return None
        return ticks / os.sysconf("SC_CLK_TCK")

    def problems(self) -> list[str]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines()
                if any(m in line for m in ("Traceback", "database is locked", "WORKER TIMEOUT", "Exception on "))]


class Browser:
    """Just enough of a browser for set-up steps: cookies, CSRF tokens, no redirects followed."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.token = ""

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        from urllib.parse import urlencode

        body = urlencode({"csrf_token": self.token, **form}, doseq=True).encode() if form is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, method=method)
        request.add_header("Cookie", self.cookie_header)
        request.add_header("User-Agent", USER_AGENT)
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        html = response.read().decode("utf-8", "replace")
        if match := _CSRF.search(html):
            self.token = match.group(1)
        return response.status, response.headers.get("Location", ""), html

    def sign_in(self, phone: str, password: str) -> None:
        self.request("GET", "/login")
        status, _, _ = self.request("POST", "/login", {"phone": phone, "password": password})
        if status != 302:
            raise RuntimeError(f"sign-in of {phone} answered {status}")


def _proc_stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name: state, parent, ..., utime at 11."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# ---------------------------------------------------------------- databases


def postgres_server_url() -> str:
    return os.environ.get("LMS_BENCH_DATABASE_URL") or os.environ.get("LMS_TEST_DATABASE_URL") or DEFAULT_POSTGRES


@contextmanager
def scratch_postgres() -> Iterator[str | None]:
    """A new, empty PostgreSQL database for one benchmark (dropped afterwards), or None if there is no server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    server = make_url(postgres_server_url())
    name = f"cunke_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError:
        admin.dispose()
        yield None
        return
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(url: str, courses: Path | None = None):
    from lms import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "TESTING": True,
                       "LMS_COURSES_DIR": str(courses or ROOT / "courses")})


def prepare_database(url: str, courses: Path | None = None):
    """Schema and the synced course catalog. Returns the app for further set-up."""
    from lms.content.parser import load_catalog
    from lms.content.sync import sync_catalog
    from lms.extensions import db

    app = make_app(url, courses)
    with app.app_context():
        db.create_all()
        sync_catalog(load_catalog(Path(app.config["LMS_COURSES_DIR"])))
        db.session.commit()
    return app
