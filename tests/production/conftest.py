"""Fixtures for production tests: a prepared database and gunicorn servers that are always stopped."""

from __future__ import annotations

import pytest

from tests.production.live import Deployment, GunicornServer


@pytest.fixture
def deployment(tmp_path):
    deployment = Deployment.create(tmp_path)
    yield deployment
    deployment.close()


@pytest.fixture
def gunicorn(tmp_path):
    """Start servers with `gunicorn(deployment, **env)`; every one is killed at the end, whatever happened."""
    servers: list[GunicornServer] = []

    def start(deployment: Deployment, port: int | None = None, **env: str) -> GunicornServer:
        server = GunicornServer(deployment, tmp_path, port=port, **env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.kill()
