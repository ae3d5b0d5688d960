"""URL helpers."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def strip_credentials(url: str) -> str:
    """Remove a user name and password from a URL (``https://user:token@host/x`` -> ``https://host/x``).

    scp-like git addresses (``git@github.com:owner/repo``) carry no credentials and are kept.
    """
    parts = urlsplit(url)
    if not parts.netloc or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
