"""HTTP mode: a WSGI application serving Slack at `/slack/events` and `/healthz`, under gunicorn."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterable

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from storage.db import database_answers

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def create_wsgi_app(app: App, engine: Engine) -> WsgiApp:
    """Route `/healthz` to a database check and everything else to Bolt."""
    slack = SlackRequestHandler(app, path=SLACK_PATH)

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = database_answers(engine)
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

    return application


class GunicornServer(BaseApplication):
    """gunicorn run from Python, building the WSGI app inside each worker after it forks.

    Building per worker keeps database connections and Bolt's listener threads out of the fork.
    """

    def __init__(self, build: Callable[[], WsgiApp], *, port: int, workers: int, log_level: str) -> None:
        self._build = build
        self._options = {
            "bind": f"0.0.0.0:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 8,
            "timeout": 30,
            "graceful_timeout": 20,
            "accesslog": "-",
            "loglevel": log_level.lower(),
            "preload_app": False,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        app = self._build()
        # Everything built so far lives as long as the worker: keep it out of the garbage
        # collector's full passes, which otherwise stall every thread of a busy worker.
        gc.collect()
        gc.freeze()
        return app
