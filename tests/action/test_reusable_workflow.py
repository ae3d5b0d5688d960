"""The reusable workflow (SLSA Build L3): its three jobs run in sequence by the simulated runner.

The local Sigstore instance stands for a private instance: its Fulcio accepts only tokens
for its own audience (``PRIVATE_AUDIENCE``), as the workflow requires of any trust config
a caller gives. The attacks on the workflow are in ``test_reusable_workflow_attacks.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from pyprov import __version__
from pyprov.testing.sigstore import LocalSigstore
from tests.action.conftest import REPOSITORY, REUSABLE_ID, WORKFLOW, pyprov
from tests.action.runner import Machine, WorkflowResult, run_workflow_call
from tests.conftest import ROOT

REUSABLE = ROOT / ".github" / "workflows" / "build-provenance.yml"
JOB_WORKFLOW_REF = REUSABLE_ID.removeprefix("https://github.com/")
SDIST = "pyprov_fixture_hatchling-1.0.0.tar.gz"
WHEEL = "pyprov_fixture_hatchling-1.0.0-py3-none-any.whl"
PRIVATE_AUDIENCE = "pyprov-tests-private-sigstore"
WORKFLOW_BUILD_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/build-type-workflow-v1.md"


def run(
    simulated: Callable[..., tuple[Machine, LocalSigstore]],
    source: Path,
    *,
    workflow: Path = REUSABLE,
    job_workflow_ref: str = JOB_WORKFLOW_REF,
    **inputs: object,
) -> tuple[WorkflowResult, Machine, LocalSigstore]:
    """Run the workflow for ``source`` against a local instance with an audience of its own."""
    machine, instance = simulated(source, job_workflow_ref=job_workflow_ref, fulcio_audience=PRIVATE_AUDIENCE)
    inputs.setdefault("sigstore-trust-config", instance.trust_config_path.read_text())
    inputs.setdefault("sigstore-audience", PRIVATE_AUDIENCE)
    return run_workflow_call(machine, workflow, inputs), machine, instance


def signing_requests(instance: LocalSigstore) -> list[str]:
    """The requests that sign or log anything (Fulcio certificates, Rekor entries)."""
    return [
        f"{r.method} {r.path}"
        for r in instance.requests
        if r.path.startswith(("/api/v2/signingCert", "/api/v1/log/entries")) and r.method == "POST"
    ]


def check_l3_statement(evidence: Path, name: str, instance: LocalSigstore) -> None:
    """The signed statement of ``name``: builder, buildType, and externalParameters from the signing job."""
    statement = json.loads((evidence / f"{name}.intoto.json").read_text())
    predicate = statement["predicate"]
    assert predicate["runDetails"]["builder"]["id"] == REUSABLE_ID
    assert predicate["runDetails"]["builder"]["version"] == {"pyprov": __version__}
    definition = predicate["buildDefinition"]
    assert definition["buildType"] == WORKFLOW_BUILD_TYPE
    level = definition["internalParameters"]["slsaBuildLevel"]
    assert (level["level"], level["signing"]) == (3, "isolated-reusable-workflow")
    # externalParameters: the signing job's own inputs and GITHUB_*, every input recorded.
    external = definition["externalParameters"]
    assert external["source"] == {
        "repository": f"https://github.com/{REPOSITORY}",
        "ref": "refs/heads/main",
    }
    assert external["workflow"] == {
        "repository": f"https://github.com/{REPOSITORY}",
        "path": f".github/workflows/{WORKFLOW}",
        "ref": "refs/heads/main",
    }
    assert external["configSettings"] == {}
    assert external["inputs"] == {
        "package-dir": ".",
        "sdist": True,
        "wheel": True,
        "sbom-format": "cyclonedx",
        "extra-args": "",
        "python-version": "",
        "artifact-name": "dist",
        "sigstore-trust-config": instance.trust_config_path.read_text(),
        "sigstore-audience": PRIVATE_AUDIENCE,
    }
    # The build job's SBOM and record are byproducts (their digests), not signed by the builder.
    byproducts = {item["name"]: item["digest"]["sha256"] for item in predicate["runDetails"]["byproducts"]}
    for suffix in (".build.json", ".cdx.json"):
        assert (
            byproducts[name + suffix] == hashlib.sha256((evidence / (name + suffix)).read_bytes()).hexdigest()
        )
    assert (evidence / f"{name}.intoto.sigstore.json").is_file()
    assert not (evidence / f"{name}.cdx.sigstore.json").exists()


def test_the_reusable_workflow_signs_l3_provenance_that_verifies(
    simulated: Callable[..., tuple[Machine, LocalSigstore]], caller_project: Callable[[str], Path]
) -> None:
    result, machine, instance = run(simulated, caller_project("hatchling-pure"))
    for name, job in result.jobs.items():
        assert job.ok, f"{name}:\n{job.log()}"
    store = machine.root.parent / "artifacts"
    # The hand-over's name is drawn by the detect job: the caller's jobs cannot know it first.
    handover = result.jobs["detect"].outputs["handover"]
    assert re.fullmatch(r"pyprov-handover-[0-9a-f]{32}", handover)
    assert sorted(p.name for p in store.iterdir()) == sorted([handover, "dist", "dist-evidence"])
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
        ("List the hand-over", "ran"),
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
    dist, evidence = store / "dist", store / "dist-evidence"
    assert sorted(p.name for p in dist.iterdir()) == sorted(
        [SDIST, WHEEL, f"{SDIST}.slsa.attestation", f"{WHEEL}.slsa.attestation"]
    )
    sums = base64.b64decode(result.outputs["hashes"]).decode()
    for name in (SDIST, WHEEL):
        assert f"{hashlib.sha256((dist / name).read_bytes()).hexdigest()}  {name}\n" in sums
        check_l3_statement(evidence, name, instance)
    # The build job's own (unsigned, L1) statements were not handed over.
    assert not any(p.name.endswith(".intoto.json") for p in (store / handover / "evidence").iterdir())

    summary = result.jobs["provenance"].summary
    assert f"**Signed by** `{REUSABLE_ID}`" in summary
    assert (
        f"pyprov verify dist --repository {REPOSITORY} --workflow {WORKFLOW} --ref refs/heads/main "
        f"--builder-id {REUSABLE_ID}" in summary
    )

    trust = ["--trust-config", instance.trust_config_path, "--evidence-dir", evidence]
    policy = ["--repository", REPOSITORY, "--workflow", WORKFLOW, "--ref", "refs/heads/main"]
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
    # The certificate says where the signing job ran and what started the run.
    hosted = ["--runner-environment", "github-hosted", "--trigger", "push"]
    done = pyprov("verify", dist, *policy, *hosted, "--builder-id", REUSABLE_ID, *trust)
    assert done.returncode == 0, done.stdout + done.stderr
    for narrower in (["--trigger", "release"], ["--runner-environment", "self-hosted"]):
        done = pyprov("verify", dist, *policy, *narrower, "--builder-id", REUSABLE_ID, *trust)
        assert done.returncode == 4, done.stdout + done.stderr
    assert (
        "trigger: expected release, found push"
        in pyprov("verify", dist, *policy, "--trigger", "release", *trust).stdout
    )
    # Another ref of the caller's repository (a branch, a pull request) is not this release.
    policy[-1] = "refs/heads/feature"
    done = pyprov("verify", dist, *policy, "--builder-id", REUSABLE_ID, *trust)
    assert done.returncode == 4, done.stdout + done.stderr
