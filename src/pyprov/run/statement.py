"""In-toto Statements v1 with SLSA Provenance v1 for ``pyprov run``: pyprov's generic buildType.

Each parameter is defined in ``docs/build-type-generic-v1.md`` and by
``schemas/pyprov-generic-build-type-v1.schema.json``. The statement is a function of the
run record and the evidence written before it only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pyprov.evidence.statement import in_toto_statement
from pyprov.provenance import (
    LOCAL_BUILDER_ID,
    PREDICATE_TYPE,
    github_workflow,
    run_level,
    source_uri,
)
from pyprov.run.record import RecordedFile, RunRecord

GENERIC_BUILD_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/build-type-generic-v1.md"
"""pyprov's buildType for any command; a change to the meaning of a parameter gets a new URI (``-v2``)."""


def make_run_statement(
    record: RunRecord,
    products: Sequence[RecordedFile],
    *,
    byproducts: Sequence[tuple[str, str, str]] = (),
) -> dict[str, Any]:
    """Return the statement (JSON form) about ``products`` of the run ``record``, one subject each.

    ``byproducts`` are ``(file name, sha256, media type)`` of the evidence written before
    the statement (the run record, SBOMs). Raises ``ValueError`` for no products.
    """
    if not products:
        raise ValueError("a statement needs at least one product")
    return in_toto_statement(
        [(item.name, item.digests.sha256) for item in products],
        PREDICATE_TYPE,
        {
            "buildDefinition": {
                "buildType": GENERIC_BUILD_TYPE,
                "externalParameters": _external_parameters(record),
                "internalParameters": _internal_parameters(record),
                "resolvedDependencies": _resolved_dependencies(record),
            },
            "runDetails": _run_details(record, byproducts),
        },
    )


def _source(record: RunRecord) -> dict[str, Any]:
    git, github = record.git, record.invocation.github
    if git is None or git.remote is None:
        return {"path": record.workdir}
    # source_uri is "git+<repository>" or "git+<repository>@<full ref>", the one place that
    # decides the repository URL form and which ref is known.
    uri = source_uri(git, path=record.workdir, github=github).removeprefix("git+")
    repository, at, ref = uri.rpartition("@")
    if not at or not ref.startswith("refs/"):
        repository, ref = uri, ""
    source: dict[str, Any] = {"repository": repository}
    if ref:
        source["ref"] = ref
    if git.subdirectory:
        source["subdirectory"] = git.subdirectory
    return source


def _external_parameters(record: RunRecord) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "command": list(record.command),
        "source": _source(record),
        "materials": list(record.material_patterns),
        "products": list(record.product_patterns),
    }
    if record.invocation.source_date_epoch is not None:
        parameters["sourceDateEpoch"] = record.invocation.source_date_epoch
    workflow = github_workflow(record.invocation.github)
    if workflow is not None:
        parameters["workflow"] = workflow
    return parameters


def _internal_parameters(record: RunRecord) -> dict[str, Any]:
    invocation = record.invocation
    parameters: dict[str, Any] = {
        "python": {"implementation": invocation.python_implementation, "version": invocation.python_version},
        "platform": {
            "platform": invocation.platform,
            "system": invocation.system,
            "machine": invocation.machine,
        },
        "credentialsWithheld": list(record.credentials_withheld),
        **({"isolation": record.isolation.to_dict()} if record.isolation is not None else {}),
        # pyprov run writes unsigned statements: L1 wherever it ran.
        "slsaBuildLevel": run_level([invocation.github]).to_dict(),
    }
    if invocation.github is not None:
        parameters["github"] = {
            "runnerEnvironment": invocation.github.runner_environment,
            "sha": invocation.github.sha,
        }
    return parameters


def _resolved_dependencies(record: RunRecord) -> list[dict[str, Any]]:
    dependencies: list[dict[str, Any]] = []
    git = record.git
    if git is not None:
        descriptor: dict[str, Any] = {
            "uri": source_uri(git, path=record.workdir, github=record.invocation.github),
            "digest": {"gitCommit": git.commit},
        }
        if git.dirty:
            # The commit alone does not describe what the command read: say so, and what differed.
            descriptor["annotations"] = {"dirty": True, "modified": list(git.modified)}
        dependencies.append(descriptor)
    else:
        dependencies.append({"uri": Path(record.workdir).as_uri()})
    dependencies.extend(
        {"name": item.path, "digest": {"sha256": item.digests.sha256}} for item in record.materials
    )
    return dependencies


def _run_details(record: RunRecord, byproducts: Sequence[tuple[str, str, str]]) -> dict[str, Any]:
    invocation = record.invocation
    github = invocation.github
    metadata: dict[str, Any] = {}
    if github is not None and github_workflow(github) is not None:
        builder_id = f"{github.server_url}/{github.workflow_ref}"
        metadata["invocationId"] = github.run_url
    else:
        builder_id = LOCAL_BUILDER_ID
    metadata["startedOn"] = invocation.started_on
    metadata["finishedOn"] = invocation.finished_on
    details: dict[str, Any] = {
        "builder": {"id": builder_id, "version": {"pyprov": invocation.pyprov_version}},
        "metadata": metadata,
    }
    if byproducts:
        details["byproducts"] = [
            {"name": name, "digest": {"sha256": sha256}, "mediaType": media_type}
            for name, sha256, media_type in byproducts
        ]
    return details
