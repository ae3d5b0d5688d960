"""A package index on 127.0.0.1 for tests: PEP 691 JSON pages and PEP 740 provenance, as PyPI serves them.

``LocalIndex(directory)`` serves every distribution in ``directory``: the project page
``/simple/<name>/`` lists each file with its SHA-256 and, when ``<file>.provenance`` lies
beside it, a ``provenance`` URL in PyPI's integrity-API form
(``/integrity/<name>/<version>/<file>/provenance``). With ``api_version`` below 1.3 the
page names no provenance (the integrity API still serves it). ``tampered`` names files whose
bytes are served with one byte changed (the page keeps the true hash); ``yanked`` names files
the page marks as yanked (PEP 592); ``redirect`` sends every file request to another URL;
``cacheable`` serves files with the ``Cache-Control`` header PyPI sends (installers cache them).
``requests`` lists the path of every request, in the order they arrived. Connections are kept
open between requests (HTTP/1.1), as a real index keeps them.
For tests and demos only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

__all__ = ["LocalIndex"]


class _Server(ThreadingHTTPServer):
    """A threading HTTP server for which a client closing its connection is not an error.

    A client may close a kept-open connection with bytes unsent or unread (pyprov closes one
    after an error status): the request's thread then meets a reset or broken pipe, which the
    standard server would print as a traceback onto the test's output.
    """

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ANN401 - socketserver's
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LocalIndex:
    """A threaded HTTP index over a directory of distributions; use it as a context manager."""

    def __init__(
        self,
        directory: Path,
        *,
        tampered: frozenset[str] = frozenset(),
        redirect: str | None = None,
        api_version: str = "1.3",
        yanked: frozenset[str] = frozenset(),
        cacheable: bool = False,
    ) -> None:
        self.api_version = api_version
        self.cacheable = cacheable
        self.yanked = yanked
        self.directory = directory
        self.tampered = tampered
        self.redirect = redirect
        self.requests: list[str] = []
        self._hashes: dict[tuple[str, int, int, int], str] = {}
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The simple API's root, ``http://127.0.0.1:<port>/simple/``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/simple/"

    def __enter__(self) -> LocalIndex:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _distributions(self) -> list[tuple[str, str, str]]:
        """(file name, normalised project name, version) of each distribution in the directory.

        The directory is listed on every request (tests add files while it serves); names
        are parsed once each, so that a page costs the index little CPU beside its client's.
        """
        names = sorted(os.listdir(self.directory))  # noqa: PTH208 - names only: no Path per entry
        found = (_parse_filename(name) for name in names)
        return [entry for entry in found if entry is not None]

    def _sha256(self, filename: str) -> str:
        """The file's SHA-256, hashed again whenever its size, times or inode change."""
        status = (self.directory / filename).stat()
        key = (filename, status.st_size, status.st_mtime_ns, status.st_ino)
        digest = self._hashes.get(key)
        if digest is None:
            digest = hashlib.sha256((self.directory / filename).read_bytes()).hexdigest()
            self._hashes[key] = digest
        return digest

    def page(self, project: str) -> dict[str, object] | None:
        """The PEP 691 JSON page of ``project`` (``None``: no such project)."""
        files, wanted = [], canonicalize_name(project)
        for filename, name, version in self._distributions():
            if name != wanted:
                continue
            entry: dict[str, object] = {
                "filename": filename,
                "url": f"../../files/{urllib.parse.quote(filename)}",
                "hashes": {"sha256": self._sha256(filename)},
            }
            if filename in self.yanked:
                entry["yanked"] = "yanked by the test"
            if (self.directory / f"{filename}.provenance").is_file() and self.api_version >= "1.3":
                entry["provenance"] = f"/integrity/{name}/{version}/{urllib.parse.quote(filename)}/provenance"
            files.append(entry)
        if not files:
            return None
        return {"meta": {"api-version": self.api_version}, "name": canonicalize_name(project), "files": files}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        index = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # connections kept open between requests, as PyPI's are
            disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK stall

            def log_message(self, format: str, *args: object) -> None:
                del format, args

            def _send(self, status: int, body: bytes, content_type: str, *, cache: bool = False) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if cache and index.cacheable:
                    self.send_header("Cache-Control", "max-age=365000000, immutable, public")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                index.requests.append(self.path)
                parts = [urllib.parse.unquote(part) for part in self.path.split("?")[0].strip("/").split("/")]
                if len(parts) == 2 and parts[0] == "simple":  # noqa: PLR2004
                    page = index.page(parts[1])
                    if page is None:
                        self._send(404, b"not found", "text/plain")
                    else:
                        self._send(200, json.dumps(page).encode(), "application/vnd.pypi.simple.v1+json")
                    return
                if len(parts) == 2 and parts[0] == "files" and "/" not in parts[1]:  # noqa: PLR2004
                    if index.redirect is not None:
                        self.send_response(302)
                        self.send_header("Location", index.redirect)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    path = index.directory / parts[1]
                    if not path.is_file():
                        self._send(404, b"not found", "text/plain")
                        return
                    data = bytearray(path.read_bytes())
                    if parts[1] in index.tampered:
                        data[len(data) // 2] ^= 0x01
                    self._send(200, bytes(data), "application/octet-stream", cache=True)
                    return
                if len(parts) == 5 and parts[0] == "integrity" and parts[4] == "provenance":  # noqa: PLR2004
                    path = index.directory / f"{parts[3]}.provenance"
                    if "/" in parts[3] or not path.is_file():
                        self._send(404, b"not found", "text/plain")
                        return
                    self._send(200, path.read_bytes(), "application/json")
                    return
                self._send(404, b"not found", "text/plain")

        return Handler


@functools.lru_cache(maxsize=4096)
def _parse_filename(filename: str) -> tuple[str, str, str] | None:
    """(file name, normalised project, version) of a wheel or sdist name; ``None`` for other files."""
    if filename.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(filename)
    elif filename.endswith((".tar.gz", ".zip")):
        name, version = parse_sdist_filename(filename)
    else:
        return None
    return filename, str(name), str(version)
