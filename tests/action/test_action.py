"""The composite action (action.yml) run step by step by the simulated runner."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from pyprov.testing.sigstore import LocalSigstore
from tests.action.conftest import REPOSITORY, WORKFLOW, pyprov
from tests.action.runner import JobResult, Machine
from tests.conftest import ROOT

INSTALL = "Install pyprov into a private virtual environment"
SANDBOX = "Prepare the build sandbox"
BUILD = "Build, record and sign with pyprov"
OUTPUTS = "Outputs and job summary"


def test_the_install_step_installs_the_pinned_requirements_and_pyprov(
    action_venv: tuple[Path, JobResult],
) -> None:
    venv, result = action_venv
    assert result.statuses() == [
        (INSTALL, "ran"),
        (SANDBOX, "skipped"),
        (BUILD, "skipped"),
        (OUTPUTS, "skipped"),
    ]
    assert "reusing" not in result.steps[0].stdout
    assert (venv / ".pyprov-action").read_text().split()[1] == str(ROOT)
    assert result.outputs["python"] == str(venv / "bin" / "python")
    # pyprov came from the action's checkout, everything else from the hashed requirements.
    listed = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "list", "--format", "json"], capture_output=True, check=True
    )
    done = json.loads(listed.stdout)
    names = {item["name"].lower() for item in done}
    assert {"pyprov-build", "sigstore", "pypi-attestations", "hatchling"} <= names


# Walks pyprov's requirements in an installed environment, extras included (which `pip check`
# does not follow), and prints every requirement that no installed distribution satisfies.
_UNSATISFIED = """
import importlib.metadata as md
from packaging.requirements import Requirement

todo, seen = [("pyprov-build", frozenset())], set()
while todo:
    name, extras = todo.pop()
    if (name, extras) in seen:
        continue
    seen.add((name, extras))
    for line in md.distribution(name).requires or []:
        requirement = Requirement(line)
        marker = requirement.marker
        if marker and not any(marker.evaluate({"extra": extra}) for extra in extras or {""}):
            continue
        try:
            version = md.version(requirement.name)
        except md.PackageNotFoundError:
            print(f"{name} needs {requirement}: not installed")
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            print(f"{name} needs {requirement}: {version} installed")
        todo.append((requirement.name, frozenset(requirement.extras)))
"""


def test_the_pinned_closure_is_complete_without_resolving_anything(
    action_venv: tuple[Path, JobResult],
) -> None:
    # The install step installs the file with --no-deps: whatever the index serves today, pip
    # resolves nothing. So the file alone must satisfy every requirement, extras included.
    venv, _ = action_venv
    python = venv / "bin" / "python"
    walked = subprocess.run([python, "-c", _UNSATISFIED], capture_output=True, text=True, check=True)
    assert walked.stdout == ""
    checked = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout
    version = subprocess.run(
        [python, "-m", "pyprov", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.startswith("pyprov, version ")


def run_action(
    simulated: Callable[..., tuple[Machine, LocalSigstore]], source: Path, **inputs: str
) -> tuple[JobResult, Machine, LocalSigstore]:
    machine, instance = simulated(source)
    job = machine.job("release", id_token=True)
    # The caller's workflow checked its repository out into the workspace.
    machine.stand_ins["actions/checkout"]({}, job)
    inputs.setdefault("trust-config", str(instance.trust_config_path))
    result = job.run_action(ROOT, inputs)
    return result, machine, instance


def test_the_action_builds_signs_and_its_artifacts_verify(
    simulated: Callable[..., tuple[Machine, LocalSigstore]], caller_project: Callable[[str], Path]
) -> None:
    result, machine, instance = run_action(simulated, caller_project("hatchling-pure"))
    assert result.ok, result.log()
    assert result.statuses() == [(INSTALL, "ran"), (SANDBOX, "ran"), (BUILD, "ran"), (OUTPUTS, "ran")]
    assert "pyprov: reusing" in result.steps[0].stdout
    workspace = machine.root / "release" / "work"

    outputs = result.outputs
    artifacts = json.loads(outputs["artifacts"])
    assert artifacts == [outputs["sdist"], outputs["wheel"]]
    assert outputs["sdist"] == "dist/pyprov_fixture_hatchling-1.0.0.tar.gz"
    digests = json.loads(outputs["digests"])
    for path in artifacts:
        assert digests[Path(path).name] == hashlib.sha256((workspace / path).read_bytes()).hexdigest()
    sums = base64.b64decode(outputs["hashes"]).decode()
    assert sums == "".join(f"{digests[Path(p).name]}  {Path(p).name}\n" for p in artifacts)
    assert outputs["evidence-dir"] == "evidence"
    assert outputs["slsa-level"] == "2"
    signer = f"https://github.com/{REPOSITORY}/.github/workflows/{WORKFLOW}@refs/heads/main"
    assert outputs["signer-identity"] == signer
    assert outputs["python"].endswith("/pyprov-action-venv/bin/python")
    # Only distributions and their PEP 740 attestations in dist/ (twine and the publish action need that).
    names = sorted(p.name for p in (workspace / "dist").iterdir())
    assert names == sorted(
        [*(Path(p).name for p in artifacts), *(Path(p).name + ".slsa.attestation" for p in artifacts)]
    )

    summary = result.summary
    assert "| `dist/pyprov_fixture_hatchling-1.0.0.tar.gz` |" in summary
    assert f"`{digests['pyprov_fixture_hatchling-1.0.0.tar.gz']}`" in summary
    assert "**SLSA Build L2**: signed with the GitHub Actions workflow identity" in summary
    assert f"**Signed by** `{signer}` (issuer `https://token.actions.githubusercontent.com`)" in summary
    assert f"pyprov verify dist --repository {REPOSITORY} --workflow {WORKFLOW} --trust-config" in summary

    # What the summary tells a consumer to run accepts the artifacts...
    trust = ["--trust-config", instance.trust_config_path]
    done = pyprov("verify", "dist", "--repository", REPOSITORY, "--workflow", WORKFLOW, *trust, cwd=workspace)
    assert done.returncode == 0, done.stdout + done.stderr
    done = pyprov(
        "verify", "dist", "--repository", REPOSITORY, "--workflow", WORKFLOW, "--builder-id", signer,
        "--require", "signature,provenance,sbom", *trust, cwd=workspace,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # ... and its tampered twins fail: another workflow, another repository.
    done = pyprov(
        "verify", "dist", "--repository", REPOSITORY, "--workflow", "other.yml", *trust, cwd=workspace
    )
    assert done.returncode == 4, done.stdout + done.stderr
    done = pyprov("verify", "dist", "--repository", "octo-org/fork", *trust, cwd=workspace)
    assert done.returncode == 4, done.stdout + done.stderr


def test_inputs_reach_pyprov_as_literal_strings(
    simulated: Callable[..., tuple[Machine, LocalSigstore]], caller_project: Callable[[str], Path]
) -> None:
    hostile = {"quote": '"; rm -rf ~ #', "subst": "$(id)", "tick": "`id`", "var": "${HOME}"}
    extra = "\n".join(f"--config-setting\n{key}={value}" for key, value in hostile.items())
    result, machine, _ = run_action(
        simulated,
        caller_project("hatchling-pure"),
        **{"extra-args": extra, "sign": "false", "wheel": "false"},
    )
    assert result.ok, result.log()
    job = machine.root / "release"
    assert (job / "home").is_dir()  # ~ is the job's home: still there
    record = json.loads(
        (job / "work" / "evidence" / "pyprov_fixture_hatchling-1.0.0.tar.gz.build.json").read_text()
    )
    assert record["invocation"]["configSettings"] == hostile
    argv = record["invocation"]["argv"]
    for key, value in hostile.items():
        assert f"{key}={value}" in argv
    assert result.outputs["slsa-level"] == "1"
    assert result.outputs["signer-identity"] == ""
    assert json.loads(result.outputs["artifacts"]) == ["dist/pyprov_fixture_hatchling-1.0.0.tar.gz"]
    assert "Not signed (input `sign: false`)." in result.summary


def test_a_hostile_package_dir_is_a_path_not_a_command(
    simulated: Callable[..., tuple[Machine, LocalSigstore]], caller_project: Callable[[str], Path]
) -> None:
    result, machine, _ = run_action(
        simulated,
        caller_project("hatchling-pure"),
        **{"package-dir": "$(touch pwned); touch pwned2", "sign": "false"},
    )
    assert not result.ok
    assert result.statuses() == [(INSTALL, "ran"), (SANDBOX, "ran"), (BUILD, "failed"), (OUTPUTS, "skipped")]
    build = result.steps[2]
    assert "$(touch pwned); touch pwned2" in build.stderr
    assert "::error title=pyprov::pyprov build failed with exit code 2" in build.stdout
    workspace = machine.root / "release" / "work"
    assert not (workspace / "pwned").exists()
    assert not (workspace / "pwned2").exists()


def test_invalid_choices_fail_before_building(
    simulated: Callable[..., tuple[Machine, LocalSigstore]], caller_project: Callable[[str], Path]
) -> None:
    result, _, _ = run_action(simulated, caller_project("hatchling-pure"), sdist="false", wheel="false")
    assert not result.ok
    assert (
        "::error title=pyprov::inputs sdist and wheel must each be 'true' or 'false', and not both 'false'"
        in result.steps[2].stdout
    )
