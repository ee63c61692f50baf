"""A fake Slack Socket Mode server: a real WebSocket (RFC 6455) on loopback, standard library only.

Socket Mode works like this: the app calls `apps.connections.open` with its App-Level token and
gets a WebSocket URL; it connects there and Slack says `{"type": "hello", ...}`; Slack then sends
envelopes (`slash_commands`, `events_api`, `interactive`) and the app acknowledges each one by
sending `{"envelope_id": ..., "payload": ...}` back, the payload being what it would have answered
over HTTP.

Give `FakeSocketMode.url` to `FakeSlack.socket_url`, start mentorbot, then `deliver(envelope)`
hands an envelope to the connected app and returns its ack. The builders below make envelopes
with the fields Slack really sends.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import itertools
import json
import socket
import socketserver
import struct
import threading
import time
import uuid
from typing import Any, BinaryIO

from tests.fakes.slack_api import TEAM_ID

APP_ID = "AMENTORBOT"

_WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_CONTINUATION, _TEXT, _BINARY, _CLOSE, _PING, _PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_MAX_HANDSHAKE = 16 * 1024
_ids = itertools.count(1)


class ProtocolError(Exception):
    """The client broke RFC 6455; the fake closes the connection and records why."""


class FakeSocketMode:
    """The fake server; use as a context manager or call `start()` and `stop()`."""

    def __init__(self, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self.path = f"/link/?ticket={uuid.uuid4().hex}&app_id={app_id}"
        self.connections = 0
        self.received: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self._lock = threading.Condition()
        self._current: _Connection | None = None
        self._live: set[_Connection] = set()
        self._server: socketserver.ThreadingTCPServer | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        """Serve on a free loopback port in a background thread."""
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                fake._serve(self.request, self.rfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-socket-mode", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        """Stop accepting, and drop every open connection without a close frame."""
        if self._server is None:
            return
        self._server.shutdown()
        with self._lock:
            live = list(self._live)
        for connection in live:
            connection.drop()
        self._server.server_close()
        self._server = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The WebSocket URL `apps.connections.open` should hand out, shaped like Slack's."""
        assert self._server is not None, "FakeSocketMode is not started"
        host, port = self._server.server_address[:2]
        return f"ws://{host}:{port}{self.path}"

    # -- test controls ---------------------------------------------------------------------------

    def wait_connected(self, timeout: float = 30.0) -> bool:
        """Wait until an app has connected and been sent `hello`; False if none did in time."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._current is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    def send(self, message: dict[str, Any]) -> None:
        """Send `message` as one text frame to the newest connection."""
        with self._lock:
            connection = self._current
        assert connection is not None, "no app is connected to the fake Socket Mode server"
        connection.send_text(json.dumps(message))

    def wait_for_ack(self, envelope_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """Wait for the app's acknowledgement of `envelope_id` and return it."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for message in self.received:
                    if message.get("envelope_id") == envelope_id and "type" not in message:
                        return message
                remaining = deadline - time.monotonic()
                assert remaining > 0, (
                    f"the app did not acknowledge envelope {envelope_id} within {timeout} s; "
                    f"it sent {self.received}; protocol problems: {self.problems or 'none'}"
                )
                self._lock.wait(remaining)

    def deliver(self, envelope: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
        """Send an envelope the way Slack does and return the app's ack for it."""
        self.send(envelope)
        return self.wait_for_ack(envelope["envelope_id"], timeout)

    # -- the server side -------------------------------------------------------------------------

    def _serve(self, sock: socket.socket, rfile: BinaryIO) -> None:
        connection = _Connection(sock)
        with self._lock:
            self._live.add(connection)
        try:
            connection.handshake(rfile, expected_path=self.path)
            self._say_hello(connection)
            while True:
                text = connection.read_text(rfile)
                if text is None:
                    return
                with self._lock:
                    self.received.append(json.loads(text))
                    self._lock.notify_all()
        except (ProtocolError, json.JSONDecodeError) as error:
            with self._lock:
                self.problems.append(str(error))
            if connection.is_open:
                connection.close(1002, "protocol error")
        except OSError:
            pass  # the app went away, or stop() dropped the connection
        finally:
            with self._lock:
                self._live.discard(connection)
                if self._current is connection:
                    self._current = None
            connection.drop()

    def _say_hello(self, connection: _Connection) -> None:
        with self._lock:
            self.connections += 1
            hello = {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {
                    "host": "applink-fake",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
            connection.send_text(json.dumps(hello))
            self._current = connection
            self._lock.notify_all()


class _Connection:
    """One app's WebSocket: the server side of RFC 6455, text frames only."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._send_lock = threading.Lock()
        self._closed = False
        self.is_open = False

    def handshake(self, rfile: BinaryIO, expected_path: str) -> None:
        """Answer the opening handshake; anything but a WebSocket upgrade of our URL gets an HTTP error."""
        raw = b""
        while not raw.endswith(b"\r\n\r\n"):
            line = rfile.readline(_MAX_HANDSHAKE)
            if not line:
                raise ProtocolError(f"the connection ended during the opening handshake: {raw!r}")
            raw += line
            if len(raw) > _MAX_HANDSHAKE:
                raise ProtocolError("handshake request too long")
        request_line, *header_lines = raw.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines if line)
        }
        key = headers.get("sec-websocket-key", "")
        if request_line.split(" ")[:2] != ["GET", expected_path]:
            self._http_error("404 Not Found")
            raise ProtocolError(f"{request_line!r} is not a request for {expected_path}")
        if (
            headers.get("upgrade", "").lower() != "websocket"
            or "upgrade" not in headers.get("connection", "").lower()
            or headers.get("sec-websocket-version") != "13"
            or not _is_websocket_key(key)
        ):
            self._http_error("400 Bad Request")
            raise ProtocolError(f"not a WebSocket opening handshake: {raw!r}")
        accept = base64.b64encode(hashlib.sha1((key + _WEBSOCKET_GUID).encode()).digest()).decode()
        self._send(
            (
                "HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n"
                "\r\n"
            ).encode()
        )
        self.is_open = True

    def read_text(self, rfile: BinaryIO) -> str | None:
        """The next text message, answering pings on the way; None once the app closes."""
        message = b""
        message_opcode: int | None = None
        while True:
            frame = _read_frame(rfile)
            if frame is None:
                return None
            fin, opcode, payload = frame
            if opcode == _PING:
                self._send(_frame(_PONG, payload))
            elif opcode == _PONG:
                pass
            elif opcode == _CLOSE:
                self.close(struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1000, "")
                return None
            elif opcode in (_TEXT, _BINARY) and message_opcode is None:
                message_opcode, message = opcode, payload
            elif opcode == _CONTINUATION and message_opcode is not None:
                message += payload
            else:
                raise ProtocolError(f"unexpected frame opcode {opcode:#x}")
            if fin and message_opcode is not None and opcode in (_TEXT, _BINARY, _CONTINUATION):
                if message_opcode != _TEXT:
                    raise ProtocolError("Socket Mode apps send text frames, not binary")
                return message.decode("utf-8")

    def send_text(self, text: str) -> None:
        """Send one unfragmented, unmasked text frame, as Slack does."""
        self._send(_frame(_TEXT, text.encode("utf-8")))

    def close(self, code: int, reason: str) -> None:
        """Send a close frame (once) and stop talking."""
        if self._closed:
            return
        with contextlib.suppress(OSError):
            self._send(_frame(_CLOSE, struct.pack("!H", code) + reason.encode()))
        self._closed = True

    def drop(self) -> None:
        """Shut the TCP connection down at once."""
        self._closed = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    def _http_error(self, status: str) -> None:
        self._send(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())

    def _send(self, data: bytes) -> None:
        with self._send_lock:
            self.sock.sendall(data)


def _is_websocket_key(key: str) -> bool:
    """True for a Sec-WebSocket-Key: 16 bytes in base64."""
    try:
        return len(base64.b64decode(key, validate=True)) == 16
    except binascii.Error:
        return False


def _read_frame(rfile: BinaryIO) -> tuple[bool, int, bytes] | None:
    """One client frame as (fin, opcode, unmasked payload); None at end of stream."""
    head = rfile.read(2)
    if len(head) < 2:
        return None
    fin, opcode = bool(head[0] & 0x80), head[0] & 0x0F
    if head[0] & 0x70:
        raise ProtocolError("reserved bits set without a negotiated extension")
    if not head[1] & 0x80:
        raise ProtocolError("a client frame was not masked (RFC 6455 section 5.1)")
    length = head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", _read_exactly(rfile, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", _read_exactly(rfile, 8))[0]
    if opcode >= _CLOSE and (length > 125 or not fin):
        raise ProtocolError("a control frame was fragmented or longer than 125 bytes")
    mask = _read_exactly(rfile, 4)
    masked = _read_exactly(rfile, length)
    return fin, opcode, bytes(byte ^ mask[i % 4] for i, byte in enumerate(masked))


def _read_exactly(rfile: BinaryIO, count: int) -> bytes:
    data = rfile.read(count)
    if len(data) < count:
        raise ProtocolError(f"the connection ended inside a frame ({len(data)} of {count} bytes)")
    return data


def _frame(opcode: int, payload: bytes) -> bytes:
    """A final, unmasked server frame."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return header + payload


# -- envelopes, as Slack sends them --------------------------------------------------------------


def envelope_id() -> str:
    """A fresh envelope id, unique in this test run."""
    return f"{uuid.uuid4()}-{next(_ids)}"


def slash_command(
    text: str, *, user_id: str = "UALICE", command: str = "/mentor", team_id: str = TEAM_ID
) -> dict[str, Any]:
    """A `slash_commands` envelope: `user_id` typed `{command} {text}`."""
    return {
        "envelope_id": envelope_id(),
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "team_domain": "mentorbot-test",
            "channel_id": "C0GENERAL",
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.invalid/commands/{team_id}/1/abc",
            "trigger_id": f"{next(_ids)}.1.trigger",
        },
    }


def event(event: dict[str, Any], *, team_id: str = TEAM_ID) -> dict[str, Any]:
    """An `events_api` envelope carrying an `event_callback` for `event`."""
    return {
        "envelope_id": envelope_id(),
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": {"event_ts": f"{time.time():.6f}", **event},
            "type": "event_callback",
            "event_id": f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team_id, "user_id": "UMENTORBOT", "is_bot": True, "is_enterprise_install": False}
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{next(_ids)}",
        },
    }


def app_home_opened(user_id: str = "UALICE") -> dict[str, Any]:
    """An `events_api` envelope: `user_id` opened the bot's Home tab."""
    return event({"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"})
