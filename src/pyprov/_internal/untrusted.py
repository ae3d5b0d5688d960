"""Reading files pyprov did not write: one bounded reader and one depth-bounded JSON loader.

Every file a user names (or pyprov finds beside an artifact) is hostile until checked. The
reader opens it without blocking and without following a final symlink when asked,
checks with ``fstat`` that it is a regular file *before* reading (a FIFO, a device or a
directory would block or never end), and reads at most ``limit`` bytes. The JSON loader
turns every way a document can be malformed, deep nesting included, into one error, and
refuses documents nested deeper than any format pyprov reads, so no later walk over the
document can hit the recursion limit.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from pyprov.errors import ProjectError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

MAX_JSON_DEPTH = 64
"""Deeper than every format pyprov reads (a Sigstore bundle nests 8 levels, an SBOM ~20)."""

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class UntrustedInputError(ProjectError):
    """A file cannot be read, is too large, or is not the document it should be (exit 2).

    ``path`` is the file; ``reason`` the message without it, for reports that name the
    file in another column.
    """

    def __init__(
        self, path: Path | str, reason: str, *, message: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message or f"{path}: {reason}", hint=hint)
        self.path = Path(path)
        self.reason = reason


@contextmanager
def open_untrusted(path: Path, *, follow_symlinks: bool = True) -> Iterator[BinaryIO]:
    """Open a regular file for reading, refusing anything else before a byte is read.

    The file is opened with ``O_NONBLOCK`` (opening a FIFO then returns at once instead of
    waiting for a writer) and, unless ``follow_symlinks``, ``O_NOFOLLOW``. Raises
    :class:`UntrustedInputError` for a missing, unreadable or non-regular file.
    """
    flags = _FLAGS if follow_symlinks else _FLAGS | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise _unreadable(path, error) from error
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
        if regular:
            os.set_blocking(fd, True)  # a regular file never blocks; reads behave as usual
            stream = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    if not regular:
        os.close(fd)
        raise UntrustedInputError(path, "not a regular file", message=f"not a regular file: {path}")
    with stream:
        try:
            yield stream
        except OSError as error:
            raise _unreadable(path, error) from error


def read_untrusted(path: Path, *, limit: int, what: str = "file", follow_symlinks: bool = True) -> bytes:
    """Return the bytes of the regular file ``path``, at most ``limit`` of them.

    ``what`` names the expected kind of file in the size message ("a statement"). Raises
    :class:`UntrustedInputError` (exit 2) when the file cannot be read, is not a regular
    file, or is larger than ``limit`` (checked before reading, and again while reading, as
    the file may grow).
    """
    with open_untrusted(path, follow_symlinks=follow_symlinks) as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > limit:
            raise UntrustedInputError(path, f"larger than {_size(limit)} ({size} bytes): not read as {what}")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise UntrustedInputError(path, f"larger than {_size(limit)}: not read as {what}")
    return data


def read_untrusted_text(path: Path, *, limit: int, what: str = "file", follow_symlinks: bool = True) -> str:
    """`read_untrusted`, decoded as UTF-8 (:class:`UntrustedInputError` when it is not)."""
    data = read_untrusted(path, limit=limit, what=what, follow_symlinks=follow_symlinks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UntrustedInputError(path, f"not UTF-8 text: {error.reason} at byte {error.start}") from error


def load_json(data: bytes | str, where: Path | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:  # noqa: ANN401 - any JSON value
    """Parse a JSON document from an untrusted source named ``where``.

    Raises :class:`UntrustedInputError` for text that is not UTF-8 or not JSON, and for a
    document nested deeper than ``max_depth`` (arrays and objects), so that code walking
    the result recursively stays far from the interpreter's recursion limit.
    """
    try:
        document = json.loads(data)
    except UnicodeDecodeError as error:
        reason = f"not UTF-8 text: {error.reason} at byte {error.start}"
        raise UntrustedInputError(where, reason, message=f"{where} is not JSON: {reason}") from error
    except json.JSONDecodeError as error:
        reason = f"{error.msg} at line {error.lineno} column {error.colno}"
        raise UntrustedInputError(where, reason, message=f"{where} is not JSON: {reason}") from error
    except RecursionError as error:
        raise UntrustedInputError(
            where, f"not a document pyprov reads: nested deeper than {max_depth}"
        ) from error
    except ValueError as error:  # numbers too long to convert, and the like
        reason = _first_line(error)
        raise UntrustedInputError(where, reason, message=f"{where} is not JSON: {reason}") from error
    check_depth(document, where, max_depth=max_depth)
    return document


def load_toml(text: str, where: Path | str) -> dict[str, Any]:
    """Parse a TOML document from an untrusted source: :class:`UntrustedInputError` when malformed.

    ``tomllib`` recurses once per nesting level: deep nesting is reported, not a crash.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = _first_line(error)
        raise UntrustedInputError(where, reason, message=f"{where} is not a TOML file: {reason}") from error
    except RecursionError as error:
        raise UntrustedInputError(where, "not a document pyprov reads: nested too deeply") from error
    check_depth(document, where)
    result: dict[str, Any] = document
    return result


def check_depth(document: object, where: Path | str, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise :class:`UntrustedInputError` when ``document`` nests lists and dicts deeper than ``max_depth``.

    Walks without recursion, so any parsed document can be checked.
    """
    pending: list[tuple[object, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > max_depth:
            raise UntrustedInputError(where, f"not a document pyprov reads: nested deeper than {max_depth}")
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


def _unreadable(path: Path, error: OSError) -> UntrustedInputError:
    reason = error.strerror or str(error)
    return UntrustedInputError(path, f"cannot read: {reason}", message=f"cannot read {path}: {reason}")


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit} bytes"


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
