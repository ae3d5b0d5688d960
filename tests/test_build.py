"""Real isolated builds of the fixture projects (build requirements come from the package index)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pyprov.build import BuildOptions, build_project
from pyprov.events import BuildEvent
from tests.conftest import copy_fixture, git

pytestmark = [pytest.mark.network, pytest.mark.slow]

PYPROV = [sys.executable, "-m", "pyprov"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def records_in(evidence: Path) -> dict[str, dict[str, Any]]:
    return {
        path.name.removesuffix(".build.json"): json.loads(path.read_text())
        for path in sorted(evidence.glob("*.build.json"))
    }


@pytest.fixture(scope="module")
def hatchling_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One default build (sdist, then wheel from sdist) of a git checkout, through the real CLI."""
    source = copy_fixture("hatchling-pure", tmp_path_factory.mktemp("hatchling") / "project", git_init=True)
    git(source, "tag", "v1.0.0")
    git(source, "remote", "add", "origin", "https://ci-bot:hunter2@git.example.com/acme/project.git")
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SOURCE_DATE_EPOCH")}
    subprocess.run([*PYPROV, "build", str(source)], check=True, env=env, capture_output=True)
    return source


def test_default_build_makes_sdist_then_wheel_from_it(
    hatchling_build: Path, validate_record: Callable[[Any], None]
) -> None:
    dist, evidence = hatchling_build / "dist", hatchling_build / "evidence"
    sdist, wheel = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    assert len(sdist) == 1
    assert len(wheel) == 1
    records = records_in(evidence)
    assert set(records) == {sdist[0].name, wheel[0].name}
    for name, record in records.items():
        validate_record(record)
        artifact = dist / name
        assert record["artifact"]["digests"]["sha256"] == sha256(artifact)
        assert record["artifact"]["digests"]["sha512"] == hashlib.sha512(artifact.read_bytes()).hexdigest()
        assert record["artifact"]["size"] == artifact.stat().st_size
    wheel_record = records[wheel[0].name]
    assert wheel_record["artifact"]["builtFrom"] == {"filename": sdist[0].name, "sha256": sha256(sdist[0])}
    assert wheel_record["source"]["sdist"] == wheel_record["artifact"]["builtFrom"]
    assert records[sdist[0].name]["artifact"]["builtFrom"] is None
    assert records[sdist[0].name]["source"]["sdistFileList"] == wheel_record["source"]["sdistFileList"]


def test_output_directory_holds_only_distributions(hatchling_build: Path) -> None:
    assert sorted(p.suffix for p in (hatchling_build / "dist").iterdir()) == [".gz", ".whl"]
    twine = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, (hatchling_build / "dist").iterdir())],
        capture_output=True,
        text=True,
        check=False,
    )
    assert twine.returncode == 0, twine.stdout + twine.stderr


def test_record_holds_git_source(hatchling_build: Path) -> None:
    record = next(iter(records_in(hatchling_build / "evidence").values()))
    assert record["source"]["path"] == str(hatchling_build)
    assert record["source"]["git"] == {
        "commit": git(hatchling_build, "rev-parse", "HEAD").strip(),
        "remote": "https://git.example.com/acme/project.git",
        "ref": "refs/heads/main",
        "tags": ["v1.0.0"],
        "dirty": False,
        "modified": [],
        "subdirectory": "",
    }


def test_record_holds_the_real_build_environment(hatchling_build: Path) -> None:
    for record in records_in(hatchling_build / "evidence").values():
        environment = record["environment"]
        assert environment["isolated"] is True
        assert environment["installer"] == "pip"
        assert environment["backend"] == "hatchling.build"
        assert environment["buildSystemRequires"] == ["hatchling"]
        installed = {d["name"]: d for d in environment["installed"]}
        assert "hatchling" in installed
        assert "packaging" in installed  # a dependency of hatchling, installed but never asked for
        for dist in installed.values():
            # pip's installation report gives the hash and origin of every wheel it installed
            assert dist["wheelSha256"] is not None, dist
            assert dist["recordSha256"] is not None, dist
        hatchling = installed["hatchling"]
        assert hatchling["url"].endswith(f"/hatchling-{hatchling['version']}-py3-none-any.whl")


def test_record_holds_the_invocation(hatchling_build: Path) -> None:
    import platform

    import pyprov

    for record in records_in(hatchling_build / "evidence").values():
        invocation = record["invocation"]
        assert invocation["pyprovVersion"] == pyprov.__version__
        assert invocation["argv"] == ["pyprov", "build", str(hatchling_build)]
        assert invocation["pythonVersion"] == platform.python_version()
        assert invocation["pythonImplementation"] == platform.python_implementation()
        assert invocation["sourceDateEpoch"] is None
        assert invocation["github"] is None
        assert invocation["startedOn"] <= invocation["finishedOn"]


def test_artifacts_are_identical_to_python_m_build(hatchling_build: Path, tmp_path: Path) -> None:
    source = tmp_path / "project"
    shutil.copytree(hatchling_build, source, ignore=shutil.ignore_patterns("dist", "evidence"))
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path / "reference"), str(source)],
        check=True,
        capture_output=True,
    )
    reference = {p.name: sha256(p) for p in (tmp_path / "reference").iterdir()}
    ours = {p.name: sha256(p) for p in (hatchling_build / "dist").iterdir()}
    assert ours == reference


def test_credentials_never_reach_the_backend(project: Callable[..., Path], tmp_path: Path) -> None:
    source = project("credential-reader")
    log = tmp_path / "seen.jsonl"
    env = {
        **os.environ,
        "SIGSTORE_ID_TOKEN": "sigstore-secret",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-secret",
        "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:1/token",
        "SIGSTORE_IDENTITY_TOKEN": "identity-secret",
        "GITHUB_TOKEN": "ghs_secret",
        "PYPROV_FIXTURE_CREDENTIAL_LOG": str(log),
    }
    subprocess.run([*PYPROV, "build", str(source)], check=True, env=env, capture_output=True)
    # The hooks wrote their log in the sandbox's private /tmp, which is gone with it.
    assert not log.exists()
    wheel = next((source / "dist").glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert json.loads(archive.read("credential_reader/found_credentials.json")) == {}
    sdist = next((source / "dist").glob("*.tar.gz"))
    with tarfile.open(sdist) as archive:
        top = sdist.name.removesuffix(".tar.gz")
        member = archive.extractfile(f"{top}/credential_reader/found_credentials.json")
        assert member is not None
        assert json.loads(member.read()) == {}
    for path in (source / "evidence").iterdir():
        assert "secret" not in path.read_text()


def test_the_credential_fixture_does_detect_credentials(project: Callable[..., Path], tmp_path: Path) -> None:
    """The control for the test above: without pyprov, the backend sees the token."""
    source = project("credential-reader")
    env = {**os.environ, "SIGSTORE_ID_TOKEN": "sigstore-secret"}
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "out"), str(source)],
        check=True,
        env=env,
        capture_output=True,
    )
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.whl"))) as archive:
        assert json.loads(archive.read("credential_reader/found_credentials.json")) == {
            "SIGSTORE_ID_TOKEN": "sigstore-secret"
        }


@pytest.mark.parametrize(
    ("fixture", "backend", "backend_path"),
    [
        ("setuptools-ext", "setuptools.build_meta", []),
        ("flit-core", "flit_core.buildapi", []),
        ("in-tree-backend", "intree_backend", ["_backend"]),
    ],
)
def test_other_backends(
    project: Callable[..., Path],
    validate_record: Callable[[Any], None],
    fixture: str,
    backend: str,
    backend_path: list[str],
) -> None:
    source = project(fixture)
    events: list[BuildEvent] = []
    result = build_project(BuildOptions(srcdir=source), on_event=events.append)
    assert [p.suffix for p in result.artifacts] == [".gz", ".whl"]
    for record in result.records:
        validate_record(record.to_dict())
        assert record.environment.backend == backend
        assert list(record.environment.backend_path) == backend_path
    assert [e.message for e in events if e.step == "built"] == [p.name for p in result.artifacts]
    if fixture == "setuptools-ext":
        assert "linux" in result.artifacts[1].name or "macosx" in result.artifacts[1].name
        assert result.records[0].environment.backend_requires == ()
        assert any(d.name == "setuptools" for d in result.records[1].environment.installed)


def test_wheel_only_with_uv_and_settings(
    project: Callable[..., Path],
    validate_record: Callable[[Any], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = project("hatchling-pure")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    result = build_project(
        BuildOptions(
            srcdir=source,
            outdir=source / "out",
            evidence_dir=source / "proof",
            distributions=("wheel",),
            installer="uv",
            config_settings={"key": "value", "list": ["a", "b"]},
        )
    )
    (record,) = result.records
    validate_record(record.to_dict())
    assert record.artifact.kind == "wheel"
    assert record.artifact.built_from is None
    assert record.source.sdist is None
    assert record.environment.installer == "uv"
    installed = {d.name: d for d in record.environment.installed}
    # uv has no installation report: the record keeps RECORD digests and says nothing about wheels
    assert installed["hatchling"].wheel_sha256 is None
    assert installed["hatchling"].record_sha256 is not None
    assert record.invocation.source_date_epoch == 1700000000
    assert dict(record.invocation.config_settings) == {"key": "value", "list": ["a", "b"]}
    assert result.artifacts[0].parent == source / "out"
    assert result.record_files[0] == source / "proof" / f"{record.artifact.filename}.build.json"


def test_no_isolation_lists_the_current_environment(
    project: Callable[..., Path], validate_record: Callable[[Any], None]
) -> None:
    source = project("hatchling-pure")
    result = build_project(BuildOptions(srcdir=source, distributions=("wheel",), isolation=False))
    (record,) = result.records
    validate_record(record.to_dict())
    assert record.environment.isolated is False
    assert record.environment.installer is None
    names = {d.name for d in record.environment.installed}
    assert {"hatchling", "pytest"} <= names  # everything the backend could import


def test_github_actions_context_is_recorded(
    project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, validate_record: Callable[[Any], None]
) -> None:
    source = project("flit-core")
    github = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/project",
        "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
        "GITHUB_REF": "refs/tags/v1.0.0",
        "GITHUB_WORKFLOW_REF": "acme/project/.github/workflows/release.yml@refs/tags/v1.0.0",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_RUN_ATTEMPT": "1",
        "RUNNER_ENVIRONMENT": "github-hosted",
    }
    for name, value in github.items():
        monkeypatch.setenv(name, value)
    result = build_project(BuildOptions(srcdir=source, distributions=("sdist",)))
    data = result.records[0].to_dict()
    validate_record(data)
    assert data["invocation"]["github"] == {
        "serverUrl": "https://github.com",
        "repository": "acme/project",
        "sha": github["GITHUB_SHA"],
        "ref": "refs/tags/v1.0.0",
        "workflowRef": github["GITHUB_WORKFLOW_REF"],
        "runId": "4242",
        "runAttempt": "1",
        "runnerEnvironment": "github-hosted",
    }
