"""Provenance of real isolated builds of the hatchling fixture in a real git checkout, in "GitHub Actions".

Two builds of the same checkout with the same SOURCE_DATE_EPOCH, shared by every test
of the module (an isolated build takes seconds).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pyprov._cli.inspect import render_statement
from pyprov._internal.environ import is_credential
from pyprov.build import BuildOptions, BuildResult, build_project
from pyprov.evidence import ArtifactContext
from pyprov.provenance import ProvenanceBundleWriter, ProvenanceWriter, load_statement
from tests.conftest import copy_fixture, git

pytestmark = [pytest.mark.network, pytest.mark.slow]

GITHUB_ENV = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_WORKFLOW_REF": "acme/project/.github/workflows/release.yml@refs/tags/v1.0.0",
    "GITHUB_REPOSITORY": "acme/project",
    "GITHUB_REF": "refs/tags/v1.0.0",
    "GITHUB_RUN_ID": "987654",
    "GITHUB_RUN_ATTEMPT": "1",
    "GITHUB_SERVER_URL": "https://github.com",
    "RUNNER_ENVIRONMENT": "github-hosted",
    "SOURCE_DATE_EPOCH": "1700000000",
}


class SbomStandIn:
    """A small real evidence writer in the SBOM's place: a deterministic ``.cdx.json``."""

    suffix = ".cdx.json"

    def render(self, context: ArtifactContext) -> bytes:
        return json.dumps({"bomFormat": "CycloneDX", "for": context.record.artifact.digests.sha256}).encode()


@dataclass(frozen=True)
class Build:
    source: Path
    commit: str
    result: BuildResult
    evidence: Path

    def statement(self, artifact: Path) -> dict[str, Any]:
        return load_statement(self.evidence / f"{artifact.name}.intoto.json")

    def artifact(self, suffix: str) -> Path:
        (path,) = [p for p in self.result.artifacts if p.name.endswith(suffix)]
        return path


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Build]:
    root = tmp_path_factory.mktemp("provenance")
    source = copy_fixture("hatchling-pure", root / "project", git_init=True)
    git(source, "remote", "add", "origin", "https://ci-bot:hunter2@git.example.com/acme/project.git")
    commit = git(source, "rev-parse", "HEAD").strip()
    done = []
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if is_credential(name) or name.startswith(("GITHUB_", "RUNNER_")):
                patch.delenv(name)
        for name, value in {**GITHUB_ENV, "GITHUB_SHA": commit}.items():
            patch.setenv(name, value)
        for number in (1, 2):
            evidence = root / f"evidence{number}"
            result = build_project(
                BuildOptions(
                    srcdir=source,
                    outdir=root / f"dist{number}",
                    evidence_dir=evidence,
                    evidence_writers=(SbomStandIn(), ProvenanceWriter()),
                    run_evidence_writers=(ProvenanceBundleWriter(),),
                )
            )
            done.append(Build(source=source, commit=commit, result=result, evidence=evidence))
    return done[0], done[1]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_statements_validate_and_name_the_real_artifacts(
    builds: tuple[Build, Build], validate_statement: Callable[[Any], None]
) -> None:
    build = builds[0]
    assert len(build.result.artifacts) == 2
    for artifact in build.result.artifacts:
        statement = build.statement(artifact)
        validate_statement(statement)
        assert statement["subject"] == [{"name": artifact.name, "digest": {"sha256": sha256(artifact)}}]
    bundle = load_statement(build.evidence / "pyprov.intoto.json")
    validate_statement(bundle)
    assert bundle["subject"] == [
        {"name": artifact.name, "digest": {"sha256": sha256(artifact)}} for artifact in build.result.artifacts
    ]
    assert build.result.run_evidence_files == (build.evidence / "pyprov.intoto.json",)


def test_wheel_depends_on_its_sdist_and_build_environment(builds: tuple[Build, Build]) -> None:
    build = builds[0]
    sdist, wheel = build.artifact(".tar.gz"), build.artifact(".whl")
    dependencies = build.statement(wheel)["predicate"]["buildDefinition"]["resolvedDependencies"]
    assert {"name": sdist.name, "digest": {"sha256": sha256(sdist)}} in dependencies
    wheel_record = build.result.records[1]
    assert wheel_record.artifact.filename == wheel.name
    purls = {
        item["uri"].partition("?")[0]: item for item in dependencies if item.get("uri", "").startswith("pkg:")
    }
    assert any(purl.startswith("pkg:pypi/hatchling@") for purl in purls)
    for distribution in wheel_record.environment.installed:
        item = purls[f"pkg:pypi/{distribution.name}@{distribution.version}"]
        assert item["digest"] == {"sha256": distribution.wheel_sha256}
    sdist_dependencies = build.statement(sdist)["predicate"]["buildDefinition"]["resolvedDependencies"]
    assert not [item for item in sdist_dependencies if item.get("name") == sdist.name]


def test_git_fields_match_the_checkout(builds: tuple[Build, Build]) -> None:
    build = builds[0]
    for artifact in build.result.artifacts:
        definition = build.statement(artifact)["predicate"]["buildDefinition"]
        assert definition["externalParameters"]["source"] == {
            "repository": "https://git.example.com/acme/project.git",
            "ref": "refs/heads/main",
        }
        assert definition["resolvedDependencies"][0] == {
            "uri": "git+https://git.example.com/acme/project.git@refs/heads/main",
            "digest": {"gitCommit": build.commit},
        }
        assert "hunter2" not in json.dumps(definition)


def test_github_actions_fields(builds: tuple[Build, Build]) -> None:
    build = builds[0]
    statement = build.statement(build.artifact(".whl"))
    run = statement["predicate"]["runDetails"]
    assert (
        run["builder"]["id"]
        == "https://github.com/acme/project/.github/workflows/release.yml@refs/tags/v1.0.0"
    )
    assert run["metadata"]["invocationId"] == "https://github.com/acme/project/actions/runs/987654/attempts/1"
    definition = statement["predicate"]["buildDefinition"]
    assert definition["externalParameters"]["workflow"] == {
        "repository": "https://github.com/acme/project",
        "path": ".github/workflows/release.yml",
        "ref": "refs/tags/v1.0.0",
    }
    assert definition["externalParameters"]["sourceDateEpoch"] == 1700000000
    assert definition["internalParameters"]["github"] == {
        "runnerEnvironment": "github-hosted",
        "sha": build.commit,
    }
    assert definition["internalParameters"]["slsaBuildLevel"]["level"] == 1


def test_byproducts_are_the_evidence_files(builds: tuple[Build, Build]) -> None:
    build = builds[0]
    wheel = build.artifact(".whl")
    byproducts = build.statement(wheel)["predicate"]["runDetails"]["byproducts"]
    assert [(item["name"], item["digest"]["sha256"]) for item in byproducts] == [
        (name, sha256(build.evidence / name))
        for name in (f"{wheel.name}.build.json", f"{wheel.name}.cdx.json")
    ]


def _without_run_specifics(statement: dict[str, Any]) -> dict[str, Any]:
    """Mask what legitimately differs: times, the run id, and digests of evidence holding times."""
    data = copy.deepcopy(statement)
    metadata = data["predicate"]["runDetails"]["metadata"]
    for key in ("startedOn", "finishedOn", "invocationId"):
        metadata.pop(key)
    for item in data["predicate"]["runDetails"]["byproducts"]:
        if item["name"].endswith((".build.json", ".intoto.json")):
            item["digest"] = "masked"
    return data


def test_two_builds_give_equal_statements(builds: tuple[Build, Build]) -> None:
    first, second = builds
    names = ["pyprov.intoto.json", *(f"{p.name}.intoto.json" for p in first.result.artifacts)]
    assert [sha256(p) for p in first.result.artifacts] == [sha256(p) for p in second.result.artifacts]
    for name in names:
        one, two = load_statement(first.evidence / name), load_statement(second.evidence / name)
        assert _without_run_specifics(one) == _without_run_specifics(two), name


def test_inspect_renders_a_real_statement(builds: tuple[Build, Build]) -> None:
    build = builds[0]
    text = render_statement(build.statement(build.artifact(".whl")), color=False)
    assert f"  commit      {build.commit}\n" in text
    workflow = "https://github.com/acme/project/.github/workflows/release.yml@refs/tags/v1.0.0"
    assert f"  id          {workflow}\n" in text
    assert "  SLSA Build L1: the provenance is unsigned" in text
    assert "  hatchling " in text
