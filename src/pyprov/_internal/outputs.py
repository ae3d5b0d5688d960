"""Outputs staged in a hidden directory and moved into place only when all of them are written.

Every command that writes artifacts or evidence uses these, so that a failure or Ctrl-C
leaves nothing half-written and every write error is one :class:`OutputError`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyprov._internal import files
from pyprov.errors import OutputError
from pyprov.evidence_names import GITIGNORE_CONTENT


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


def ignore_directory(path: Path) -> None:
    """Write ``.gitignore`` holding ``*`` into ``path`` unless it has one, as pytest's cache does.

    Its files then never make the checkout dirty, nor reach an sdist of a backend that
    honours nested ``.gitignore`` files (those that ask git). Called after the build, so
    that the first build's sdist is what ``python -m build`` makes of the same tree.
    """
    target = path / ".gitignore"
    if not target.exists():
        write_file(target, GITIGNORE_CONTENT)


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
