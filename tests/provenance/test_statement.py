"""Statements from hand-made build records: every field of the buildType, and the checks."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pyprov.errors import ProjectError
from pyprov.evidence import EvidenceFile
from pyprov.provenance import (
    BUILD_TYPE,
    LOCAL_BUILDER_ID,
    ProvenanceBundleWriter,
    ProvenanceWriter,
    check_statement,
    dump_statement,
    load_statement,
    make_statement,
)
from pyprov.record import GitSource, InstalledDistribution
from tests.provenance.conftest import GITHUB, context, make_record

GIT = GitSource(commit="d" * 40, remote="https://git.example.com/acme/project.git", ref="refs/heads/main")


def dependencies(statement: dict[str, Any]) -> list[dict[str, Any]]:
    return statement["predicate"]["buildDefinition"]["resolvedDependencies"]


def external(statement: dict[str, Any]) -> dict[str, Any]:
    return statement["predicate"]["buildDefinition"]["externalParameters"]


def internal(statement: dict[str, Any]) -> dict[str, Any]:
    return statement["predicate"]["buildDefinition"]["internalParameters"]


def test_local_build_without_git(validate_statement: Callable[[Any], None]) -> None:
    record = make_record(git=None)
    statement = make_statement([record])
    validate_statement(statement)
    assert statement["subject"] == [
        {"name": record.artifact.filename, "digest": {"sha256": record.artifact.digests.sha256}}
    ]
    assert statement["predicate"]["buildDefinition"]["buildType"] == BUILD_TYPE
    assert external(statement) == {
        "source": {"path": "/src/demo"},
        "distributions": [{"kind": "wheel", "from": "sdist"}],
        "configSettings": {},
    }
    assert internal(statement) == {
        "installer": "pip",
        "isolated": True,
        "python": {"implementation": "CPython", "version": "3.11.7"},
        "platform": {"platform": "Linux-6.1-x86_64-with-glibc2.36", "system": "Linux", "machine": "x86_64"},
        "slsaBuildLevel": {
            "level": 1,
            "signing": "unsigned",
            "reason": "the provenance is unsigned: anyone able to write the file could have written it "
            "(L2 needs it signed by a hosted build platform)",
        },
    }
    assert dependencies(statement)[:2] == [
        {"uri": "file:///src/demo"},
        {"name": "demo-1.0.tar.gz", "digest": {"sha256": "c" * 64}},
    ]
    assert statement["predicate"]["runDetails"] == {
        "builder": {"id": LOCAL_BUILDER_ID, "version": {"pyprov": "0.1.0"}},
        "metadata": {"startedOn": "2025-01-01T10:00:00Z", "finishedOn": "2025-01-01T10:00:05Z"},
    }


def test_git_source_with_remote_ref_and_subdirectory(validate_statement: Callable[[Any], None]) -> None:
    git = GitSource(
        commit="a" * 40,
        remote="https://git.example.com/acme/mono.git",
        ref="refs/heads/main",
        subdirectory="packages/demo",
    )
    statement = make_statement([make_record(git=git)])
    validate_statement(statement)
    assert external(statement)["source"] == {
        "repository": "https://git.example.com/acme/mono.git",
        "ref": "refs/heads/main",
        "subdirectory": "packages/demo",
    }
    assert dependencies(statement)[0] == {
        "uri": "git+https://git.example.com/acme/mono.git@refs/heads/main",
        "digest": {"gitCommit": "a" * 40},
    }


def test_dirty_checkout_is_annotated(validate_statement: Callable[[Any], None]) -> None:
    git = GitSource(
        commit="a" * 40, remote="https://git.example.com/r.git", dirty=True, modified=("x.py", "y")
    )
    statement = make_statement([make_record(git=git)])
    validate_statement(statement)
    assert dependencies(statement)[0] == {
        "uri": "git+https://git.example.com/r.git",
        "digest": {"gitCommit": "a" * 40},
        "annotations": {"dirty": True, "modified": ["x.py", "y"]},
    }
    assert "ref" not in external(statement)["source"]


@pytest.mark.parametrize(
    ("remote", "subdirectory", "uri"),
    [
        ("git@github.com:acme/project.git", "", "git+ssh://git@github.com/acme/project.git@refs/heads/main"),
        ("ssh://git@host/x.git", "", "git+ssh://git@host/x.git@refs/heads/main"),
        (None, "", "git+file:///src/demo@refs/heads/main"),
        (None, "demo", "git+file:///src@refs/heads/main"),
    ],
)
def test_source_uri_forms(remote: str | None, subdirectory: str, uri: str) -> None:
    git = GitSource(commit="a" * 40, remote=remote, ref="refs/heads/main", subdirectory=subdirectory)
    statement = make_statement([make_record(git=git)])
    assert dependencies(statement)[0]["uri"] == uri


def test_checkout_without_remote_names_the_directory(validate_statement: Callable[[Any], None]) -> None:
    statement = make_statement([make_record(git=GitSource(commit="a" * 40, ref="refs/heads/main"))])
    validate_statement(statement)
    assert external(statement)["source"] == {"path": "/src/demo"}


@pytest.mark.parametrize(("sha", "ref"), [("d" * 40, "refs/tags/v1.0.0"), ("e" * 40, None)])
def test_detached_checkout_in_github_actions_takes_github_ref_only_for_its_commit(
    sha: str, ref: str | None
) -> None:
    git = GitSource(commit="d" * 40, remote="https://github.com/acme/project")
    record = make_record(git=git, github=dataclasses.replace(GITHUB, sha=sha))
    statement = make_statement([record])
    expected = "git+https://github.com/acme/project" + (f"@{ref}" if ref else "")
    assert dependencies(statement)[0]["uri"] == expected
    assert external(statement)["source"].get("ref") == ref


def test_github_actions_fields(validate_statement: Callable[[Any], None]) -> None:
    statement = make_statement([make_record(git=GIT, github=GITHUB)])
    validate_statement(statement)
    assert statement["predicate"]["runDetails"]["builder"]["id"] == (
        "https://github.com/acme/project/.github/workflows/release.yml@refs/tags/v1.0.0"
    )
    assert statement["predicate"]["runDetails"]["metadata"]["invocationId"] == (
        "https://github.com/acme/project/actions/runs/1234/attempts/2"
    )
    assert external(statement)["workflow"] == {
        "repository": "https://github.com/acme/project",
        "path": ".github/workflows/release.yml",
        "ref": "refs/tags/v1.0.0",
    }
    assert internal(statement)["github"] == {"runnerEnvironment": "github-hosted", "sha": "d" * 40}


@pytest.mark.parametrize("workflow_ref", ["", "acme/project", "acme/.github/workflows/x.yml", "a/b/c@"])
def test_unusable_workflow_ref_falls_back_to_the_local_builder(workflow_ref: str) -> None:
    record = make_record(github=dataclasses.replace(GITHUB, workflow_ref=workflow_ref))
    statement = make_statement([record])
    assert statement["predicate"]["runDetails"]["builder"]["id"] == LOCAL_BUILDER_ID
    assert "invocationId" not in statement["predicate"]["runDetails"]["metadata"]
    assert "workflow" not in external(statement)


def test_user_parameters(validate_statement: Callable[[Any], None]) -> None:
    record = make_record(
        kind="sdist", config_settings={"a": "1", "b": ["x", "y"]}, source_date_epoch=1700000000
    )
    statement = make_statement([record])
    validate_statement(statement)
    assert external(statement) == {
        "source": {"path": "/src/demo"},
        "distributions": [{"kind": "sdist", "from": "source"}],
        "configSettings": {"a": "1", "b": ["x", "y"]},
        "sourceDateEpoch": 1700000000,
    }
    assert '"sourceDateEpoch": 1700000000\n' in dump_statement(statement).decode()


def test_build_environment_as_purls(validate_statement: Callable[[Any], None]) -> None:
    installed = (
        InstalledDistribution(
            name="Trove_Classifiers",
            version="2024.1",
            wheel_sha256="4" * 64,
            url="https://u:p@files.example.org/a/trove_classifiers-2024.1-py3-none-any.whl",
        ),
        InstalledDistribution(name="local", version="1.0+abc", record_sha256="5" * 64),
    )
    statement = make_statement([make_record(installed=installed)])
    validate_statement(statement)
    assert dependencies(statement)[2:] == [
        {"uri": "pkg:pypi/local@1.0%2Babc"},
        {
            "uri": "pkg:pypi/trove-classifiers@2024.1?file_name=trove_classifiers-2024.1-py3-none-any.whl",
            "downloadLocation": "https://u:p@files.example.org/a/trove_classifiers-2024.1-py3-none-any.whl",
            "digest": {"sha256": "4" * 64},
        },
    ]


def test_byproducts_are_the_evidence_with_digests(validate_statement: Callable[[Any], None]) -> None:
    record = make_record()
    evidence = {
        ".build.json": EvidenceFile(path=Path("/e/demo-1.0-py3-none-any.whl.build.json"), sha256="6" * 64),
        ".cdx.json": EvidenceFile(path=Path("/e/demo-1.0-py3-none-any.whl.cdx.json"), sha256="7" * 64),
        ".log": EvidenceFile(path=Path("/e/demo-1.0-py3-none-any.whl.log"), sha256="8" * 64),
    }
    data = json.loads(ProvenanceWriter().render(context(record, evidence)))
    validate_statement(data)
    assert data["predicate"]["runDetails"]["byproducts"] == [
        {
            "name": "demo-1.0-py3-none-any.whl.build.json",
            "digest": {"sha256": "6" * 64},
            "mediaType": "application/json",
        },
        {
            "name": "demo-1.0-py3-none-any.whl.cdx.json",
            "digest": {"sha256": "7" * 64},
            "mediaType": "application/vnd.cyclonedx+json",
        },
        {"name": "demo-1.0-py3-none-any.whl.log", "digest": {"sha256": "8" * 64}, "mediaType": "text/plain"},
    ]


def test_bundle_has_every_subject_and_the_union_of_inputs(validate_statement: Callable[[Any], None]) -> None:
    sdist = make_record(kind="sdist", git=GIT, started_on="2025-01-01T09:59:00Z")
    wheel = make_record(git=GIT, finished_on="2025-01-01T10:01:00Z")
    writer = ProvenanceBundleWriter()
    assert writer.filename == "pyprov.intoto.json"
    data = json.loads(writer.render([context(sdist), context(wheel)]))
    validate_statement(data)
    assert [subject["name"] for subject in data["subject"]] == [
        "demo-1.0.tar.gz",
        "demo-1.0-py3-none-any.whl",
    ]
    assert external(data)["distributions"] == [
        {"kind": "sdist", "from": "source"},
        {"kind": "wheel", "from": "sdist"},
    ]
    uris = [item.get("uri", item.get("name")) for item in dependencies(data)]
    assert uris == [
        "git+https://git.example.com/acme/project.git@refs/heads/main",
        "demo-1.0.tar.gz",
        "pkg:pypi/hatchling@1.33.0?file_name=hatchling-1.33.0-py3-none-any.whl",
        "pkg:pypi/packaging@26.3?file_name=packaging-26.3-py3-none-any.whl",
    ]
    assert data["predicate"]["runDetails"]["metadata"] == {
        "startedOn": "2025-01-01T09:59:00Z",
        "finishedOn": "2025-01-01T10:01:00Z",
    }


def test_writers_are_deterministic() -> None:
    record = make_record(git=GIT)
    assert ProvenanceWriter().suffix == ".intoto.json"
    first, second = ProvenanceWriter().render(context(record)), ProvenanceWriter().render(context(record))
    assert first == second
    assert first.endswith(b"}\n")


def test_no_records() -> None:
    with pytest.raises(ValueError, match="at least one build record"):
        make_statement([])


def _tamper(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return apply


_DELETE = object()


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_tamper("_type", "https://in-toto.io/Statement/v0.1"), "statement: Wrong statement type"),
        (_tamper("subject", []), "statement: At least one subject required"),
        (_tamper("subject.0.digest", {}), r"statement: At least one digest required \(subject 0\)"),
        (_tamper("predicate.runDetails.metadata.slsaLevel", 3), "predicate: .*slsaLevel"),
        (_tamper("predicate.runDetails.builder.id", ""), "required field.*predicate.runDetails.builder.id"),
        (
            _tamper("predicate.buildDefinition.externalParameters", _DELETE),
            "required field.*predicate.buildDefinition.externalParameters",
        ),
        (
            _tamper("predicate.runDetails.byproducts", [{"mediaType": "text/plain"}]),
            r"predicate.runDetails.byproducts\[0\]: At least one of name, URI, or digest",
        ),
        (_tamper("predicate.runDetails.metadata.startedOn", "yesterday"), "predicate: .*startedOn"),
    ],
)
def test_check_statement_rejects(tamper: Callable[[dict[str, Any]], None], message: str) -> None:
    data = make_statement([make_record()])
    check_statement(data)
    tamper(data)
    with pytest.raises(ValueError, match=message):
        check_statement(data)


def test_load_statement(tmp_path: Path) -> None:
    good = tmp_path / "good.intoto.json"
    good.write_bytes(dump_statement(make_statement([make_record()])))
    assert load_statement(good)["_type"] == "https://in-toto.io/Statement/v1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read {path}: No such file or directory"),
        (
            "{",
            ("{path} is not JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        ),
        ("[]", "{path} is not an in-toto statement: expected a JSON object"),
        ('{"_type": "x"}', "{path} is not a valid in-toto statement: statement: Wrong statement type"),
    ],
)
def test_load_statement_errors(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "bad.intoto.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ProjectError) as raised:
        load_statement(path)
    assert raised.value.message == message.format(path=path)
