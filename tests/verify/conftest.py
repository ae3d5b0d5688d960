"""Fixtures for the verification tests: local Sigstore instances, signed releases, the CLI.

The root conftest.py already fails any connection beyond loopback. Releases are signed
once per session (signing costs round trips to the local instance); tests that tamper
with one copy it into their own tmp_path first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from pyprov.testing.sigstore import LocalSigstore

from ._release import WORKFLOW, Signer, write_release

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "tests" / "assets" / "pep740"
EMAIL = "release-manager@example.com"


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """sigstore-python's offline production/staging roots need a writable $HOME (its TUF cache)."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    for name in list(os.environ):
        if name.startswith(("PYPROV_", "SIGSTORE_")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSigstore]:
    """One local instance for the session (tests that switch faults on use `local_sigstore`)."""
    with LocalSigstore(tmp_path_factory.mktemp("instance")) as running:
        yield running


@pytest.fixture(scope="session")
def github_signer(instance: LocalSigstore) -> Signer:
    return Signer(instance, instance.github_token(WORKFLOW))


@pytest.fixture(scope="session")
def email_signer(instance: LocalSigstore) -> Signer:
    return Signer(instance, instance.identity_token(EMAIL))


@pytest.fixture(scope="session")
def signed_release(github_signer: Signer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dist/`` of a release signed in GitHub Actions (acme/widget, release.yml, refs/tags/v1.0)."""
    return write_release(github_signer, tmp_path_factory.mktemp("release"))


@pytest.fixture
def release(signed_release: Path, tmp_path: Path) -> Path:
    """A private copy of `signed_release` (``dist/`` and ``evidence/``); returns its ``dist/``."""
    shutil.copytree(signed_release.parent, tmp_path / "release")
    return tmp_path / "release" / "dist"


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    """A private copy of the recorded real PEP 740 assets."""
    shutil.copytree(ASSETS, tmp_path / "pep740")
    return tmp_path / "pep740"


@pytest.fixture(scope="session")
def cli() -> click.Group:
    """The ``pyprov`` command group."""
    from pyprov._cli import main

    return main


@pytest.fixture
def run(cli: click.Group) -> Callable[..., Result]:
    """Run ``pyprov verify ARGS`` in-process with click's runner."""

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(cli, ["verify", *map(str, args)], catch_exceptions=False)

    return invoke


@pytest.fixture
def run_process(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``pyprov verify ARGS`` as a real subprocess."""

    def invoke(*args: str | Path) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp_path), "NO_COLOR": "1"}
        command = [sys.executable, "-m", "pyprov", "verify", *map(str, args)]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)

    return invoke
