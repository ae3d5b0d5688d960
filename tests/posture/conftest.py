"""Fixtures for ``pyprov posture``: the command runner, the report schema, three real releases."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
from click.testing import CliRunner, Result

from pyprov.testing.sigstore import LocalSigstore
from tests.conftest import FIXTURES, SCHEMAS, git


@pytest.fixture(scope="session")
def posture_schema() -> dict[str, Any]:
    """``schemas/posture-report-v1.schema.json``, itself checked against draft 2020-12."""
    schema: dict[str, Any] = json.loads((SCHEMAS / "posture-report-v1.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture
def posture() -> Callable[..., Result]:
    """Run ``pyprov posture ARGS`` in-process with click's runner."""
    from pyprov._cli import main

    command: click.Group = main

    def invoke(*args: object) -> Result:
        return CliRunner().invoke(command, ["posture", *map(str, args)], catch_exceptions=False)

    return invoke


def facts(report: dict[str, Any], name: str) -> dict[str, tuple[str, str]]:
    """The facts of the item ``name`` of a JSON report: property → (status, value)."""
    item = next(item for item in report["items"] if item["name"] == name)
    return {fact["property"]: (fact["status"], fact["value"]) for fact in item["facts"]}


@pytest.fixture(scope="session")
def three_releases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[Path], str]]:
    """Three releases of the hatchling fixture built by real ``pyprov build`` runs, better each time.

    1.0.0 unsigned, from a plain directory; 1.1.0 signed (local Sigstore instance); 1.2.0
    signed, from a git checkout tagged v1.2.0. Yields their dist directories (oldest first)
    and the instance's trust config.
    """
    base = tmp_path_factory.mktemp("releases")
    with LocalSigstore(base / "sigstore") as instance:
        trust = str(instance.trust_config_path)
        signing = {**os.environ, "SIGSTORE_ID_TOKEN": instance.identity_token(email="rm@example.com")}
        dists = []
        for version, sign, tag in (("1.0.0", False, False), ("1.1.0", True, False), ("1.2.0", True, True)):
            source = base / version
            shutil.copytree(FIXTURES / "hatchling-pure", source)
            pyproject = source / "pyproject.toml"
            pyproject.write_text(pyproject.read_text().replace('version = "1.0.0"', f'version = "{version}"'))
            if tag:
                git(source, "init", "-q")
                git(source, "add", ".")
                git(source, "commit", "-q", "-m", "release")
                git(source, "tag", f"v{version}")
            args = ["--sign", "--trust-config", trust] if sign else []
            done = subprocess.run(
                [sys.executable, "-m", "pyprov", "build", *args, str(source)],
                env=signing if sign else None,
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            dists.append(source / "dist")
        yield dists, trust
