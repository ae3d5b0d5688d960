"""Materials and products: files named by glob patterns relative to the working directory."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from pyprov._internal.hashing import hash_file
from pyprov.errors import ProjectError
from pyprov.run.record import RecordedFile

MAX_MATCHES = 100_000
"""Most files one pattern list may name; more is a mistake (``**`` over a build tree), not a release."""

FileStamp = tuple[int, int, int, int]
"""``(device, inode, size, mtime_ns)``: enough to tell that a file was left as it was."""


def check_patterns(patterns: Sequence[str], what: str) -> tuple[str, ...]:
    """Return the patterns; raise :class:`ProjectError` for one that could leave the working directory.

    Absolute patterns and ``..`` are refused: a product outside the working directory
    would be attested under a name that says nothing about where it came from.
    """
    for pattern in patterns:
        parts = PurePosixPath(pattern.replace("\\", "/")).parts
        if not pattern or pattern.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise ProjectError(
                f"invalid {what} pattern {pattern!r}: "
                "it must be relative to the working directory, without '..'"
            )
    return tuple(patterns)


def matching_files(workdir: Path, patterns: Iterable[str]) -> list[Path]:
    """Every regular file under ``workdir`` a pattern matches, sorted, each once.

    Symbolic links are followed only when they stay inside ``workdir``; hidden staging
    files of pyprov (``.pyprov-*``) never match.
    """
    root = workdir.resolve()
    found: dict[str, Path] = {}
    for pattern in patterns:
        for path in workdir.glob(pattern):
            if not path.is_file() or any(part.startswith(".pyprov-") for part in path.parts):
                continue
            resolved = path.resolve()
            if resolved != root and root not in resolved.parents:
                continue  # a link out of the working directory: not a file of this run
            found.setdefault(path.relative_to(workdir).as_posix(), path)
            if len(found) > MAX_MATCHES:
                raise ProjectError(f"the patterns match more than {MAX_MATCHES} files: narrow them")
    return [found[key] for key in sorted(found)]


def record_files(workdir: Path, paths: Iterable[Path]) -> tuple[RecordedFile, ...]:
    """Hash each file (SHA-256 and SHA-512, streamed) and describe it relative to ``workdir``."""
    recorded = []
    for path in paths:
        try:
            size = path.stat().st_size
            digests = hash_file(path)
        except OSError as error:
            raise ProjectError(f"cannot read {path}: {error.strerror or error}") from error
        recorded.append(RecordedFile(path=path.relative_to(workdir).as_posix(), size=size, digests=digests))
    return tuple(recorded)


def stamps(workdir: Path, paths: Iterable[Path]) -> dict[str, FileStamp]:
    """The :data:`FileStamp` of each file, by path relative to ``workdir``."""
    found = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            continue
        found[path.relative_to(workdir).as_posix()] = (
            info.st_dev,
            info.st_ino,
            info.st_size,
            info.st_mtime_ns,
        )
    return found


def is_inside(path: Path, directory: Path) -> bool:
    """Whether ``path`` (resolved) lies in ``directory`` (resolved)."""
    resolved, root = Path(os.path.realpath(path)), Path(os.path.realpath(directory))
    return resolved == root or root in resolved.parents
