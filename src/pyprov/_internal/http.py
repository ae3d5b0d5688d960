"""Bounded HTTP GETs of untrusted documents and files, over connections kept open between requests.

One urllib3 pool manager per process serves every request, from any thread: the next request to
the same host reuses a connection, so its DNS lookup and TLS handshake are not made again (as
pip's and uv's are not). TLS is verified with the system's CA certificates, as urllib verifies
(``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` honoured); proxies come from the environment as urllib
reads them (``https_proxy``, ``http_proxy``, ``no_proxy``). A redirect is followed only to the
same scheme and host, at most :data:`MAX_REDIRECTS` times; nothing is decompressed; what is
read is bounded by the caller's limit.
"""

from __future__ import annotations

import functools
import hashlib
import os
import ssl
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import urllib3

from pyprov.errors import ProjectError

TIMEOUT = 60.0
"""Seconds to connect, and between two reads, before a request fails."""
MAX_REDIRECTS = 10
CONNECTIONS_PER_HOST = 32
"""Connections kept open per host: enough for every thread of a parallel run (``-j`` is at most 32)."""
_CHUNK = 1 << 20
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NOT_FOUND = 404


class NotFoundError(ProjectError):
    """The server has no such document (HTTP 404)."""


def check_url(url: str, what: str) -> None:
    """Raise :class:`~pyprov.errors.ProjectError` unless ``url`` is an http(s) URL with a host."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise ProjectError(f"{what}: {url!r} is not an http(s) URL")


def fetch(url: str, limit: int, *, accept: str) -> bytes:
    """The body of ``url``, refused unread beyond ``limit`` bytes.

    Raises :class:`NotFoundError` for HTTP 404 and :class:`~pyprov.errors.ProjectError` for any
    other failure, each naming the URL.
    """
    chunks, size = [], 0
    with _response(url, accept) as response:
        while block := _read(response, url, min(_CHUNK, limit + 1 - size), "fetch"):
            chunks.append(block)
            size += len(block)
            if size > limit:  # raised inside: the connection, with bytes unread, is closed
                raise ProjectError(f"{url} is larger than {limit >> 20} MiB: not read")
    return b"".join(chunks)


def download(url: str, path: Path, limit: int) -> str:
    """Stream ``url`` to ``path``, refusing more than ``limit`` bytes; return its hex SHA-256."""
    digest, size = hashlib.sha256(), 0
    with _response(url, "*/*") as response, path.open("wb") as file:
        while block := _read(response, url, _CHUNK, "download"):
            size += len(block)
            if size > limit:
                raise ProjectError(f"{url} is larger than {limit >> 20} MiB: not downloaded")
            digest.update(block)
            file.write(block)
    return digest.hexdigest()


@contextmanager
def _response(url: str, accept: str) -> Iterator[urllib3.BaseHTTPResponse]:
    """The response to a GET of ``url`` after same-host redirects; its connection kept only if read."""
    response = _get(url, accept)
    try:
        yield response
    except BaseException:
        response.close()  # unread bytes: the connection is not reused
        raise
    finally:
        response.release_conn()


def _get(url: str, accept: str) -> urllib3.BaseHTTPResponse:
    for _ in range(MAX_REDIRECTS + 1):
        check_url(url, "URL")
        try:
            response = _manager(url).request(
                "GET",
                url,
                headers={"Accept": accept, "User-Agent": "pyprov"},
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
                timeout=urllib3.Timeout(connect=TIMEOUT, read=TIMEOUT),
            )
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise ProjectError(f"cannot fetch {url}: {_reason(error)}") from error
        if response.status in _REDIRECTS and response.headers.get("Location"):
            target = urllib.parse.urljoin(url, response.headers["Location"])
            response.close()
            response.release_conn()
            old, new = urllib.parse.urlsplit(url), urllib.parse.urlsplit(target)
            if (old.scheme, old.netloc) != (new.scheme, new.netloc):
                raise ProjectError(f"{url} redirects to another host ({target}): not followed")
            url = target
            continue
        if response.status >= 400:  # noqa: PLR2004 - HTTP client and server errors
            response.close()
            response.release_conn()
            if response.status == _NOT_FOUND:
                raise NotFoundError(f"cannot fetch {url}: HTTP 404 {response.reason or 'Not Found'}")
            raise ProjectError(f"cannot fetch {url}: HTTP {response.status} {response.reason or ''}".rstrip())
        return response
    raise ProjectError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _read(response: urllib3.BaseHTTPResponse, url: str, amount: int, verb: str) -> bytes:
    try:
        return response.read(amount, decode_content=False)
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise ProjectError(f"cannot {verb} {url}: {_reason(error)}") from error


def _reason(error: BaseException) -> str:
    """The innermost cause urllib3 wraps (a refused connection, a certificate, a timeout)."""
    reason = getattr(error, "reason", None)
    return str(reason if isinstance(reason, BaseException) else error)


_managers: dict[str | None, urllib3.PoolManager] = {}
_lock = threading.Lock()


_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _manager(url: str) -> urllib3.PoolManager:
    """The process's pool manager for ``url``: direct, or through the environment's proxy for it."""
    parts = urllib.parse.urlsplit(url)
    settings = tuple(os.environ.get(name) or os.environ.get(name.upper()) for name in _PROXY_VARIABLES)
    proxy = _proxy(parts.scheme, parts.netloc, settings)
    with _lock:
        manager = _managers.get(proxy)
        if manager is None:
            context = ssl.create_default_context()
            manager = (
                urllib3.ProxyManager(proxy, maxsize=CONNECTIONS_PER_HOST, ssl_context=context)
                if proxy
                else urllib3.PoolManager(maxsize=CONNECTIONS_PER_HOST, ssl_context=context)
            )
            _managers[proxy] = manager
        return manager


@functools.lru_cache(maxsize=256)
def _proxy(scheme: str, netloc: str, settings: tuple[str | None, ...]) -> str | None:
    """The proxy urllib would use for ``scheme://netloc``; asked once per host and ``settings``.

    (urllib reads the environment again for each request: most of a loopback request's CPU.)
    """
    del settings  # the environment's proxy variables: a part of the cache's key only
    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or urllib.request.proxy_bypass(netloc):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"
