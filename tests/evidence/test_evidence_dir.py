"""Evidence never pollutes the source: the evidence directory ignores itself, pyprov says what it sees.

In the sandbox the evidence directory is an empty read-only directory, so no backend packs it.
Without one, hatchling 1.33 (which reads only the project's top ``.gitignore``, not the one pyprov
writes in ``evidence/``) packs it, and pyprov warns.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pyprov._internal.outputs import ignore_directory, make_directory
from pyprov.evidence.layout import GITIGNORE_CONTENT
from tests.conftest import git

PYPROV = [sys.executable, "-m", "pyprov"]


def _build(source: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    env.pop("GITHUB_ACTIONS", None)
    if path is not None:
        env["PATH"] = path
    done = subprocess.run(
        [*PYPROV, "build", "--sdist", str(source)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


def _sdist(source: Path) -> tuple[str, bytes]:
    (sdist,) = (source / "dist").glob("*.tar.gz")
    return sdist.name, sdist.read_bytes()


def test_an_evidence_directory_pyprov_creates_ignores_itself(tmp_path: Path) -> None:
    assert make_directory(tmp_path / "a" / "evidence", "evidence") is True
    ignore_directory(tmp_path / "a" / "evidence", GITIGNORE_CONTENT)
    assert (tmp_path / "a" / "evidence" / ".gitignore").read_bytes() == GITIGNORE_CONTENT
    existing = tmp_path / "mine"
    existing.mkdir()
    assert make_directory(existing, "evidence") is False
    (existing / ".gitignore").write_text("keep\n")
    ignore_directory(existing, GITIGNORE_CONTENT)
    assert (existing / ".gitignore").read_text() == "keep\n"


@pytest.mark.network
@pytest.mark.slow
def test_two_builds_make_identical_sdists_and_a_clean_checkout(project: Callable[..., Path]) -> None:
    source = project("hatchling-pure", git_init=True)
    (source / ".gitignore").write_text("/dist/\n")  # evidence/ needs no entry: it ignores itself
    git(source, "add", ".gitignore")
    git(source, "commit", "-q", "-m", "ignore outputs")
    first = _build(source)
    name, data = _sdist(source)
    assert (source / "evidence" / ".gitignore").read_bytes() == GITIGNORE_CONTENT
    second = _build(source)
    assert _sdist(source) == (name, data)
    assert "warning:" not in first.stderr + second.stderr
    assert git(source, "status", "--porcelain", "--untracked-files=all") == ""
    record = (source / "evidence" / f"{name}.build.json").read_text()
    assert '"dirty": false' in record
    assert hashlib.sha256(data).hexdigest() in record


@pytest.mark.network
@pytest.mark.slow
def test_a_dirty_tree_and_evidence_in_the_sdist_are_warned_about(project: Callable[..., Path]) -> None:
    source = project("hatchling-pure", git_init=True)
    first = _build(source)
    assert "warning:" not in first.stderr
    # The evidence directory stays out of git status; dist/ is not ignored by this project.
    status = git(source, "status", "--porcelain", "--untracked-files=all")
    assert "evidence/" not in status
    assert "dist/" in status
    (source / "README.md").write_text("changed\n")
    second = _build(source)
    warnings = [line for line in second.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, second.stderr  # the sandbox hid evidence/ from hatchling
    assert warnings[0].startswith("warning: the source tree is dirty: 2 path(s) differ from commit ")
    assert warnings[0].endswith("e.g. README.md; the provenance records it")
    # Without a sandbox (no bubblewrap on PATH), hatchling packs evidence/, and pyprov says so.
    no_bwrap = source.parent / "bin-without-bwrap"
    no_bwrap.mkdir()
    (no_bwrap / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    third = _build(source, path=str(no_bwrap))
    warnings = [line for line in third.stderr.splitlines() if line.startswith("warning:")]
    assert warnings[-1].startswith(
        "warning: pyprov_fixture_hatchling-1.0.0.tar.gz contains 4 file(s) of the evidence directory "
        "evidence/ (the backend ignores evidence/.gitignore): "
    )
