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

from pyprov.provenance.workflow import WORKFLOW_INPUTS
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
        if uses and uses.startswith(f"{L3_WORKFLOW}@"):
            # The L3 builder runs only at a release tag (its detect job refuses anything else).
            assert re.fullmatch(rf"{re.escape(L3_WORKFLOW)}@v[0-9X][\w.+-]*", uses), f"{path.name}: {uses}"
        elif uses:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses} is not pinned"


L3_WORKFLOW = "pyprov/pyprov/.github/workflows/build-provenance.yml"


def test_the_provenance_records_every_input_of_the_l3_workflow() -> None:
    document = yaml.safe_load((ROOT / ".github" / "workflows" / "build-provenance.yml").read_text())
    declared = document[True]["workflow_call"]["inputs"]
    assert sorted(declared) == sorted(WORKFLOW_INPUTS)


def pins(path: Path) -> dict[str, list[Requirement]]:
    """The ``name==version`` entries of a hashed requirements file, each with its marker."""
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    entries = re.split(r"\n(?=[A-Za-z])", "\n".join(lines).strip())
    pinned: dict[str, list[Requirement]] = {}
    for entry in entries:
        requirement = Requirement(entry.split("\\")[0].strip())
        assert len(requirement.specifier) == 1, requirement
        assert next(iter(requirement.specifier)).operator == "==", requirement
        assert "--hash=sha256:" in entry, requirement.name
        pinned.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return pinned


def assert_pinned_and_satisfied(pinned: dict[str, list[Requirement]], wanted: list[str]) -> None:
    """Every requirement in ``wanted`` that applies here has a pin here that satisfies it."""
    for line in wanted:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate():
            continue
        here = [
            pin
            for pin in pinned.get(canonicalize_name(requirement.name), [])
            if not pin.marker or pin.marker.evaluate()
        ]
        assert len(here) == 1, f"{line}: pinned {len(here)} times for this interpreter"
        version = next(iter(here[0].specifier)).version
        assert requirement.specifier.contains(version, prereleases=True), f"{line}: pinned {version}"


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_action_requirements_pin_every_dependency_with_hashes() -> None:
    pinned = pins(REQUIREMENTS)
    assert_pinned_and_satisfied(pinned, PROJECT["project"]["dependencies"])
    # pyprov itself is installed with --no-build-isolation --no-index.
    assert_pinned_and_satisfied(pinned, PROJECT["build-system"]["requires"])


def test_the_development_requirements_pin_the_project_and_every_tool() -> None:
    pinned = pins(ROOT / "requirements" / "dev.txt")
    groups = PROJECT["dependency-groups"]
    tools = [item for name in ("test", "lint") for item in groups[name]]
    assert_pinned_and_satisfied(pinned, [*PROJECT["project"]["dependencies"], *tools])
    assert_pinned_and_satisfied(pinned, PROJECT["build-system"]["requires"])
    # Where both files pin a distribution they pin the same file, so `make demo` then `make test`
    # installs nothing twice.
    for name, runtime in pins(REQUIREMENTS).items():
        assert {str(pin.specifier) for pin in runtime} <= {str(pin.specifier) for pin in pinned[name]}, name


def test_every_installer_of_the_action_and_the_makefile_installs_closures_without_resolving() -> None:
    action = ACTION.read_text()
    assert "--no-deps --require-hashes --only-binary :all: -r" in action
    assert "pip check" in action
    makefile = (ROOT / "Makefile").read_text()
    for line in makefile.splitlines():
        if " install " in line and "-r " in line:
            assert "--no-deps --require-hashes" in line, line
