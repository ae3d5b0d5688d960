"""Every hostile input of issue 15: exit 2 with one clear line, never exit 70, never a hang.

Each input is a real pyprov output (see conftest.py) with one field made hostile, run
through the real command line as a subprocess (a hang fails on the timeout).
"""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pyprov.testing.sigstore import LocalSigstore

ROOT = Path(__file__).resolve().parents[2]


def pyprov(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "pyprov", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False, cwd=cwd)


def assert_one_clear_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "internal error" not in result.stderr
    assert expected in lines[0], lines[0]


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _mutated(source: Path, destination: Path, change: Callable[[Any], None]) -> Path:
    document = copy.deepcopy(_json(source))
    change(document)
    destination.write_text(json.dumps(document))
    return destination


CYCLONEDX: dict[str, tuple[Callable[[Any], None], str]] = {
    "metadata is an array": (
        lambda d: d.__setitem__("metadata", [1]),
        'metadata: [1] is not of type "object"',
    ),
    "formulation of numbers": (
        lambda d: d.__setitem__("formulation", [1]),
        "formulation.0: 1 is not of type",
    ),
    "hashes is a string": (
        lambda d: d["metadata"]["component"].__setitem__("hashes", "abc"),
        'metadata.component.hashes: "abc" is not of type "array"',
    ),
    "properties of non-objects": (
        lambda d: d["metadata"].__setitem__("properties", [1, "x"]),
        "metadata.properties.0: 1 is not of type",
    ),
}


@pytest.mark.parametrize("case", sorted(CYCLONEDX))
def test_cyclonedx_with_wrong_types(outputs: dict[str, Path], tmp_path: Path, case: str) -> None:
    change, expected = CYCLONEDX[case]
    path = _mutated(outputs[".cdx.json"], tmp_path / "bad.cdx.json", change)
    assert_one_clear_line(
        pyprov("inspect", path), f"{path}: the CycloneDX 1.6 document is invalid: {expected}"
    )


def test_statement_with_wrong_types(outputs: dict[str, Path], tmp_path: Path) -> None:
    def change(document: Any) -> None:
        document["predicate"]["buildDefinition"]["externalParameters"]["distributions"] = [1]

    path = _mutated(outputs[".intoto.json"], tmp_path / "bad.intoto.json", change)
    assert_one_clear_line(
        pyprov("inspect", path),
        f"{path}: not a valid SLSA provenance: buildDefinition.externalParameters.distributions[0]: "
        "expected an object",
    )


def test_deeply_nested_json_in_inspect(tmp_path: Path) -> None:
    path = tmp_path / "deep.cdx.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert_one_clear_line(
        pyprov("inspect", path), f"{path}: not a document pyprov reads: nested deeper than 64"
    )


def test_deeply_nested_json_in_merge(outputs: dict[str, Path], tmp_path: Path) -> None:
    job = tmp_path / "job"
    job.mkdir()
    (job / "x-1.0-py3-none-any.whl.intoto.json").write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    result = pyprov("merge", job, outputs[".intoto.json"].parent, "-o", tmp_path / "out")
    assert_one_clear_line(
        result, "x-1.0-py3-none-any.whl.intoto.json: not a document pyprov reads: nested deeper"
    )
    assert not (tmp_path / "out").exists()


def test_deeply_nested_toml_in_verify_lock(tmp_path: Path) -> None:
    lock = tmp_path / "pylock.toml"
    lock.write_text('lock-version = "1.0"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    result = pyprov("verify", "--offline", "--lock", lock, "--files", tmp_path)
    assert_one_clear_line(result, f"{lock}: not a document pyprov reads: nested too deeply")


def _rewrite_wheel(
    wheel: Path, destination: Path, *, extra: dict[str, str], record: Callable[[str], str]
) -> Path:
    destination.mkdir()
    target = destination / wheel.name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w") as output:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                data = record(data.decode()).encode()
            output.writestr(info, data)
        for name, text in extra.items():
            output.writestr(name, text)
    return target


def test_wheel_whose_embedded_sbom_has_wrong_types(outputs: dict[str, Path], tmp_path: Path) -> None:
    wheel = next((outputs[".build.json"].parents[1] / "dist").glob("*.whl"))
    sbom = '{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": []}'
    extra = {"pyprov_fixture_hatchling-1.0.0.dist-info/sboms/vendor.cdx.json": sbom}
    hostile = _rewrite_wheel(wheel, tmp_path / "dist", extra=extra, record=lambda text: text)
    result = pyprov("sbom", hostile, "-o", tmp_path / "out.cdx.json")
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr
    assert (tmp_path / "out.cdx.json").is_file()


def test_record_with_a_short_hash(outputs: dict[str, Path], tmp_path: Path) -> None:
    wheel = next((outputs[".build.json"].parents[1] / "dist").glob("*.whl"))

    def shorten(text: str) -> str:
        return "".join(
            line.replace(line.split(",")[1], "sha256=abc", 1) if ",sha256=" in line else line
            for line in text.splitlines(keepends=True)
        )

    hostile = _rewrite_wheel(wheel, tmp_path / "dist", extra={}, record=shorten)
    result = pyprov("sbom", "--sbom-files", hostile, "-o", tmp_path / "out.cdx.json")
    assert result.returncode == 0, result.stderr
    assert "RECORD: bad hash for 'pyprov_fixture_hatchling-1.0.0.dist-info/METADATA'" in result.stderr
    assert "internal error" not in result.stderr
    assert "is invalid" not in result.stderr


def test_sdist_with_non_utf8_member_names(tmp_path: Path) -> None:
    sdist = tmp_path / "demo-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz", format=tarfile.GNU_FORMAT, encoding="latin-1") as archive:
        for name, data in (
            ("demo-1.0/PKG-INFO", b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"),
            ("demo-1.0/caf\xe9.py", b"x = 1\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    result = pyprov("sbom", "--sbom-files", sdist, "-o", tmp_path / "out.cdx.json")
    assert_one_clear_line(
        result,
        "demo-1.0.tar.gz: member name 'demo-1.0/caf\\xe9.py' is not UTF-8: it cannot be listed in an SBOM",
    )


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo.sigstore.json"
    os.mkfifo(path)
    return path


def test_fifo_does_not_hang_any_reader(
    fifo: Path, tmp_path: Path, outputs: dict[str, Path], instance: LocalSigstore
) -> None:
    trust = ("--trust-config", instance.trust_config_path, "--repository", "acme/widget")
    artifact = outputs[".sigstore.json"].parents[1] / "dist" / "widget-1.0.tar.gz"
    assert_one_clear_line(pyprov("inspect", fifo), f"not a regular file: {fifo}")
    # As an artifact (named like one: a name ending in .sigstore.json is evidence, and skipped).
    fifo_artifact = tmp_path / "widget-2.0.tar.gz"
    os.mkfifo(fifo_artifact)
    assert_one_clear_line(pyprov("verify", *trust, fifo_artifact), f"not a regular file: {fifo_artifact}")
    assert_one_clear_line(
        pyprov("verify", "--lock", fifo, "--files", tmp_path), f"not a regular file: {fifo}"
    )
    # As evidence, the FIFO is a failing check of the artifact (exit 4), read without waiting.
    result = pyprov("verify", *trust, "--bundle", fifo, artifact)
    assert result.returncode == 4, result.stderr
    assert f"✗ read [{fifo}]: not a regular file" in result.stdout
