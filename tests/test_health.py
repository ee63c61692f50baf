"""`/healthz` answers 200 while the database answers, and 503 when it does not."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from wsgiref.simple_server import make_server

import pytest
from sqlalchemy import Engine

from bot.app import create_app
from bot.config import Settings
from bot.web import create_wsgi_app
from storage.db import create_db_engine, create_session_factory
from tests.conftest import TestDatabase


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _serve_health(settings: Settings, engine: Engine) -> tuple[str, callable]:
    app = create_app(settings, create_session_factory(engine))
    server = make_server("127.0.0.1", 0, create_wsgi_app(app, engine))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_port}/healthz", stop


def test_healthy_when_the_database_answers(settings: Settings, database: TestDatabase) -> None:
    url, stop = _serve_health(settings, database.engine)
    try:
        assert _get(url) == (200, {"ok": True, "database": "up"})
    finally:
        stop()


def test_unavailable_when_the_database_does_not_answer(settings: Settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = create_db_engine(f"postgresql+psycopg://nobody@127.0.0.1:{port}/gone?connect_timeout=2")
    url, stop = _serve_health(settings, engine)
    try:
        assert _get(url) == (503, {"ok": False, "database": "down"})
    finally:
        stop()
        engine.dispose()


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_health_path_only_answers_reads(settings: Settings, database: TestDatabase, method: str) -> None:
    url, stop = _serve_health(settings, database.engine)
    try:
        request = urllib.request.Request(url, data=b"", method=method)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 404
    finally:
        stop()
