"""Shared fixtures: real fixture projects in tmp_path, real git, the record schema, a network guard."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pyprov.testing import fixtures

local_sigstore = fixtures.local_sigstore
"""A fresh local Sigstore instance on 127.0.0.1 per test (``pyprov.testing.sigstore``)."""

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SCHEMAS = ROOT / "schemas"


BUILD_CONSTRAINTS = FIXTURES / "build-constraints.txt"


def pytest_configure() -> None:
    """Pin what isolated builds install: the fixtures' backends, whatever the index serves today.

    Set for the whole session, so that every installer pypa/build starts (pip or uv, in
    pyprov or in ``python -m build`` run beside it) reads the same constraints.
    """
    os.environ["PIP_CONSTRAINT"] = str(BUILD_CONSTRAINTS)
    os.environ["UV_CONSTRAINT"] = str(BUILD_CONSTRAINTS)


def pinned(*names: str) -> str:
    """Hashed requirement lines for ``names``, from the Action's pinned closure: what tests install."""
    text = (ROOT / ".github" / "action-requirements.txt").read_text()
    entries = re.split(r"\n(?=[A-Za-z])", text)
    found = [entry for entry in entries if entry.split("==")[0] in names]
    assert len(found) == len(names), f"not all of {names} are pinned"
    return "\n".join(found) + "\n"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any in-process connection to anything but loopback.

    Subprocesses (the installer of isolated build environments) are not covered: they
    reach the package index, as they do for users.
    """
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise AssertionError(f"test tried to reach the network: {address!r}")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


def git(cwd: Path, *args: str) -> str:
    """Run real git with a fixed identity; return stdout."""
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=pyprov tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def copy_fixture(name: str, destination: Path, *, git_init: bool = False) -> Path:
    """Copy the fixture project ``name`` to ``destination``; with ``git_init`` commit it with real git."""
    shutil.copytree(FIXTURES / name, destination)
    if git_init:
        git(destination, "init", "-q")
        git(destination, "add", ".")
        git(destination, "commit", "-q", "-m", "fixture")
    return destination


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """Copy a fixture project into tmp_path; with ``git_init=True`` make it a committed checkout."""

    def make(name: str, *, git_init: bool = False) -> Path:
        return copy_fixture(name, tmp_path / name, git_init=git_init)

    return make


@pytest.fixture(scope="session")
def record_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / "build-record-v1.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture
def validate_record(record_schema: dict[str, Any]) -> Callable[[Any], None]:
    """Validate a build record's JSON form against schemas/build-record-v1.schema.json."""
    validator = jsonschema.Draft202012Validator(record_schema)

    def validate(data: Any) -> None:
        validator.validate(data)

    return validate


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start without any CI credentials or GitHub Actions context from the machine running the tests."""
    import os

    from pyprov._internal.environ import is_credential

    for name in list(os.environ):
        if is_credential(name) or name.startswith(("GITHUB_", "RUNNER_")) or name == "SOURCE_DATE_EPOCH":
            monkeypatch.delenv(name)
