"""The reusable workflow (SLSA Build L3): its three jobs run in sequence by the simulated runner."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from pyprov.testing.sigstore import LocalSigstore
from tests.action.conftest import REPOSITORY, REUSABLE_ID, WORKFLOW, pyprov
from tests.action.runner import Machine, WorkflowResult, run_workflow_call
from tests.conftest import ROOT

REUSABLE = ROOT / ".github" / "workflows" / "build-provenance.yml"
JOB_WORKFLOW_REF = REUSABLE_ID.removeprefix("https://github.com/")
SDIST = "pyprov_fixture_hatchling-1.0.0.tar.gz"
WHEEL = "pyprov_fixture_hatchling-1.0.0-py3-none-any.whl"


def run(
    simulated: Callable[..., tuple[Machine, LocalSigstore]], source: Path, **inputs: object
) -> tuple[WorkflowResult, Machine, LocalSigstore]:
    machine, instance = simulated(source, job_workflow_ref=JOB_WORKFLOW_REF)
    inputs.setdefault("sigstore-trust-config", instance.trust_config_path.read_text())
    return run_workflow_call(machine, REUSABLE, inputs), machine, instance


def test_the_reusable_workflow_signs_l3_provenance_that_verifies(
    simulated: Callable[..., tuple[Machine, LocalSigstore]], caller_project: Callable[[str], Path]
) -> None:
    result, machine, instance = run(simulated, caller_project("hatchling-pure"))
    for name, job in result.jobs.items():
        assert job.ok, f"{name}:\n{job.log()}"
    assert result.jobs["detect"].statuses() == [("Read this workflow's identity", "ran")]
    assert result.jobs["build"].statuses() == [
        ("Check out the caller's repository", "simulated (uses: actions/checkout)"),
        ("Check out pyprov at this workflow's commit", "simulated (uses: actions/checkout)"),
        ("Set up Python", "skipped"),
        ("Build and record (unsigned)", "ran"),
        ("Build and record (unsigned) > Install pyprov into a private virtual environment", "ran"),
        ("Build and record (unsigned) > Prepare the build sandbox", "ran"),
        ("Build and record (unsigned) > Build, record and sign with pyprov", "ran"),
        ("Build and record (unsigned) > Outputs and job summary", "ran"),
        ("Hand over the artifacts, build records and SBOMs", "simulated (uses: actions/upload-artifact)"),
    ]
    assert [status for _, status in result.jobs["provenance"].statuses()] == [
        "simulated (uses: actions/checkout)",
        "ran",
        "ran",
        "skipped",
        "skipped",
        "skipped",
        "simulated (uses: actions/download-artifact)",
        "ran",
        "ran",
        "ran",
        "simulated (uses: actions/upload-artifact)",
        "simulated (uses: actions/upload-artifact)",
    ]
    # Only the detect and provenance jobs could ask for an identity token.
    token_requests = [r for r in instance.requests if r.path.startswith("/oidc/token")]
    assert len(token_requests) == 3  # detect, reissue's builder id, and signing

    assert result.outputs["builder-id"] == REUSABLE_ID
    assert result.outputs["artifact-name"] == "dist"
    assert result.outputs["evidence-name"] == "dist-evidence"
    store = machine.root.parent / "artifacts"
    dist, evidence = store / "dist", store / "dist-evidence"
    assert sorted(p.name for p in dist.iterdir()) == sorted(
        [SDIST, WHEEL, f"{SDIST}.slsa.attestation", f"{WHEEL}.slsa.attestation"]
    )
    sums = base64.b64decode(result.outputs["hashes"]).decode()
    for name in (SDIST, WHEEL):
        assert f"{hashlib.sha256((dist / name).read_bytes()).hexdigest()}  {name}\n" in sums
        statement = json.loads((evidence / f"{name}.intoto.json").read_text())
        predicate = statement["predicate"]
        assert predicate["runDetails"]["builder"]["id"] == REUSABLE_ID
        level = predicate["buildDefinition"]["internalParameters"]["slsaBuildLevel"]
        assert (level["level"], level["signing"]) == (3, "isolated-reusable-workflow")
        assert (
            predicate["buildDefinition"]["externalParameters"]["workflow"]["path"]
            == f".github/workflows/{WORKFLOW}"
        )
    # The build job's own (unsigned, L1) statements were not handed over.
    assert not (store / "dist-build" / "evidence" / f"{SDIST}.intoto.json").exists()

    summary = result.jobs["provenance"].summary
    assert f"**Signed by** `{REUSABLE_ID}`" in summary
    assert (
        f"pyprov verify dist --repository {REPOSITORY} --workflow {WORKFLOW} --builder-id {REUSABLE_ID}"
        in summary
    )

    trust = ["--trust-config", instance.trust_config_path, "--evidence-dir", evidence]
    policy = ["--repository", REPOSITORY, "--workflow", WORKFLOW]
    done = pyprov(
        "verify", dist, *policy, "--builder-id", REUSABLE_ID, "--require", "signature,provenance", *trust
    )
    assert done.returncode == 0, done.stdout + done.stderr
    done = pyprov(
        "verify",
        dist,
        "--identity",
        REUSABLE_ID,
        "--issuer",
        "https://token.actions.githubusercontent.com",
        *trust,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # The action's L2 builder (the caller's workflow) is not who built these.
    l2_builder = f"https://github.com/{REPOSITORY}/.github/workflows/{WORKFLOW}@refs/heads/main"
    done = pyprov("verify", dist, *policy, "--builder-id", l2_builder, *trust)
    assert done.returncode == 4, done.stdout + done.stderr


def test_an_artifact_changed_between_the_jobs_is_refused(
    simulated: Callable[..., tuple[Machine, LocalSigstore]], caller_project: Callable[[str], Path]
) -> None:
    machine, instance = simulated(caller_project("hatchling-pure"), job_workflow_ref=JOB_WORKFLOW_REF)
    original = machine.stand_ins["actions/download-artifact"]

    def tampered_download(with_: dict[str, str], job: object) -> dict[str, str]:
        outputs = original(with_, job)  # type: ignore[arg-type]
        wheel = Path(outputs["download-path"]) / "dist" / WHEEL
        wheel.write_bytes(wheel.read_bytes() + b"\0")
        return outputs

    machine.stand_ins["actions/download-artifact"] = tampered_download
    inputs = {"sigstore-trust-config": instance.trust_config_path.read_text()}
    result = run_workflow_call(machine, REUSABLE, inputs)
    provenance = result.jobs["provenance"]
    assert not provenance.ok
    reissue = next(
        step for step in provenance.steps if step.name == "Re-hash, compare and write the provenance"
    )
    assert reissue.status == "failed"
    assert f"error: the handed-over build does not match: {WHEEL}: sha256 is " in reissue.stderr
    assert "the build job reported" in reissue.stderr
    statuses = [status for _, status in provenance.statuses()]
    assert statuses[-5:] == ["failed", "skipped", "skipped", "skipped", "skipped"]
    assert not (machine.root.parent / "artifacts" / "dist").exists()
