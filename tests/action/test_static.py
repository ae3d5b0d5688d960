"""Offline checks of the action and the workflows: schemas, zizmor, and pyprov's own rules."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ACTION = ROOT / "action.yml"
WORKFLOWS = sorted(
    [*(ROOT / ".github" / "workflows").glob("*.yml"), *(ROOT / "docs" / "examples").glob("*.yml")]
)
REQUIREMENTS = ROOT / ".github" / "action-requirements.txt"


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: it is in the test dependency group"
    return found


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_action_matches_githubs_schema() -> None:
    done = check_jsonschema("vendor.github-actions", ACTION)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_workflow_matches_githubs_schema() -> None:
    assert len(WORKFLOWS) >= 5  # the reusable workflow and the four examples
    done = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_of_medium_or_higher_severity() -> None:
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--min-severity", "medium", "--no-progress", ACTION, *WORKFLOWS],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout


def _steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in document:
        return list(document["runs"].get("steps", []))
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_expression_inside_run_and_every_action_pinned_to_a_commit(path: Path) -> None:
    document = yaml.safe_load(path.read_text())
    for step in _steps(document):
        # Inputs and contexts reach scripts through env: only (no script injection).
        assert "${{" not in step.get("run", ""), f"{path.name}: {step.get('name')}"
        uses = step.get("uses")
        if uses and not uses.startswith("./"):
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses} is not pinned"
    for job in document.get("jobs", {}).values():
        uses = job.get("uses")
        if uses:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses} is not pinned"


def test_the_action_requirements_pin_every_dependency_with_hashes() -> None:
    lines = [line for line in REQUIREMENTS.read_text().splitlines() if not line.startswith("#")]
    entries = re.split(r"\n(?=[A-Za-z])", "\n".join(lines).strip())
    pinned = {}
    for entry in entries:
        first = entry.split("\\")[0].strip()
        requirement = Requirement(first)
        assert len(requirement.specifier) == 1
        assert next(iter(requirement.specifier)).operator == "=="
        assert "--hash=sha256:" in entry, requirement.name
        pinned[canonicalize_name(requirement.name)] = requirement
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dependency in project["dependencies"]:
        assert canonicalize_name(Requirement(dependency).name) in pinned, dependency
    assert "hatchling" in pinned  # pyprov itself is installed with --no-build-isolation --no-index
