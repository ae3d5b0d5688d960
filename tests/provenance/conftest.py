"""Fixtures for provenance tests: the three schemas, a statement validator, hand-made records."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from google.protobuf import json_format
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from referencing import Registry, Resource

from pyprov.evidence import ArtifactContext
from pyprov.provenance import PREDICATE_TYPE
from pyprov.record import (
    Artifact,
    ArtifactReference,
    BuildEnvironment,
    BuildRecord,
    Digests,
    DistributionKind,
    GitHubContext,
    GitSource,
    InstalledDistribution,
    Invocation,
    Source,
)
from tests.conftest import SCHEMAS

SCHEMA_FILES = ("intoto-statement-v1", "slsa-provenance-v1", "pyprov-build-type-v1")

GITHUB = GitHubContext(
    server_url="https://github.com",
    repository="acme/project",
    sha="d" * 40,
    ref="refs/tags/v1.0.0",
    workflow_ref="acme/project/.github/workflows/release.yml@refs/tags/v1.0.0",
    run_id="1234",
    run_attempt="2",
    runner_environment="github-hosted",
)


def make_record(
    *,
    kind: DistributionKind = "wheel",
    git: GitSource | None = None,
    github: GitHubContext | None = None,
    from_sdist: bool = True,
    installed: tuple[InstalledDistribution, ...] | None = None,
    **invocation: Any,
) -> BuildRecord:
    """A build record as build_project makes one, for fast statement tests."""
    filename = "demo-1.0-py3-none-any.whl" if kind == "wheel" else "demo-1.0.tar.gz"
    sdist = None
    if kind == "wheel" and from_sdist:
        sdist = ArtifactReference(filename="demo-1.0.tar.gz", sha256="c" * 64)
    record = BuildRecord(
        artifact=Artifact(
            filename=filename,
            kind=kind,
            size=10,
            digests=Digests(sha256=hashlib.sha256(filename.encode()).hexdigest(), sha512="b" * 128),
            built_from=sdist,
        ),
        source=Source(path="/src/demo", git=git, sdist=sdist),
        environment=BuildEnvironment(
            isolated=True,
            installer="pip",
            backend="hatchling.build",
            build_system_requires=("hatchling",),
            installed=installed
            if installed is not None
            else (
                InstalledDistribution(
                    name="hatchling",
                    version="1.33.0",
                    wheel_sha256="1" * 64,
                    url="https://files.example.org/hatchling-1.33.0-py3-none-any.whl",
                    record_sha256="2" * 64,
                ),
                InstalledDistribution(
                    name="packaging",
                    version="26.3",
                    wheel_sha256="3" * 64,
                    url="file:///opt/pypi/files/packaging-26.3-py3-none-any.whl",
                ),
            ),
        ),
        invocation=Invocation(
            pyprov_version="0.1.0",
            argv=("pyprov", "build"),
            python_implementation="CPython",
            python_version="3.11.7",
            platform="Linux-6.1-x86_64-with-glibc2.36",
            system="Linux",
            machine="x86_64",
            started_on="2025-01-01T10:00:00Z",
            finished_on="2025-01-01T10:00:05Z",
            github=github,
        ),
    )
    return dataclasses.replace(record, invocation=dataclasses.replace(record.invocation, **invocation))


def context(record: BuildRecord, evidence: dict[str, Any] | None = None) -> ArtifactContext:
    return ArtifactContext(record=record, artifact=Path(record.artifact.filename), evidence=evidence or {})


@pytest.fixture(scope="session")
def schemas() -> dict[str, dict[str, Any]]:
    loaded = {name: json.loads((SCHEMAS / f"{name}.schema.json").read_text()) for name in SCHEMA_FILES}
    for schema in loaded.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    return loaded


@pytest.fixture(scope="session")
def schema_validators(schemas: dict[str, dict[str, Any]]) -> dict[str, jsonschema.Draft202012Validator]:
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return {
        name: jsonschema.Draft202012Validator(schema, registry=registry, format_checker=checker)
        for name, schema in schemas.items()
    }


@pytest.fixture(scope="session")
def validate_statement(
    schema_validators: dict[str, jsonschema.Draft202012Validator],
) -> Callable[[Any], None]:
    """Parse with in-toto-attestation's protobuf models and validate against every schema in schemas/."""

    def validate(data: Any) -> None:
        message = json_format.ParseDict(data, statement_pb2.Statement())
        Statement.copy_from_pb(message).validate()
        schema_validators["intoto-statement-v1"].validate(data)
        assert data["predicateType"] == PREDICATE_TYPE
        json_format.ParseDict(data["predicate"], provenance_pb2.Provenance())
        schema_validators["slsa-provenance-v1"].validate(data["predicate"])
        definition = data["predicate"]["buildDefinition"]
        schema_validators["pyprov-build-type-v1"].validate(
            {key: definition[key] for key in ("externalParameters", "internalParameters")}
        )

    return validate
