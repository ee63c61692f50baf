"""Serve a WSGI app over real HTTP on loopback for a test, the way gunicorn would in production."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5; sixteen people typing at once on a busy machine
    # overflow it and get their connection reset. gunicorn's backlog is 2048.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(wsgi_app: Callable[[dict, Callable], Iterable[bytes]]) -> Iterator[str]:
    """Serve `wsgi_app` on a free port; yields its base URL, e.g. http://127.0.0.1:PORT."""
    server = make_server(
        "127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="mentorbot-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
