"""The statement pyprov's reusable workflow signs: its own buildType, its own facts first.

``docs/build-type-workflow-v1.md`` defines the buildType. SLSA Build L3 asks that the
provenance cannot be forged by the tenant (the caller's build steps). So every field a
verifier relies on comes from the signing job itself, never from what the build job
handed over:

- ``externalParameters``: the workflow call's ``inputs`` as the platform gave them to the
  signing job (every input, verbatim), the source repository and ref, and the caller's
  workflow, from the signing job's ``GITHUB_*`` variables;
- ``builder``: the reusable workflow's identity (from the job's own identity token) and
  the version of pyprov running in the signing job;
- ``invocationId`` and ``internalParameters.github``: the signing job's run.

What only the build job knows (its interpreter, installed build requirements, config
settings it parsed, timestamps, its build record and SBOMs) is carried in the fields
SLSA v1.0 lets a tenant fill — ``internalParameters.buildJob``, ``resolvedDependencies``
after the source, ``metadata.startedOn``/``finishedOn`` and ``byproducts`` — and the
buildType says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from pyprov import __version__
from pyprov.evidence import EvidenceFile
from pyprov.evidence.statement import in_toto_statement
from pyprov.provenance.level import BuildLevel
from pyprov.provenance.statement import (
    PREDICATE_TYPE,
    distribution_descriptor,
    evidence_descriptor,
    github_workflow,
)
from pyprov.record import BuildRecord, GitHubContext

WORKFLOW_BUILD_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/build-type-workflow-v1.md"
"""The buildType of statements signed by the reusable workflow (SLSA Build L3)."""

WORKFLOW_INPUTS = (
    "package-dir",
    "sdist",
    "wheel",
    "sbom-format",
    "extra-args",
    "python-version",
    "artifact-name",
    "sigstore-trust-config",
    "sigstore-audience",
)
"""Every input of ``.github/workflows/build-provenance.yml``: all are recorded, so none is missing.

A test compares this with the workflow's declared inputs; an input added there and not
here makes the signing job refuse to sign.
"""

MAX_INPUTS_BYTES = 1 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class SigningRun:
    """The run as the signing job itself sees it (its own environment), never the build job's report."""

    github: GitHubContext
    event_name: str
    inputs: Mapping[str, str | bool]
    config_settings: Mapping[str, str | list[str]]
    """The PEP 517 config settings the ``extra-args`` input makes."""


def parse_workflow_inputs(text: str) -> dict[str, str | bool]:
    """Read the workflow call's ``inputs`` context (``toJSON(inputs)``): exactly the known inputs.

    Raises ``ValueError`` saying what is wrong: not a JSON object, an input missing or
    unknown, a value that is neither a string nor a boolean.
    """
    if len(text.encode()) > MAX_INPUTS_BYTES:
        raise ValueError(f"larger than {MAX_INPUTS_BYTES >> 10} KiB")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object (the inputs context)")  # noqa: TRY004 - a parse error
    missing = [name for name in WORKFLOW_INPUTS if name not in data]
    unknown = sorted(name for name in data if name not in WORKFLOW_INPUTS)
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if unknown:
        raise ValueError(f"unknown {', '.join(unknown)} (the provenance must record every input)")
    inputs: dict[str, str | bool] = {}
    for name in WORKFLOW_INPUTS:
        value = data[name]
        if not isinstance(value, (str, bool)):
            raise ValueError(  # noqa: TRY004 - a parse error, reported like the others
                f"input {name}: expected a string or a boolean, found {type(value).__name__}"
            )
        inputs[name] = value
    return inputs


def package_subdirectory(package_dir: str) -> str:
    """The ``package-dir`` input as a path below the repository root (``""`` for the root).

    Raises ``ValueError`` for an absolute path or one that leaves the repository.
    """
    path = PurePosixPath(package_dir.strip() or ".")
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"package-dir {package_dir!r} is not a directory inside the repository")
    return "" if str(path) == "." else str(path)


def make_workflow_statement(
    record: BuildRecord,
    *,
    sha256: str,
    run: SigningRun,
    builder_id: str,
    level: BuildLevel,
    evidence: Sequence[tuple[str, EvidenceFile]] = (),
) -> dict[str, Any]:
    """Return the statement for one handed-over artifact (its digest re-computed by the caller).

    ``sha256`` is the artifact's digest as the signing job computed it; ``record`` has
    been checked against ``run`` already and contributes only the fields the buildType
    labels as reported by the build job.
    """
    github = run.github
    repository = f"{github.server_url.rstrip('/')}/{github.repository}"
    source: dict[str, Any] = {"repository": repository, "ref": github.ref}
    subdirectory = package_subdirectory(str(run.inputs["package-dir"]))
    if subdirectory:
        source["subdirectory"] = subdirectory
    external: dict[str, Any] = {
        "source": source,
        "inputs": dict(run.inputs),
        "configSettings": dict(run.config_settings),
    }
    workflow = github_workflow(github)
    if workflow is not None:
        external["workflow"] = workflow
    dependencies: list[dict[str, Any]] = [
        {"uri": f"git+{repository}@{github.ref}", "digest": {"gitCommit": github.sha}}
    ]
    sdist = record.source.sdist
    if sdist is not None:
        dependencies.append({"name": sdist.filename, "digest": {"sha256": sdist.sha256}})
    installed = {
        json.dumps(item, sort_keys=True): item
        for item in map(distribution_descriptor, record.environment.installed)
    }
    dependencies += [
        item for _, item in sorted(installed.items(), key=lambda pair: (pair[1]["uri"], pair[0]))
    ]
    invocation = record.invocation
    build_job: dict[str, Any] = {
        "distribution": {
            "kind": record.artifact.kind,
            "from": "sdist" if record.artifact.built_from else "source",
        },
        "installer": record.environment.installer,
        "isolated": record.environment.isolated,
        "python": {"implementation": invocation.python_implementation, "version": invocation.python_version},
        "platform": {
            "platform": invocation.platform,
            "system": invocation.system,
            "machine": invocation.machine,
        },
        "pyprovVersion": invocation.pyprov_version,
    }
    if invocation.source_date_epoch is not None:
        build_job["sourceDateEpoch"] = invocation.source_date_epoch
    details: dict[str, Any] = {
        "builder": {"id": builder_id, "version": {"pyprov": __version__}},
        "metadata": {
            "invocationId": github.run_url,
            "startedOn": invocation.started_on,
            "finishedOn": invocation.finished_on,
        },
    }
    byproducts = [evidence_descriptor(suffix, item) for suffix, item in evidence]
    if byproducts:
        details["byproducts"] = byproducts
    return in_toto_statement(
        [(record.artifact.filename, sha256)],
        PREDICATE_TYPE,
        {
            "buildDefinition": {
                "buildType": WORKFLOW_BUILD_TYPE,
                "externalParameters": external,
                "internalParameters": {
                    "github": {
                        "eventName": run.event_name,
                        "sha": github.sha,
                        "runId": github.run_id,
                        "runAttempt": github.run_attempt,
                        "runnerEnvironment": github.runner_environment,
                    },
                    "slsaBuildLevel": level.to_dict(),
                    "buildJob": build_job,
                },
                "resolvedDependencies": dependencies,
            },
            "runDetails": details,
        },
    )
