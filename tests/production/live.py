"""The application as it runs in production: gunicorn with the repository's config on a loopback port.

`Deployment` prepares a real database (a SQLite file, or the PostgreSQL database of
LMS_TEST_DATABASE_URL), and `GunicornServer` starts `gunicorn -c gunicorn.conf.py 'app:app'` on
it as a separate process group, so a test can stop it gracefully or kill master and workers
at once with SIGKILL, as a power cut or the OOM killer would.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from lms import create_app
from lms.accounts.models import User
from lms.content.parser import load_catalog
from lms.content.sync import sync_catalog
from lms.extensions import db
from lms.reads import dispose_connections
from tests.conftest import _PASSWORD_HASH, COURSES, EXTERNAL_DATABASE, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GUNICORN = BIN / "gunicorn"
SECRET = "production-test-secret"
START_TIMEOUT = 30.0
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@dataclass
class Deployment:
    """A database with the courses synced and trainees inserted, plus an in-process app to inspect it."""

    url: str
    courses: Path = COURSES
    app: object = None
    phones: list[str] = field(default_factory=list)
    servers: list[GunicornServer] = field(default_factory=list)

    @classmethod
    def create(cls, tmp_path: Path, courses: Path = COURSES) -> Deployment:
        url = EXTERNAL_DATABASE or f"sqlite:///{tmp_path / 'production.sqlite3'}"
        deployment = cls(url=url, courses=courses)
        deployment.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                                     "LMS_COURSES_DIR": str(courses), "TESTING": True})
        with deployment.app.app_context():
            if EXTERNAL_DATABASE:
                db.drop_all()
            db.create_all()
            sync_catalog(load_catalog(courses))
            db.session.commit()
        return deployment

    @property
    def sqlite_file(self) -> Path | None:
        return Path(self.url.removeprefix("sqlite:///")) if self.url.startswith("sqlite:///") else None

    def add_trainees(self, count: int, prefix: str = "139", first: int = 0) -> list[str]:
        """Trainees inserted directly, with the test suite's precomputed password hash."""
        start = first + len(self.phones)
        phones = [f"{prefix}{start + n:08d}" for n in range(count)]
        with self.app.app_context():
            db.session.execute(insert(User), [
                {"phone": phone, "display_name": f"学员{start + n}", "village": "北山村", "role": "trainee",
                 "password_hash": _PASSWORD_HASH} for n, phone in enumerate(phones)
            ])
            db.session.commit()
        self.phones.extend(phones)
        return phones

    def user_ids(self) -> dict[str, int]:
        with self.app.app_context():
            return {phone: user_id for phone, user_id in db.session.execute(select(User.phone, User.id))}

    def close(self) -> None:
        for server in self.servers:  # no server may hold a connection while the tables are dropped
            server.kill()
        with self.app.app_context():
            db.session.remove()
            if EXTERNAL_DATABASE:
                db.drop_all()
            dispose_connections(self.app, close=True)


class GunicornServer:
    """`gunicorn -c gunicorn.conf.py 'app:app'` on 127.0.0.1, in its own process group."""

    def __init__(self, deployment: Deployment, log_dir: Path, port: int | None = None, **env: str):
        self.deployment = deployment
        self.port = port or free_port()
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "GUNICORN_", "DATABASE_URL"))},
            "DATABASE_URL": deployment.url,
            "SECRET_KEY": SECRET,
            "LMS_COURSES_DIR": str(deployment.courses),
            "LMS_RATELIMIT_ENABLED": "0",
            "GUNICORN_ACCESS_LOG": "-",
            **env,
        }
        self.process: subprocess.Popen | None = None
        deployment.servers.append(self)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GunicornServer:
        command = [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{self.port}", "app:app"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            with suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT:.0f} s:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the master and every worker at the same moment."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        """A graceful stop (SIGTERM), then SIGKILL for anything still running."""
        if self.process is None:
            return
        self.process.terminate()
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=15)
        self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # the parent's pid follows the state letter
                children.append(int(stat.parent.name))
        return children

    def server_errors(self) -> list[str]:
        """Log lines showing a failure inside the application: tracebacks, lock errors, worker timeouts."""
        markers = ("Traceback", "database is locked", "WORKER TIMEOUT", "Exception on ", "OperationalError")
        return [line for line in self.log().splitlines() if any(marker in line for marker in markers)]

    def error_report(self, limit: int = 3) -> str:
        """The first tracebacks and error lines of the log, for a failing assertion's message."""
        lines = self.log().splitlines()
        blocks, index = [], 0
        while index < len(lines) and len(blocks) < limit:
            if any(marker in lines[index] for marker in ("Traceback", "database is locked", "WORKER TIMEOUT",
                                                          "Exception on ")):
                block = [lines[index]]
                index += 1
                while index < len(lines) and (lines[index].startswith((" ", "\t")) or "Error" in lines[index]):
                    block.append(lines[index])
                    index += 1
                blocks.append("\n".join(block[-40:]))
            else:
                index += 1
        return "\n\n".join(blocks) or "(no errors in the server log)"

    def statuses(self) -> dict[int, int]:
        """How many responses of each status the access log recorded."""
        counts: dict[int, int] = {}
        for match in re.finditer(r'HTTP/1\.[01]" (\d{3}) ', self.log()):
            status = int(match.group(1))
            counts[status] = counts.get(status, 0) + 1
        return counts


class Trainee:
    """One simulated trainee: a browser-like client with its own cookies, following redirects by hand."""

    def __init__(self, base_url: str, phone: str, timeout: float = 60.0):
        self.phone = phone
        self.client = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
        self.token = ""
        self.responses: list[tuple[str, str, int]] = []  # (method, path, status)

    def close(self) -> None:
        self.client.close()

    def _record(self, response: httpx.Response) -> httpx.Response:
        self.responses.append((response.request.method, response.request.url.path, response.status_code))
        if "csrf_token" in response.text:
            self.token = csrf_token(response.text)
        return response

    def get(self, path: str) -> httpx.Response:
        return self._record(self.client.get(path))

    def post(self, path: str, data: dict | None = None) -> httpx.Response:
        return self._record(self.client.post(path, data={"csrf_token": self.token, **(data or {})}))

    def sign_in(self) -> httpx.Response:
        self.get("/login")
        return self.post("/login", {"phone": self.phone, "password": PASSWORD})
