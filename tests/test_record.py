from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pyprov.record import (
    RECORD_TYPE,
    Artifact,
    ArtifactReference,
    BuildEnvironment,
    BuildRecord,
    Digests,
    FileList,
    GitHubContext,
    GitSource,
    InstalledDistribution,
    Invocation,
    Source,
)


def make_record() -> BuildRecord:
    return BuildRecord(
        artifact=Artifact(
            filename="demo-1.0-py3-none-any.whl",
            kind="wheel",
            size=10,
            digests=Digests(sha256="a" * 64, sha512="b" * 128),
            built_from=ArtifactReference(filename="demo-1.0.tar.gz", sha256="c" * 64),
        ),
        source=Source(
            path="/src/demo",
            git=GitSource(
                commit="d" * 40,
                remote="https://example.com/r.git",
                ref="refs/heads/main",
                tags=("v1.0",),
                dirty=True,
                modified=("x.py",),
                subdirectory="pkg",
            ),
            sdist=ArtifactReference(filename="demo-1.0.tar.gz", sha256="c" * 64),
            sdist_file_list=FileList(sha256="e" * 64, count=3),
        ),
        environment=BuildEnvironment(
            isolated=True,
            installer="pip",
            backend="hatchling.build",
            build_system_requires=("hatchling",),
            installed=(
                InstalledDistribution(
                    name="hatchling",
                    version="1.0",
                    wheel_sha256="f" * 64,
                    url="https://files.example/h.whl",
                    record_sha256="0" * 64,
                ),
            ),
        ),
        invocation=Invocation(
            pyprov_version="0.1",
            argv=("pyprov", "build"),
            config_settings={"a": "1", "b": ["2", "3"]},
            python_implementation="CPython",
            python_version="3.11.7",
            platform="Linux",
            system="Linux",
            machine="x86_64",
            source_date_epoch=1700000000,
            started_on="2026-01-01T00:00:00Z",
            finished_on="2026-01-01T00:00:05Z",
            github=GitHubContext(
                server_url="https://github.com",
                repository="o/r",
                sha="d" * 40,
                ref="refs/tags/v1.0",
                workflow_ref="o/r/.github/workflows/r.yml@refs/tags/v1.0",
                run_id="1",
                run_attempt="2",
                runner_environment="github-hosted",
            ),
        ),
    )


def test_json_form_round_trips_and_matches_the_schema(validate_record: Callable[[Any], None]) -> None:
    record = make_record()
    data = record.to_dict()
    validate_record(data)
    assert data["recordType"] == RECORD_TYPE
    assert data["invocation"]["configSettings"] == {"a": "1", "b": ["2", "3"]}
    assert data["environment"]["installed"][0]["wheelSha256"] == "f" * 64
    assert BuildRecord.from_dict(data) == record


def test_github_run_url() -> None:
    github = make_record().invocation.github
    assert github is not None
    assert github.run_url == "https://github.com/o/r/actions/runs/1/attempts/2"


def test_from_dict_refuses_other_documents() -> None:
    with pytest.raises(ValueError, match="not a pyprov build record"):
        BuildRecord.from_dict({"recordType": "https://example.com/other"})


def test_github_context_only_inside_github_actions() -> None:
    assert GitHubContext.from_environ({"GITHUB_REPOSITORY": "o/r"}) is None
    context = GitHubContext.from_environ(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_SHA": "abc",
            "GITHUB_REF": "refs/tags/v1",
            "GITHUB_WORKFLOW_REF": "o/r/.github/workflows/release.yml@refs/tags/v1",
            "GITHUB_RUN_ID": "7",
            "GITHUB_RUN_ATTEMPT": "1",
            "RUNNER_ENVIRONMENT": "github-hosted",
        }
    )
    assert context is not None
    assert context.server_url == "https://github.com"
    assert context.workflow_ref == "o/r/.github/workflows/release.yml@refs/tags/v1"
    assert context.runner_environment == "github-hosted"
