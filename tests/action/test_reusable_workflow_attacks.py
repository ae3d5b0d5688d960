"""Attacks by the caller on the reusable workflow's provenance (SLSA Build L3), on the simulated runner.

Each test reproduces one way a caller could make the builder sign something it did not
compute (the findings of issue 16) and shows the workflow now fails closed: nothing
signed, nothing sent to a transparency log, nothing uploaded. The caller controls the
workflow's inputs, the code its build backend runs in the build job (simulated here by
a step inserted into a copy of the workflow's build job: what that code writes is what
the build job hands over and lists), and every other job of its run (simulated by
replacing what the download step receives).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyprov.testing.sigstore import LocalSigstore
from tests.action.conftest import REUSABLE_REPOSITORY
from tests.action.runner import JobRun, Machine, WorkflowResult, run_workflow_call
from tests.action.test_reusable_workflow import (
    JOB_WORKFLOW_REF,
    PRIVATE_AUDIENCE,
    REUSABLE,
    SDIST,
    WHEEL,
    run,
    signing_requests,
)

Simulated = Callable[..., tuple[Machine, LocalSigstore]]


def step(result: WorkflowResult, job: str, name: str) -> Any:
    return next(report for report in result.jobs[job].steps if report.name == name)


def assert_nothing_signed_or_published(
    result: WorkflowResult, machine: Machine, instance: LocalSigstore
) -> None:
    assert signing_requests(instance) == []
    store = machine.root.parent / "artifacts"
    assert not (store / "dist").exists()
    assert not (store / "dist-evidence").exists()
    assert result.outputs.get("builder-id", "") == ""


def tenant_workflow(tmp_path: Path, script: str) -> Path:
    """A copy of the workflow whose build job runs ``script`` (Python) after pyprov built.

    It stands for the caller's build backend, which runs in the build job and can write
    anything into the hand-over before the job lists it.
    """
    definition = yaml.safe_load(REUSABLE.read_text())
    steps = definition["jobs"]["build"]["steps"]
    index = next(i for i, item in enumerate(steps) if item.get("id") == "pyprov") + 1
    steps.insert(index, {"name": "Tenant code in the build job", "shell": "python", "run": script})
    path = tmp_path / "build-provenance.yml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


FORGE_RECORDS = """
import json
from pathlib import Path

for path in Path("evidence").glob("*.build.json"):
    record = json.loads(path.read_text())
    {change}
    path.write_text(json.dumps(record))
"""


# -- finding 1: the builder's signing token goes wherever the caller says --------------------


@pytest.mark.parametrize("audience", ["", "sigstore", "SigStore"])
def test_a_trust_config_without_an_audience_of_its_own_is_refused_before_any_token_is_requested(
    simulated: Simulated, caller_project: Callable[[str], Path], tmp_path: Path, audience: str
) -> None:
    # The caller's "private instance" is a capture server: it would receive the builder's
    # token for the `sigstore` audience, which the public Fulcio accepts.
    with LocalSigstore(tmp_path / "capture") as capture:
        result, machine, instance = run(
            simulated,
            caller_project("hatchling-pure"),
            **{"sigstore-trust-config": capture.trust_config_path.read_text(), "sigstore-audience": audience},
        )
    assert capture.requests == []
    detect = step(result, "detect", "Read this workflow's identity")
    assert detect.status == "failed"
    if audience:
        assert "::error title=pyprov::sigstore-audience must not be 'sigstore' with a trust config" in (
            detect.stdout
        )
    else:
        assert "::error title=pyprov::sigstore-trust-config needs sigstore-audience" in detect.stdout
    assert [name for name, job in result.jobs.items() if job.steps] == ["detect"]
    assert instance.requests == []  # not even the detect job's own token was requested
    assert_nothing_signed_or_published(result, machine, instance)


def test_a_private_instance_receives_only_a_token_the_public_fulcio_refuses(
    simulated: Simulated, caller_project: Callable[[str], Path]
) -> None:
    """The allowed case: the token sent to the caller's Fulcio is for the caller's audience."""
    machine, instance = simulated(
        caller_project("hatchling-pure"), job_workflow_ref=JOB_WORKFLOW_REF, fulcio_audience=PRIVATE_AUDIENCE
    )
    captured: list[str] = []
    original = instance.github_token

    def recording(**kwargs: Any) -> str:
        captured.append(kwargs.get("audience", "sigstore"))
        return original(**kwargs)

    instance.github_token = recording  # type: ignore[method-assign]
    inputs = {
        "sigstore-trust-config": instance.trust_config_path.read_text(),
        "sigstore-audience": PRIVATE_AUDIENCE,
    }
    result = run_workflow_call(machine, REUSABLE, inputs)
    assert all(job.ok for job in result.jobs.values()), result.jobs["provenance"].log()
    # detect and reissue read their own token's claims (audience `pyprov`, never sent out);
    # the one token sent to a Fulcio is for the private audience.
    assert captured == ["pyprov", "pyprov", PRIVATE_AUDIENCE]
    assert "sigstore" not in captured


# -- finding 4: the builder ref is unrestricted ----------------------------------------------


@pytest.mark.parametrize(
    "ref",
    ["refs/heads/main", "c" * 40, "refs/tags/v1", "refs/tags/latest", "refs/pull/1/merge"],
    ids=["branch", "sha", "major-tag", "other-tag", "pr"],
)
def test_the_workflow_refuses_to_run_at_anything_but_a_release_tag(
    simulated: Simulated, caller_project: Callable[[str], Path], ref: str
) -> None:
    result, machine, instance = run(
        simulated,
        caller_project("hatchling-pure"),
        job_workflow_ref=f"{REUSABLE_REPOSITORY}/.github/workflows/build-provenance.yml@{ref}",
    )
    detect = step(result, "detect", "Read this workflow's identity")
    assert detect.status == "failed"
    assert f"::error title=pyprov::this workflow runs at {ref}, not at a release tag" in detect.stdout
    assert [name for name, job in result.jobs.items() if job.steps] == ["detect"]
    assert_nothing_signed_or_published(result, machine, instance)


# -- finding 2: externalParameters came from the tenant's build record ------------------------


def test_forged_build_record_fields_are_refused_before_anything_is_signed(
    simulated: Simulated, caller_project: Callable[[str], Path], tmp_path: Path
) -> None:
    change = textwrap.dedent(
        """\
        record["source"]["git"]["subdirectory"] = "elsewhere"
        record["source"]["git"]["ref"] = "refs/tags/v9.9.9"
        record["invocation"]["configSettings"] = {"forged": "yes"}
        record["invocation"]["pyprovVersion"] = "9.9.9"
        """
    ).replace("\n", "\n    ")
    workflow = tenant_workflow(tmp_path, FORGE_RECORDS.format(change=change))
    result, machine, instance = run(simulated, caller_project("hatchling-pure"), workflow=workflow)
    assert result.jobs["build"].ok, result.jobs["build"].log()
    reissue = step(result, "provenance", "Check the hand-over and write the provenance")
    assert reissue.status == "failed", result.jobs["provenance"].log()
    assert "error: the handed-over build does not match: " in reissue.stderr
    for name in (SDIST, WHEEL):
        assert f"{name}: built in 'elsewhere', the package-dir input is '.'" in reissue.stderr
        assert (
            f"{name}: the build record names ref 'refs/tags/v9.9.9', this run is for 'refs/heads/main'"
            in (reissue.stderr)
        )
        assert (
            f"{name}: the build record's config settings are {{'forged': 'yes'}}, "
            "the extra-args input makes {}" in (reissue.stderr)
        )
        assert f"{name}: built by pyprov 9.9.9, the build job runs this workflow's pyprov" in reissue.stderr
    assert [status for _, status in result.jobs["provenance"].statuses()][-5:] == ["failed"] + ["skipped"] * 4
    assert_nothing_signed_or_published(result, machine, instance)


def test_fields_the_tenant_may_report_never_reach_external_parameters_or_the_builder(
    simulated: Simulated, caller_project: Callable[[str], Path], tmp_path: Path
) -> None:
    """SLSA lets the tenant fill resolvedDependencies, internalParameters and metadata, if labelled."""
    change = textwrap.dedent(
        """\
        record["invocation"]["github"]["runAttempt"] = "7"
        record["invocation"]["pythonVersion"] = "0.0.1"
        record["environment"]["installed"][0]["wheelSha256"] = "f" * 64
        """
    ).replace("\n", "\n    ")
    workflow = tenant_workflow(tmp_path, FORGE_RECORDS.format(change=change))
    result, machine, _ = run(
        simulated, caller_project("hatchling-pure"), workflow=workflow, **{"extra-args": "-C\nkey=value"}
    )
    assert all(job.ok for job in result.jobs.values()), result.jobs["provenance"].log()
    evidence = machine.root.parent / "artifacts" / "dist-evidence"
    predicate = json.loads((evidence / f"{WHEEL}.intoto.json").read_text())["predicate"]
    definition, details = predicate["buildDefinition"], predicate["runDetails"]
    # The run attempt is the signing job's, wherever it appears.
    assert details["metadata"]["invocationId"].endswith("/attempts/1")
    assert definition["internalParameters"]["github"]["runAttempt"] == "1"
    # Config settings come from the extra-args input, parsed by the signing job.
    assert definition["externalParameters"]["configSettings"] == {"key": "value"}
    assert definition["externalParameters"]["inputs"]["extra-args"] == "-C\nkey=value"
    # What the build job reported is where the buildType says the tenant's report goes.
    assert definition["internalParameters"]["buildJob"]["python"]["version"] == "0.0.1"
    assert {"sha256": "f" * 64} in [item.get("digest") for item in definition["resolvedDependencies"][1:]]


# -- finding 3: the hand-over had no integrity and lived in the caller's namespace ------------


def tampered_download(machine: Machine, change: Callable[[Path], None]) -> None:
    """Another job of the caller's run replaces the hand-over artifact after the build job uploaded it."""
    original = machine.stand_ins["actions/download-artifact"]

    def download(with_: dict[str, str], job: JobRun) -> dict[str, str]:
        outputs = original(with_, job)
        change(Path(outputs["download-path"]))
        return outputs

    machine.stand_ins["actions/download-artifact"] = download


def _append_to_wheel(root: Path) -> None:
    wheel = root / "dist" / WHEEL
    wheel.write_bytes(wheel.read_bytes() + b"\0")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(_append_to_wheel, f"dist/{WHEEL}: sha256 is ", id="artifact"),
        pytest.param(
            lambda root: (root / "evidence" / f"{WHEEL}.cdx.json").write_text('{"bomFormat": "CycloneDX"}'),
            f"evidence/{WHEEL}.cdx.json: sha256 is ",
            id="sbom-swapped",
        ),
        pytest.param(
            lambda root: (root / "evidence" / f"{WHEEL}.intoto.sigstore.json").write_text("{}"),
            f"evidence/{WHEEL}.intoto.sigstore.json: handed over, not listed by the build job",
            id="file-added",
        ),
        pytest.param(
            lambda root: (root / "evidence" / f"{SDIST}.build.json").unlink(),
            f"evidence/{SDIST}.build.json: listed by the build job, not handed over",
            id="record-removed",
        ),
    ],
)
def test_a_hand_over_changed_after_the_build_job_is_refused(
    simulated: Simulated,
    caller_project: Callable[[str], Path],
    change: Callable[[Path], None],
    message: str,
) -> None:
    machine, instance = simulated(
        caller_project("hatchling-pure"), job_workflow_ref=JOB_WORKFLOW_REF, fulcio_audience=PRIVATE_AUDIENCE
    )
    tampered_download(machine, change)
    inputs = {
        "sigstore-trust-config": instance.trust_config_path.read_text(),
        "sigstore-audience": PRIVATE_AUDIENCE,
    }
    result = run_workflow_call(machine, REUSABLE, inputs)
    reissue = step(result, "provenance", "Check the hand-over and write the provenance")
    assert reissue.status == "failed", result.jobs["provenance"].log()
    assert "error: the hand-over is not what the build job listed: " in reissue.stderr
    assert message in reissue.stderr, reissue.stderr
    assert_nothing_signed_or_published(result, machine, instance)


def test_a_file_the_build_job_names_like_the_builders_evidence_is_refused(
    simulated: Simulated, caller_project: Callable[[str], Path], tmp_path: Path
) -> None:
    """Listed by the build job, so intact, but it would pass for a bundle the builder signed."""
    script = f"from pathlib import Path\nPath('evidence/{WHEEL}.intoto.sigstore.json').write_text('{{}}')\n"
    result, machine, instance = run(
        simulated, caller_project("hatchling-pure"), workflow=tenant_workflow(tmp_path, script)
    )
    reissue = step(result, "provenance", "Check the hand-over and write the provenance")
    assert reissue.status == "failed"
    assert (
        f"evidence/{WHEEL}.intoto.sigstore.json: neither a distribution nor its build record or SBOM"
        in reissue.stderr
    )
    assert_nothing_signed_or_published(result, machine, instance)
