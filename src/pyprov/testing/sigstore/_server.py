"""HTTP plumbing of a local instance: a threaded loopback server that applies the faults."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ._common import RequestRejected
from ._faults import Faults, Service

_logger = logging.getLogger(__name__)

_MAX_BODY = 16 * 1024 * 1024


def service_of(path: str) -> Service | None:
    """Return which local service a request path belongs to (the fault switches' names)."""
    if path.startswith("/api/v2/"):
        return "fulcio"
    if path.startswith("/api/v1/"):
        return "rekor"
    if path.startswith("/oidc/"):
        return "oidc"
    return None


@dataclass(frozen=True)
class Request:
    """A request as the services see it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes

    def json(self) -> Any:  # noqa: ANN401  (JSON is untyped until a service checks it)
        """Return the body parsed as JSON, or raise `RequestRejected` (400)."""
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise RequestRejected(400, "the request body is not JSON") from exc


@dataclass(frozen=True)
class Response:
    """A response from a service."""

    status: int
    body: bytes
    content_type: str = "application/json"

    @classmethod
    def json(cls, value: object, status: int = 200) -> Response:
        """Return a JSON response."""
        return cls(status, json.dumps(value).encode("utf-8"))


@dataclass(frozen=True)
class RecordedRequest:
    """A request the instance received (for assertions in tests)."""

    method: str
    path: str
    service: Service | None


Handler = Callable[[Request], Response]


@dataclass
class _State:
    handler: Handler
    faults: Faults
    stopping: threading.Event = field(default_factory=threading.Event)
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: _State) -> None:
        super().__init__(address, _RequestHandler)
        self.state = state


class _RequestHandler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so no idle keep-alive thread outlives a test.
    protocol_version = "HTTP/1.0"
    timeout = 10  # seconds a silent client may hold a handler thread (and delay stop())
    server: _HTTPServer

    def do_GET(self) -> None:
        """Handle a GET request."""
        self._dispatch()

    def do_POST(self) -> None:
        """Handle a POST request."""
        self._dispatch()

    def log_message(self, message_format: str, *args: Any) -> None:  # noqa: ANN401
        """Log to the logging module, never to stderr."""
        _logger.debug("%s %s", self.address_string(), message_format % args)

    def _dispatch(self) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        service = service_of(url.path)
        with state.lock:
            state.requests.append(RecordedRequest(self.command, url.path, service))
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._send(Response.json({"code": 400, "message": "bad Content-Length"}, 400))
            return
        if not 0 <= length <= _MAX_BODY:
            self._send(Response.json({"code": 413, "message": "request too large"}, 413))
            return
        body = self.rfile.read(length) if length else b""
        faults = state.faults
        if service is not None:
            if service in faults.timeout:
                # Like a gateway that gave up: no answer at all, the connection just closes.
                state.stopping.wait(faults.timeout[service])
                self.close_connection = True
                return
            if service in faults.delay:
                state.stopping.wait(faults.delay[service])
            if service in faults.http_500:
                self._send(Response.json({"code": 500, "message": "injected fault: HTTP 500"}, 500))
                return
        request = Request(self.command, url.path, parse_qs(url.query), self.headers, body)
        try:
            response = state.handler(request)
        except RequestRejected as exc:
            response = Response.json({"code": exc.status, "message": exc.message}, exc.status)
        except Exception:  # a bug here must reach the client as a 500, not kill the thread
            _logger.exception("local sigstore: error handling %s %s", self.command, url.path)
            response = Response.json({"code": 500, "message": "internal error"}, 500)
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 (port chosen by the OS unless given)."""

    def __init__(self, handler: Handler, faults: Faults, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._state = _State(handler, faults)
        self._httpd = _HTTPServer((host, port), self._state)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="local-sigstore",
            daemon=True,
        )

    @property
    def url(self) -> str:
        """Return the server's base URL (no trailing slash)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return a copy of the requests received so far."""
        with self._state.lock:
            return list(self._state.requests)

    def start(self) -> None:
        """Start serving in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, cut injected waits short and close the socket."""
        self._state.stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()
