"""Where a rebuild's source comes from: a directory, an sdist, or a git URL at a revision.

The source is always prepared in a directory of its own (a copy, an unpacked sdist, a
fresh clone), so that a backend writing into its source tree changes nothing of the user's.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pyprov._internal import archives
from pyprov._internal.process import ToolError, run_tool
from pyprov.errors import ProjectError
from pyprov.rebuild.environment import Fact

SourceKind = Literal["directory", "sdist", "git"]
_GIT_TIMEOUT = 600  # seconds, for a clone


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceSpec:
    """The source as the user, the build record or a PEP 740 attestation named it."""

    kind: SourceKind
    location: str
    revision: str | None = None
    facts: tuple[Fact, ...] = ()
    """Where the location and revision came from, when pyprov found them (a PEP 740 attestation)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``facts`` only when there are some)."""
        data: dict[str, Any] = {"kind": self.kind, "location": self.location, "revision": self.revision}
        if self.facts:
            data["facts"] = [fact.to_dict() for fact in self.facts]
        return data

    def __str__(self) -> str:
        return f"{self.location}@{self.revision}" if self.revision else self.location


def parse_source(text: str) -> SourceSpec:
    """Read ``DIR``, ``SDIST`` (``.tar.gz``) or ``GIT-URL@REV``; :class:`ProjectError` otherwise."""
    path = Path(text)
    if path.is_dir():
        return SourceSpec(kind="directory", location=str(path.absolute()))
    if text.endswith((".tar.gz", ".tgz")):
        if not path.is_file():
            raise ProjectError(f"no such sdist: {text}")
        return SourceSpec(kind="sdist", location=str(path.absolute()))
    url, at, revision = text.rpartition("@")
    if at and url and revision and not url.startswith("-") and not revision.startswith("-"):
        return SourceSpec(kind="git", location=url, revision=revision)
    raise ProjectError(
        f"cannot use {text!r} as a source",
        hint="give a source directory, an sdist (.tar.gz), or GIT-URL@REVISION",
    )


def prepare(spec: SourceSpec, workdir: Path) -> Path:
    """Make the source tree of ``spec`` inside ``workdir``; return the project directory."""
    if spec.kind == "directory":
        target = workdir / "source"
        try:
            shutil.copytree(spec.location, target, symlinks=True)
        except (OSError, shutil.Error) as error:
            raise ProjectError(f"cannot copy the source directory {spec.location}: {error}") from error
        return target
    if spec.kind == "sdist":
        target = workdir / "sdist"
        target.mkdir()
        try:
            return archives.extract_sdist(Path(spec.location), target.resolve())[0]
        except (archives.UnsafeArchiveError, tarfile.TarError, OSError, EOFError, ValueError) as error:
            raise ProjectError(f"cannot unpack the sdist {Path(spec.location).name}: {error}") from error
    target = workdir / "checkout"
    _git("clone", "--quiet", "--no-checkout", "--", spec.location, str(target))
    _git(
        "-C",
        str(target),
        "-c",
        "advice.detachedHead=false",
        "checkout",
        "--quiet",
        spec.revision or "HEAD",
        "--",
    )
    return target


def apply_times(srcdir: Path, members: Iterable[tuple[str, int]]) -> int:
    """Give each regular file of ``srcdir`` the time of its member in the published sdist.

    ``members`` are ``(name, mtime)`` with the sdist's top-level directory first in each
    name. Backends that copy file times into the sdist then write the published ones
    (git does not keep file times). Links are never followed; returns the files touched.
    """
    root = srcdir.resolve()
    touched = 0
    for name, mtime in members:
        parts = PurePosixPath(name).parts[1:]
        if not parts or ".." in parts:
            continue
        path = root.joinpath(*parts)
        try:
            if not stat.S_ISREG(path.lstat().st_mode) or not path.resolve().is_relative_to(root):
                continue
            os.utime(path, (mtime, mtime), follow_symlinks=False)
        except (OSError, ValueError):
            continue
        touched += 1
    return touched


def _git(*args: str) -> None:
    try:
        done = run_tool(["git", *args], timeout=_GIT_TIMEOUT)
    except ToolError as error:
        raise ProjectError(f"cannot run git: {error}") from error
    if not done.ok:
        step = next((arg for arg in args if arg in ("clone", "checkout")), "")
        raise ProjectError(f"git {step} failed: {done.last_error_line()}")
