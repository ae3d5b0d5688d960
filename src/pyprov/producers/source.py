"""The source of a build: what git says about the directory, and the digest of an sdist's file list."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

from pyprov._internal.archives import sdist_members
from pyprov._internal.process import ToolError, run_tool
from pyprov._internal.urls import strip_credentials
from pyprov.record import FileList, GitSource

# Read-only queries; fsmonitor hooks are switched off so that a query never runs a
# repository-configured program.
_GIT = ("git", "-c", "core.fsmonitor=false", "--no-optional-locks")
_STATUS_CODE = len("XY ")


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = run_tool([*_GIT, *args], cwd=cwd, timeout=30)
    except ToolError:
        return None
    return done.text() if done.ok else None


def git_source(path: Path) -> GitSource | None:
    """Describe the git checkout ``path`` lies in, or return ``None`` if it is not in one.

    Git refusing the repository (not a checkout, no commit yet, unsafe ownership) or not
    being installed all mean ``None``: the record then has no git section.
    """
    if shutil.which("git") is None:
        return None
    top = _git(path, "rev-parse", "--show-toplevel")
    commit = _git(path, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if top is None or commit is None:
        return None
    root = Path(top.strip())
    ref = _git(path, "symbolic-ref", "-q", "HEAD")
    tags = _git(path, "tag", "--points-at", "HEAD") or ""
    status = _git(path, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".") or ""
    return GitSource(
        commit=commit.strip(),
        remote=_remote_url(path),
        ref=ref.strip() if ref else None,
        tags=tuple(sorted(tags.split())),
        dirty=bool(status),
        modified=_status_paths(status),
        subdirectory=_relative(path, root),
    )


def _relative(path: Path, root: Path) -> str:
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    return "" if relative == "." else relative


def _remote_url(path: Path) -> str | None:
    remotes = (_git(path, "remote") or "").split()
    if not remotes:
        return None
    name = "origin" if "origin" in remotes else remotes[0]
    url = _git(path, "remote", "get-url", name)
    return strip_credentials(url.strip()) if url else None


def _status_paths(status: str) -> tuple[str, ...]:
    # `-z` entries are "XY path", and renames are followed by their old path as an extra entry.
    entries = iter(status.split("\0"))
    paths = []
    for entry in entries:
        if len(entry) <= _STATUS_CODE:
            continue
        paths.append(entry[_STATUS_CODE:])
        if entry[0] in "RC":
            next(entries, None)
    return tuple(sorted(paths))


def commit_time(path: Path) -> int | None:
    """The committer time of ``HEAD`` of the checkout ``path`` lies in (seconds), or ``None``."""
    out = _git(path, "log", "-1", "--format=%ct", "HEAD")
    try:
        return int(out.strip()) if out else None
    except ValueError:
        return None


def sdist_file_list(sdist: Path, names: Sequence[str] | None = None) -> FileList:
    """Digest of an sdist's member names: sorted, one per line, UTF-8.

    ``names``: the sorted member names, when the sdist has been read already.
    """
    names = sdist_members(sdist) if names is None else names
    return FileList(sha256=hashlib.sha256("\n".join(names).encode()).hexdigest(), count=len(names))
