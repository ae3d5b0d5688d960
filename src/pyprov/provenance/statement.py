"""In-toto Statement v1 with an SLSA Provenance v1 predicate, from build records.

The parameters follow pyprov's buildType, defined field by field in
``docs/build-type-v1.md`` and by ``schemas/pyprov-build-type-v1.schema.json``. The
output is a function of the records and evidence only: two builds of the same
source with the same ``SOURCE_DATE_EPOCH`` give the same statement apart from
``startedOn``, ``finishedOn``, ``invocationId`` and the digests of evidence that
itself holds timestamps (the build record).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

from packaging.utils import canonicalize_name

from pyprov.evidence import EvidenceFile
from pyprov.evidence.layout import MEDIA_TYPES
from pyprov.evidence.statement import in_toto_statement
from pyprov.provenance.level import Signing, build_level
from pyprov.record import BuildRecord, GitHubContext, GitSource, InstalledDistribution

PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/build-type-v1.md"
"""pyprov's buildType; a change to the meaning of a parameter gets a new URI (``-v2``)."""
LOCAL_BUILDER_ID = f"{BUILD_TYPE}#builder-local-unverified"
"""``builder.id`` outside a CI platform: a local run, which nobody but the runner vouches for."""


def make_statement(
    records: Sequence[BuildRecord],
    *,
    evidence: Sequence[tuple[str, EvidenceFile]] = (),
    signing: Signing = "unsigned",
) -> dict[str, Any]:
    """Return the statement (JSON form) for the artifacts of ``records``, one subject each.

    ``evidence`` lists ``(suffix, file)`` pairs of evidence already written for those
    artifacts; they become ``byproducts``. All records must come from one run of
    ``build_project`` (same source, options and platform). Raises ``ValueError`` for
    an empty ``records``.
    """
    if not records:
        raise ValueError("a statement needs at least one build record")
    first = records[0]
    return in_toto_statement(
        [(record.artifact.filename, record.artifact.digests.sha256) for record in records],
        PREDICATE_TYPE,
        {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": _external_parameters(records),
                "internalParameters": {
                    "installer": first.environment.installer,
                    "isolated": first.environment.isolated,
                    **_isolation(first),
                    "python": {
                        "implementation": first.invocation.python_implementation,
                        "version": first.invocation.python_version,
                    },
                    "platform": {
                        "platform": first.invocation.platform,
                        "system": first.invocation.system,
                        "machine": first.invocation.machine,
                    },
                    **_github_internal(first.invocation.github),
                    "slsaBuildLevel": build_level(*records, signing=signing).to_dict(),
                },
                "resolvedDependencies": _resolved_dependencies(records),
            },
            "runDetails": _run_details(records, evidence),
        },
    )


def _isolation(record: BuildRecord) -> dict[str, Any]:
    isolation = record.environment.isolation
    return {} if isolation is None else {"isolation": isolation.to_dict()}


def dump_statement(statement: Mapping[str, Any]) -> bytes:
    """Serialise a statement as pyprov writes it: UTF-8 JSON, indented, with a final newline."""
    return (json.dumps(statement, indent=2, ensure_ascii=False) + "\n").encode()


def source_uri(git: GitSource, *, path: str, github: GitHubContext | None = None) -> str:
    """Return the source as an SLSA-style URI: ``git+<remote>@<ref>``, the ref left out when unknown.

    Without a remote the repository is named by its local path (``git+file:///...``).
    The ref is the checked-out branch; on a detached checkout in GitHub Actions it is
    ``GITHUB_REF`` when ``GITHUB_SHA`` is the checked-out commit (as actions/checkout
    does for tags), and otherwise unknown.
    """
    repository = _repository(git, path)
    ref = _ref(git, github)
    return f"git+{repository}@{ref}" if ref else f"git+{repository}"


def _repository(git: GitSource, path: str) -> str:
    if git.remote is None:
        root = Path(path)
        for _ in PurePosixPath(git.subdirectory).parts:
            root = root.parent
        return root.as_uri()
    remote = git.remote
    if "://" not in remote and ":" in remote:  # scp-like: user@host:owner/repo.git
        host, _, repo_path = remote.partition(":")
        return f"ssh://{host}/{repo_path.lstrip('/')}"
    return remote


def _ref(git: GitSource, github: GitHubContext | None) -> str | None:
    if git.ref:
        return git.ref
    if github is not None and github.sha == git.commit and github.ref:
        return github.ref
    return None


def _external_parameters(records: Sequence[BuildRecord]) -> dict[str, Any]:
    first = records[0]
    git, invocation = first.source.git, first.invocation
    source: dict[str, Any]
    if git is not None and git.remote is not None:
        source = {"repository": _repository(git, first.source.path)}
        ref = _ref(git, invocation.github)
        if ref:
            source["ref"] = ref
        if git.subdirectory:
            source["subdirectory"] = git.subdirectory
    else:
        source = {"path": first.source.path}
    parameters: dict[str, Any] = {
        "source": source,
        "distributions": [
            {"kind": record.artifact.kind, "from": "sdist" if record.artifact.built_from else "source"}
            for record in records
        ],
        "configSettings": dict(invocation.config_settings),
    }
    if invocation.source_date_epoch is not None:
        parameters["sourceDateEpoch"] = invocation.source_date_epoch
    workflow = github_workflow(invocation.github)
    if workflow is not None:
        parameters["workflow"] = workflow
    return parameters


def github_workflow(github: GitHubContext | None) -> dict[str, str] | None:
    """Return the workflow of ``GITHUB_WORKFLOW_REF`` (``owner/repo/.github/workflows/f.yml@ref``).

    ``{"repository": <URL>, "path": <workflow file>, "ref": <ref>}``, or ``None`` outside GitHub
    Actions or for a value that does not have that shape.
    """
    if github is None:
        return None
    location, at, ref = github.workflow_ref.rpartition("@")
    parts = location.split("/", 2)
    if not at or not ref or len(parts) != 3 or not all(parts):  # noqa: PLR2004 - owner, repo, path
        return None
    owner, repo, path = parts
    return {"repository": f"{github.server_url}/{owner}/{repo}", "path": path, "ref": ref}


def _github_internal(github: GitHubContext | None) -> dict[str, Any]:
    if github is None:
        return {}
    return {"github": {"runnerEnvironment": github.runner_environment, "sha": github.sha}}


def _resolved_dependencies(records: Sequence[BuildRecord]) -> list[dict[str, Any]]:
    first = records[0]
    dependencies: list[dict[str, Any]] = [_source_descriptor(first)]
    for record in records:
        sdist = record.source.sdist
        if sdist is not None:
            dependencies.append({"name": sdist.filename, "digest": {"sha256": sdist.sha256}})
    installed: dict[str, dict[str, Any]] = {}
    for record in records:
        for distribution in record.environment.installed:
            descriptor = distribution_descriptor(distribution)
            installed.setdefault(json.dumps(descriptor, sort_keys=True), descriptor)
    ordered = sorted(installed.items(), key=lambda pair: (pair[1]["uri"], pair[0]))
    dependencies.extend(item for _, item in ordered)
    return dependencies


def _source_descriptor(record: BuildRecord) -> dict[str, Any]:
    git = record.source.git
    if git is None:
        return {"uri": Path(record.source.path).as_uri()}
    descriptor: dict[str, Any] = {
        "uri": source_uri(git, path=record.source.path, github=record.invocation.github),
        "digest": {"gitCommit": git.commit},
    }
    if git.dirty:
        # The commit does not describe what was built: say so, and what differed.
        descriptor["annotations"] = {"dirty": True, "modified": list(git.modified)}
    return descriptor


def distribution_descriptor(distribution: InstalledDistribution) -> dict[str, Any]:
    """A resolved dependency: the installed distribution's purl and the digest of its wheel."""
    purl = f"pkg:pypi/{canonicalize_name(distribution.name)}@{quote(distribution.version, safe='')}"
    descriptor: dict[str, Any] = {"uri": purl}
    if distribution.url:
        file_name = PurePosixPath(urlsplit(distribution.url).path).name
        if file_name:
            descriptor["uri"] = f"{purl}?file_name={quote(file_name, safe='')}"
        descriptor["downloadLocation"] = distribution.url
    if distribution.wheel_sha256:
        descriptor["digest"] = {"sha256": distribution.wheel_sha256}
    # Not the installed RECORD's digest (in the build record): entry-point scripts carry
    # the temporary environment's path, so it differs from one build to the next.
    return descriptor


def _run_details(
    records: Sequence[BuildRecord], evidence: Sequence[tuple[str, EvidenceFile]]
) -> dict[str, Any]:
    first = records[0]
    github = first.invocation.github
    workflow = github_workflow(github)
    metadata: dict[str, Any] = {}
    if github is not None and workflow is not None:
        builder_id = f"{github.server_url}/{github.workflow_ref}"
        metadata["invocationId"] = github.run_url
    else:
        builder_id = LOCAL_BUILDER_ID
    # RFC 3339 UTC strings of one format compare in time order.
    metadata["startedOn"] = min(record.invocation.started_on for record in records)
    metadata["finishedOn"] = max(record.invocation.finished_on for record in records)
    details: dict[str, Any] = {
        "builder": {"id": builder_id, "version": {"pyprov": first.invocation.pyprov_version}},
        "metadata": metadata,
    }
    byproducts = [evidence_descriptor(suffix, item) for suffix, item in evidence]
    if byproducts:
        details["byproducts"] = byproducts
    return details


def evidence_descriptor(suffix: str, item: EvidenceFile) -> dict[str, Any]:
    """A byproduct: an evidence file by name, digest and media type."""
    descriptor: dict[str, Any] = {"name": item.path.name, "digest": {"sha256": item.sha256}}
    media_type = MEDIA_TYPES.get(suffix)
    if media_type:
        descriptor["mediaType"] = media_type
    return descriptor
