"""Gunicorn settings for Cunke: `gunicorn -c gunicorn.conf.py 'app:app'` behind nginx.

Every setting can be overridden on the command line (`--bind`, `--workers`, ...) or with the
environment variables named below. See docs/deploy.md.

Workers are synchronous: nginx buffers slow phone connections, so a worker is busy only while
the application works on a request. Sign-in hashes the password with Argon2id (19 MiB and
about 20 ms of CPU on purpose, lms/accounts/passwords.py), so workers are sized by both CPU count
and memory.
"""

from __future__ import annotations

import os

MIB = 1024 * 1024
WORKER_MEMORY = 200 * MIB  # one worker after a sign-in: the application (~120 MiB), one Argon2 hash (19 MiB), room
RESERVED_MEMORY = 512 * MIB  # the system, nginx and, on one server, the database's page cache


def _total_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def default_workers(cpus: int | None = None, memory: int | None = None) -> int:
    """2 × CPU + 1, the usual count for synchronous workers, but never more than the memory holds."""
    cpus = cpus or os.cpu_count() or 1
    workers = 2 * cpus + 1
    if memory:
        workers = min(workers, (memory - RESERVED_MEMORY) // WORKER_MEMORY)
    return max(2, workers)


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers(memory=_total_memory()))
worker_class = "sync"

# A worker that answers nothing for `timeout` seconds is restarted. The slowest request is a PDF
# of sign-in cards for a whole workshop; nginx's proxy_read_timeout is set above this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30  # on restart, requests in progress get this long to finish
keepalive = 5

# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids all at once.
max_requests = 5000
max_requests_jitter = 500

# Load the application once in the master, then fork: workers share its memory and a broken
# deployment fails at start instead of in every worker. (Reload code with a restart, not HUP.)
preload_app = True

# Logs: the access log with the time taken (microseconds) and the client address nginx saw.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'

# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Behind nginx on the same machine. With nginx on another host, list its address here
# (FORWARDED_ALLOW_IPS) and set LMS_TRUSTED_PROXIES=1 for the application.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


def when_ready(server):
    """In the master, before the first fork: each worker then starts with compiled templates and
    loaded languages instead of spending its first request on them (lms/warm.py)."""
    if not server.cfg.preload_app:
        return
    from lms.warm import warm_up

    warm_up(server.app.wsgi())


def post_fork(server, worker):
    """Database connections are never shared between processes: drop any the master opened."""
    if not server.cfg.preload_app:
        return
    from lms.reads import dispose_connections

    dispose_connections(server.app.wsgi(), close=False)
