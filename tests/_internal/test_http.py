"""`pyprov._internal.http`: bounded GETs over kept-open connections, against real loopback servers.

Each server is the standard library's HTTP/1.1 server on 127.0.0.1; it counts the connections
it accepts, so that reuse is observed on the server's side, not assumed from the client's.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pyprov._internal import http
from pyprov.errors import ProjectError

BIG = bytes(range(256)) * 64  # 16 KiB


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that stops reading (a body over its limit) resets the connection: expected."""


class _Server:
    def __init__(self) -> None:
        self.connections = 0
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                server.connections += 1
                super().setup()

            def log_message(self, format: str, *args: object) -> None:
                del format, args

            def do_GET(self) -> None:
                server.requests.append(self.path)
                routes = {
                    "/small": (200, {}, b"small"),
                    "/big": (200, {}, BIG),
                    "/gzip": (200, {"Content-Encoding": "gzip"}, gzip.compress(b"x" * 1000)),
                    "/hop": (302, {"Location": "/small"}, b""),
                    "/away": (302, {"Location": "http://127.0.0.2:1/small"}, b""),
                    "/loop": (302, {"Location": "/loop"}, b""),
                    "/broken": (500, {}, b"oops"),
                }
                status, headers, body = routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server()
    thread = threading.Thread(target=running.httpd.serve_forever, daemon=True)
    thread.start()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()


def test_requests_to_one_host_reuse_a_connection(server: _Server) -> None:
    for _ in range(20):
        assert http.fetch(f"{server.url}/small", 100, accept="*/*") == b"small"
    assert server.connections == 1
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda _: http.fetch(f"{server.url}/big", len(BIG), accept="*/*"), range(80)))
    assert bodies == [BIG] * 80
    assert server.connections <= 1 + 8  # at most one per thread, kept for the next request


def test_a_body_over_the_limit_is_refused_and_its_connection_not_reused(server: _Server) -> None:
    with pytest.raises(ProjectError, match=r"/big is larger than 0 MiB: not read$"):
        http.fetch(f"{server.url}/big", 1000, accept="*/*")
    # The unread rest of /big must not become the start of the next response.
    assert http.fetch(f"{server.url}/small", 100, accept="*/*") == b"small"
    assert server.connections == 2


def test_download_streams_hashes_and_bounds(server: _Server, tmp_path: Path) -> None:
    import hashlib

    target = tmp_path / "file"
    assert http.download(f"{server.url}/big", target, len(BIG)) == hashlib.sha256(BIG).hexdigest()
    assert target.read_bytes() == BIG
    with pytest.raises(ProjectError, match="is larger than 0 MiB: not downloaded"):
        http.download(f"{server.url}/big", target, len(BIG) - 1)


def test_nothing_is_decompressed(server: _Server) -> None:
    raw = http.fetch(f"{server.url}/gzip", 10_000, accept="*/*")
    assert gzip.decompress(raw) == b"x" * 1000  # the bytes as sent, not inflated


def test_redirects_same_host_only_and_bounded(server: _Server) -> None:
    assert http.fetch(f"{server.url}/hop", 100, accept="*/*") == b"small"
    with pytest.raises(ProjectError, match=r"redirects to another host \(http://127.0.0.2:1/small\)"):
        http.fetch(f"{server.url}/away", 100, accept="*/*")
    with pytest.raises(ProjectError, match=f"more than {http.MAX_REDIRECTS} redirects"):
        http.fetch(f"{server.url}/loop", 100, accept="*/*")
    assert "//127.0.0.2" not in "".join(server.requests)


def test_errors_name_the_url_and_the_status(server: _Server) -> None:
    with pytest.raises(http.NotFoundError, match=f"cannot fetch {server.url}/nothing: HTTP 404"):
        http.fetch(f"{server.url}/nothing", 100, accept="*/*")
    with pytest.raises(ProjectError, match=f"cannot fetch {server.url}/broken: HTTP 500 Internal Server"):
        http.fetch(f"{server.url}/broken", 100, accept="*/*")
    with pytest.raises(ProjectError, match="is not an http"):
        http.fetch("file:///etc/passwd", 100, accept="*/*")
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    with pytest.raises(ProjectError, match=f"^cannot fetch http://127.0.0.1:{port}/: .*[Rr]efused"):
        http.fetch(f"http://127.0.0.1:{port}/", 100, accept="*/*")


def test_the_environments_proxy_is_used(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    # The loopback server acts as the proxy: a request for another host reaches it with the
    # absolute URL in its request line, as a forward proxy receives it (nothing is resolved).
    monkeypatch.setenv("http_proxy", server.url)
    monkeypatch.setenv("no_proxy", "")
    with pytest.raises(http.NotFoundError):
        http.fetch("http://index.example.invalid/simple/", 100, accept="*/*")
    assert server.requests == ["http://index.example.invalid/simple/"]


def test_no_proxy_bypasses_it(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    proxy = f"http://127.0.0.1:{dead.server_address[1]}"
    dead.server_close()
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.setenv("no_proxy", "")
    with pytest.raises(ProjectError, match=r"[Rr]efused"):  # through the (dead) proxy
        http.fetch(f"{server.url}/small", 100, accept="*/*")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assert http.fetch(f"{server.url}/small", 100, accept="*/*") == b"small"
