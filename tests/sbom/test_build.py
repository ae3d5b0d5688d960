"""SBOMs written by a real pyprov build: formulation, SPDX, PEP 770 embedding, determinism."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIXTURES
from tests.sbom.conftest import prop

from pyprov.build import BuildOptions, BuildResult, build_project
from pyprov.sbom import CycloneDXWriter, EmbedSbomTransform, SPDXWriter, summarize

EPOCH = 1700000000
pytestmark = [pytest.mark.network, pytest.mark.slow]


def _build(root: Path, monkeypatch: pytest.MonkeyPatch) -> BuildResult:
    source = root / "hatchling-pure"
    shutil.copytree(FIXTURES / "hatchling-pure", source)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    return build_project(
        BuildOptions(
            srcdir=source,
            evidence_writers=(CycloneDXWriter(spec="1.6"), SPDXWriter()),
            transforms=(EmbedSbomTransform(spec="1.6", source_date_epoch=EPOCH),),
        )
    )


@pytest.fixture(scope="session")
def built(session_dir: Path) -> BuildResult:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _build(session_dir / "first", monkeypatch)


def _evidence(result: BuildResult, kind: str, suffix: str) -> Path:
    index = [record.artifact.kind for record in result.records].index(kind)
    return next(p for p in result.evidence_files[index] if p.name.endswith(suffix))


def test_evidence_files_beside_the_records(built: BuildResult) -> None:
    for paths, artifact in zip(built.evidence_files, built.artifacts, strict=True):
        names = {p.name for p in paths}
        assert names == {artifact.name + s for s in (".build.json", ".cdx.json", ".spdx.json")}
        assert all(p.parent != artifact.parent for p in paths)  # never in dist/


def test_wheel_sbom_with_formulation(built: BuildResult, check_cyclonedx) -> None:
    document: dict[str, Any] = check_cyclonedx(_evidence(built, "wheel", ".cdx.json").read_bytes(), "1.6")
    record = built.records[1]
    root = document["metadata"]["component"]
    assert {"alg": "SHA-256", "content": record.artifact.digests.sha256} in root["hashes"]
    assert {"alg": "SHA-512", "content": record.artifact.digests.sha512} in root["hashes"]
    (formula,) = document["formulation"]
    environment = {c["name"]: c for c in formula["components"] if c["type"] == "library"}
    assert {d.name for d in record.environment.installed} == set(environment)
    hatchling = environment["hatchling"]
    installed = next(d for d in record.environment.installed if d.name == "hatchling")
    assert hatchling["version"] == installed.version
    assert hatchling["purl"] == f"pkg:pypi/hatchling@{installed.version}"
    if installed.wheel_sha256:
        assert hatchling["hashes"] == [{"alg": "SHA-256", "content": installed.wheel_sha256}]
    (workflow,) = formula["workflows"]
    assert workflow["taskTypes"] == ["build"]
    assert [s["name"] for s in workflow["steps"]] == [
        "install build-system.requires",
        "get_requires_for_build_wheel",
        "build_wheel",
    ]
    refs = [i["resource"]["ref"] for i in workflow["inputs"] if "resource" in i]
    sdist = next(c for c in formula["components"] if c["type"] == "file")
    assert sdist["name"] == built.artifacts[0].name
    assert sdist["hashes"] == [{"alg": "SHA-256", "content": built.records[0].artifact.digests.sha256}]
    assert refs[0] == sdist["bom-ref"]
    assert set(refs[1:]) == {c["bom-ref"] for c in environment.values()}
    assert workflow["outputs"] == [{"type": "artifact", "resource": {"ref": root["bom-ref"]}}]
    assert "timeStart" not in workflow  # SOURCE_DATE_EPOCH: deterministic
    assert document["metadata"]["timestamp"].startswith("2023-11-14T22:13:20")
    summary = summarize(json.dumps(document).encode())
    assert f"hatchling=={installed.version}" in summary.build_environment


def test_sdist_sbom(built: BuildResult, check_cyclonedx) -> None:
    document = check_cyclonedx(_evidence(built, "sdist", ".cdx.json").read_bytes(), "1.6")
    (workflow,) = document["formulation"][0]["workflows"]
    assert workflow["steps"][-1]["name"] == "build_sdist"


def test_spdx(built: BuildResult, check_spdx) -> None:
    document = check_spdx(_evidence(built, "wheel", ".spdx.json").read_bytes())
    names = {p["name"]: p for p in document["packages"]}
    root = names["pyprov-fixture-hatchling"]
    assert root["versionInfo"] == "1.0.0"
    assert root["licenseDeclared"] == "MIT"
    assert {c["algorithm"] for c in root["checksums"]} == {"SHA256", "SHA512"}
    kinds = {r["relationshipType"] for r in document["relationships"]}
    assert {"DESCRIBES", "BUILD_DEPENDENCY_OF", "GENERATED_FROM"} <= kinds
    assert "hatchling" in names
    assert names["packaging"]["versionInfo"]  # hatchling's, built with: a declared range is no package
    assert "pyprov.cdx.json" not in names  # the embedded SBOM is a file, not a versioned package
    assert root["comment"].startswith("Requires-Dist (declared ranges, resolved at install time): ")
    assert "packaging>=23" in root["comment"]
    assert document["creationInfo"]["comment"] == "SBOM type: Build"


def test_embedded_sbom_in_wheel(built: BuildResult, check_cyclonedx) -> None:
    wheel = built.artifacts[1]
    with zipfile.ZipFile(wheel) as archive:
        name = "pyprov_fixture_hatchling-1.0.0.dist-info/sboms/pyprov.cdx.json"
        embedded = archive.read(name)
        record = archive.read("pyprov_fixture_hatchling-1.0.0.dist-info/RECORD").decode()
        assert archive.testzip() is None
    document = check_cyclonedx(embedded, "1.6")
    assert "serialNumber" not in document
    assert "hashes" not in document["metadata"]["component"]
    assert document["formulation"][0]["workflows"][0]["steps"][-1]["name"] == "build_wheel"
    import base64
    import hashlib

    digest = base64.urlsafe_b64encode(hashlib.sha256(embedded).digest()).rstrip(b"=").decode()
    assert f"{name},sha256={digest},{len(embedded)}" in record.splitlines()
    assert record.splitlines()[-1] == "pyprov_fixture_hatchling-1.0.0.dist-info/RECORD,,"
    # the artifact's own SBOM lists the embedded one without merging it again
    outer = json.loads(_evidence(built, "wheel", ".cdx.json").read_bytes())
    listed = next(c for c in outer["components"] if c["name"] == "pyprov.cdx.json")
    assert prop(listed, "pyprov:sbom:merged")
    import tarfile

    with tarfile.open(built.artifacts[0]) as sdist:  # sdists are not transformed
        assert not [n for n in sdist.getnames() if "sboms" in n]


def test_embedded_wheel_installs_with_pip(built: BuildResult, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(built.artifacts[1]),
        ],
        check=True,
    )
    found = list(
        venv.glob("lib/python*/site-packages/pyprov_fixture_hatchling-1.0.0.dist-info/sboms/pyprov.cdx.json")
    )
    assert len(found) == 1
    with zipfile.ZipFile(built.artifacts[1]) as archive:
        assert found[0].read_bytes() == archive.read(
            "pyprov_fixture_hatchling-1.0.0.dist-info/sboms/pyprov.cdx.json"
        )


def test_byte_identical_rebuild(
    built: BuildResult, session_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = _build(session_dir / "second", monkeypatch)
    for first_paths, second_paths in zip(built.evidence_files, second.evidence_files, strict=True):
        for a, b in zip(first_paths, second_paths, strict=True):
            if a.name.endswith((".cdx.json", ".spdx.json")):
                import difflib

                diff = "".join(
                    difflib.unified_diff(a.read_text().splitlines(True), b.read_text().splitlines(True))
                )
                assert not diff, diff[:3000]
    assert built.artifacts[1].read_bytes() == second.artifacts[1].read_bytes()
