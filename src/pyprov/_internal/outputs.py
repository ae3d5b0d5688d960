"""Outputs staged in a hidden directory and moved into place only when all of them are written.

Every command that writes artifacts or evidence uses these, so that a failure or Ctrl-C
leaves nothing half-written and every write error is one :class:`OutputError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pyprov._internal import files
from pyprov.errors import OutputError


def make_directory(path: Path, what: str) -> bool:
    """Create ``path`` (and parents) or raise :class:`OutputError`; it must be writable.

    Return whether it was created here (an evidence directory pyprov creates is then
    marked with :func:`ignore_directory`).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir()
        except FileExistsError:
            created = False
        else:
            created = True
    except OSError as error:
        raise OutputError(f"cannot create the {what} directory {path}: {error.strerror or error}") from error
    if not path.is_dir():
        raise OutputError(f"cannot create the {what} directory {path}: a file of that name exists")
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"the {what} directory {path} is not writable")
    return created


def ignore_directory(path: Path, content: bytes) -> None:
    """Write ``.gitignore`` (``content``: ``*``) into ``path`` unless it has one, as pytest's cache does.

    Its files then never make the checkout dirty, nor reach an sdist of a backend that
    honours nested ``.gitignore`` files (those that ask git). Called after the build, so
    that the first build's sdist is what ``python -m build`` makes of the same tree.
    """
    target = path / ".gitignore"
    if not target.exists():
        write_file(target, content)


@contextmanager
def staging(parent: Path) -> Iterator[Path]:
    """A hidden directory in ``parent`` (same file system: moves are renames), removed at the end."""
    try:
        stage = Path(tempfile.mkdtemp(dir=parent, prefix=".pyprov-"))
    except OSError as error:
        raise OutputError(f"cannot write to {parent}: {error.strerror or error}") from error
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_file(path: Path, content: bytes) -> None:
    """Write atomically (``files.write_atomic``) or raise :class:`OutputError`."""
    try:
        files.write_atomic(path, content)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from error


def publish(path: Path, directory: Path) -> Path:
    """Move a staged file into ``directory`` with a rename; return its final path."""
    target = directory / path.name
    try:
        path.replace(target)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from error
    return target


@dataclass(frozen=True, slots=True, kw_only=True)
class Output:
    """One file to publish: ``content``, or a copy of ``source`` whose SHA-256 must be ``sha256``."""

    directory: Path
    name: str
    content: bytes | None = None
    source: Path | None = None
    sha256: str | None = None


def publish_all(items: Sequence[Output]) -> list[Path]:
    """Publish every file or none: also on an error or Ctrl-C part-way.

    The staging directories are created now (they must not exist while build code
    runs), every file is written there, then all are renamed into place with SIGINT
    deferred; if anything fails, or SIGINT arrived meanwhile, every rename is undone
    (a file that was replaced gets its old content back) before the error propagates.
    A copied ``source`` is hashed as it is copied: bytes that differ from ``sha256``
    are an :class:`OutputError`. Returns the final paths, in order.
    """
    _check_targets(items)
    with contextlib.ExitStack() as stack:
        stages: dict[Path, Path] = {}
        for item in items:
            if item.directory not in stages:
                stages[item.directory] = stack.enter_context(staging(item.directory))
        staged = []
        for item in items:
            path = stages[item.directory] / item.name
            if item.source is not None:
                _copy_checked(item.source, path, item.sha256)
            else:
                write_file(path, item.content or b"")
            staged.append(path)
        with _deferred_interrupt() as interrupted:
            done: list[tuple[Path, Path | None]] = []
            try:
                for item, path in zip(items, staged, strict=True):
                    target = item.directory / item.name
                    backup = None
                    if target.exists() or target.is_symlink():
                        backup = path.with_name(f".replaced-{item.name}")
                        target.replace(backup)
                    done.append((target, backup))
                    path.replace(target)
                if interrupted():
                    raise KeyboardInterrupt  # noqa: TRY301 - undone by the handler below, like any error
            except BaseException as error:
                _roll_back(done)
                if isinstance(error, OSError):
                    raise OutputError(f"cannot publish the outputs: {error.strerror or error}") from error
                raise
    return [item.directory / item.name for item in items]


def _check_targets(items: Sequence[Output]) -> None:
    seen: set[Path] = set()
    for item in items:
        target = item.directory / item.name
        if not files.is_plain_name(item.name) or target in seen:
            raise OutputError(f"refusing to write {item.name!r}: not a plain file name, or written twice")
        if target.is_dir() and not target.is_symlink():
            raise OutputError(f"cannot write {target}: a directory is in the way")
        seen.add(target)


def _roll_back(done: Sequence[tuple[Path, Path | None]]) -> None:
    for target, backup in reversed(done):
        with contextlib.suppress(OSError):
            if backup is not None and (backup.exists() or backup.is_symlink()):
                backup.replace(target)
            else:
                target.unlink(missing_ok=True)


def _copy_checked(source: Path, target: Path, sha256: str | None) -> None:
    digest = hashlib.sha256()
    try:
        with source.open("rb") as reader, target.open("xb") as writer:
            while chunk := reader.read(1 << 20):
                digest.update(chunk)
                writer.write(chunk)
        target.chmod(0o644)
    except OSError as error:
        raise OutputError(f"cannot write {target.name}: {error.strerror or error}") from error
    if sha256 is not None and digest.hexdigest() != sha256:
        raise OutputError(f"{source.name} changed after pyprov hashed it; nothing was published")


@contextlib.contextmanager
def _deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """Hold SIGINT for the block (main thread only); yield a function saying whether it came."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: received.append(signum))
    try:
        yield lambda: bool(received)
    finally:
        signal.signal(signal.SIGINT, previous)
