"""URL helpers: credentials out of URLs, and one spelling per git repository."""

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


_FORGES = ("github.com", "gitlab.com")


def normal_repository_url(url: str) -> str:
    """One spelling of a GitHub or GitLab repository's address, to compare two of them.

    ``git+`` prefixes, trailing slashes and ``.git`` go; ``ssh://git@HOST/`` and scp-like
    ``git@HOST:`` become ``https://HOST/`` for github.com and gitlab.com (other hosts keep
    their scheme: their SSH and HTTPS addresses need not name the same repository).
    """
    url = url.strip().removeprefix("git+").rstrip("/").removesuffix(".git")
    for host in _FORGES:
        for prefix in (f"ssh://git@{host}/", f"git@{host}:"):
            if url.startswith(prefix):
                return f"https://{host}/" + url.removeprefix(prefix)
    return url
