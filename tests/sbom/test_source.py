"""SBOMs of source trees that vendor code: the release fixture's Misc/sbom.spdx.json merged and checked."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIXTURES

from pyprov.errors import VerificationError
from pyprov.sbom import SbomError, validate_cyclonedx
from pyprov.sbom.merge import MAX_INPUT_BYTES
from pyprov.sbom.source import source_sbom

SBOM = "Misc/sbom.spdx.json"
VENDORED = {
    "minilib": ["Modules/minilib/LICENSE", "Modules/minilib/minilib.c", "Modules/minilib/minilib.h"],
    "fastmath": ["Modules/_fastmath/LICENSE", "Modules/_fastmath/fastmath.c"],
}


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The release fixture with its tarball made by make."""
    destination = tmp_path / "release"
    shutil.copytree(FIXTURES / "release", destination)
    monkeypatch.setenv("PYTHON", sys.executable)
    subprocess.run(["make", "-s", "dist"], cwd=destination, check=True, capture_output=True)
    return destination


def components(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {component["name"]: component for component in document["components"]}


def properties(component: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in component.get("properties", [])}


def test_the_tarball_sbom_lists_the_vendored_components_with_verified_hashes(tree: Path) -> None:
    tarball = tree / "dist" / "release-1.0.tar.gz"
    result = source_sbom(tree, [tree / SBOM], artifact=tarball, source_date_epoch=1700000000)

    assert result.warnings == ()
    assert result.problems == ()
    assert {(c.path, c.location, c.status) for c in result.checks} == {
        (path, location, "verified")
        for paths in VENDORED.values()
        for path in paths
        for location in ("source", "artifact")
    }
    document = json.loads(result.content)
    validate_cyclonedx(document, "1.6")
    root = document["metadata"]["component"]
    assert (root["name"], root["version"]) == ("release", "1.0")
    assert root["hashes"][0] == {
        "alg": "SHA-256",
        "content": hashlib.sha256(tarball.read_bytes()).hexdigest(),
    }
    found = components(document)
    assert sorted(found) == ["fastmath", "minilib"]
    minilib = found["minilib"]
    assert minilib["version"] == "2.6.3"
    assert minilib["purl"] == "pkg:github/example/minilib@R_2_6_3"
    assert minilib["cpe"].startswith("cpe:2.3:a:minilib_project:minilib:2.6.3")
    assert minilib["licenses"] == [{"license": {"id": "MIT"}}]
    assert (
        properties(minilib)["pyprov:vendored:files:verified"] == "6"
    )  # 3 files, in the tree and the tarball
    for name, paths in VENDORED.items():
        files = {item["name"]: item for item in found[name]["components"]}
        assert sorted(files) == paths
        for path, item in files.items():
            data = (tree / path).read_bytes()
            assert {h["alg"]: h["content"] for h in item["hashes"]} == {
                "SHA-1": hashlib.sha1(data, usedforsecurity=False).hexdigest(),
                "SHA-256": hashlib.sha256(data).hexdigest(),
            }
            assert properties(item) == {
                "pyprov:vendored:check": "verified",
                "pyprov:vendored:check:artifact": "verified",
            }
    # Deterministic with SOURCE_DATE_EPOCH.
    assert (
        source_sbom(tree, [tree / SBOM], artifact=tarball, source_date_epoch=1700000000).content
        == result.content
    )


def test_spdx_output_passes_pyspdxtools(tree: Path, tmp_path: Path) -> None:
    tarball = tree / "dist" / "release-1.0.tar.gz"
    result = source_sbom(
        tree, [tree / SBOM], artifact=tarball, output_format="spdx", source_date_epoch=1700000000
    )
    output = tmp_path / "release-1.0.tar.gz.spdx.json"
    output.write_bytes(result.content)

    pyspdxtools = Path(sys.executable).parent / "pyspdxtools"
    checked = subprocess.run(
        [str(pyspdxtools), "-i", str(output)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    document = json.loads(result.content)
    assert document["spdxVersion"] == "SPDX-2.3"
    assert "PACKAGE_MANAGER" not in result.content.decode()
    packages = {package["name"]: package for package in document["packages"]}
    minilib = packages["minilib"]
    assert {ref["referenceCategory"] for ref in minilib["externalRefs"]} == {"PACKAGE-MANAGER", "SECURITY"}
    assert minilib["downloadLocation"].endswith("minilib-2.6.3.tar.gz")
    assert minilib["filesAnalyzed"] is True
    files = {entry["fileName"]: entry for entry in document["files"]}
    assert sorted(files) == sorted(f"./{path}" for paths in VENDORED.values() for path in paths)
    sha1s = sorted(
        next(c["checksumValue"] for c in files[f"./{path}"]["checksums"] if c["algorithm"] == "SHA1")
        for path in VENDORED["minilib"]
    )
    expected_code = hashlib.sha1("".join(sha1s).encode(), usedforsecurity=False).hexdigest()
    assert minilib["packageVerificationCode"] == {"packageVerificationCodeValue": expected_code}
    assert (
        packages["release"]["checksums"][0]["checksumValue"]
        == hashlib.sha256(tarball.read_bytes()).hexdigest()
    )


def test_a_changed_vendored_file_is_reported_and_strict_makes_it_fatal(tree: Path) -> None:
    (tree / "Modules/minilib/minilib.c").write_text("int minilib_answer(void) { return 41; }\n")

    result = source_sbom(tree, [tree / SBOM])

    (problem,) = result.problems
    assert (problem.component, problem.path, problem.status) == (
        "minilib",
        "Modules/minilib/minilib.c",
        "mismatch",
    )
    assert any(
        w.startswith("minilib: Modules/minilib/minilib.c in the source tree: mismatch (SHA-1 claimed")
        for w in result.warnings
    )
    document = json.loads(result.content)
    validate_cyclonedx(document, "1.6")
    item = next(c for c in components(document)["minilib"]["components"] if c["name"].endswith("minilib.c"))
    assert properties(item)["pyprov:vendored:check"] == "mismatch"
    assert (
        properties(item)["pyprov:vendored:claimed:SHA-256"]
        == "6f0e73d6e6ae665ba015073f9ecfbb7b1aec4a03a56fa37d15c8b48486d8e2eb"
    )
    warnings = [p["value"] for p in document["metadata"]["properties"] if p["name"] == "pyprov:warning"]
    assert len(warnings) == 1

    with pytest.raises(
        VerificationError,
        match=r"^1 vendored file\(s\) do not match their SBOM: minilib: Modules/minilib/minilib\.c",
    ):
        source_sbom(tree, [tree / SBOM], strict=True)


def test_a_tarball_with_other_vendored_files_is_caught(tree: Path) -> None:
    tarball = tree / "dist" / "release-1.0.tar.gz"
    (tree / "Modules/_fastmath/fastmath.c").write_text("/* changed after the tarball was made */\n")
    subprocess.run([sys.executable, "Misc/update_sbom.py"], cwd=tree, check=True)  # the SBOM follows the tree

    result = source_sbom(tree, [tree / SBOM], artifact=tarball)

    assert [(c.path, c.location, c.status) for c in result.problems] == [
        ("Modules/_fastmath/fastmath.c", "artifact", "mismatch")
    ]


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def spdx_with_files(*names: str) -> dict[str, Any]:
    return {
        "spdxVersion": "SPDX-2.3",
        "packages": [{"SPDXID": "SPDXRef-PACKAGE-x", "name": "x", "versionInfo": "1"}],
        "files": [
            {
                "SPDXID": f"SPDXRef-FILE-{i}",
                "fileName": name,
                "checksums": [{"algorithm": "SHA256", "checksumValue": "0" * 64}],
            }
            for i, name in enumerate(names)
        ],
        "relationships": [
            {
                "spdxElementId": "SPDXRef-PACKAGE-x",
                "relationshipType": "CONTAINS",
                "relatedSpdxElement": f"SPDXRef-FILE-{i}",
            }
            for i in range(len(names))
        ],
    }


def test_paths_in_the_input_never_leave_the_source_tree(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("not yours")
    (tree / "Modules" / "link-out").symlink_to(outside)
    hostile = write_json(
        tmp_path / "hostile.spdx.json",
        spdx_with_files(
            "../secret.txt",
            "/etc/passwd",
            "Modules/link-out",
            "Modules\\..\\..\\secret.txt",
            "C:/x",
            "nope/missing.c",
        ),
    )

    result = source_sbom(tree, [hostile])

    statuses = {check.path: check.status for check in result.checks}
    assert statuses == {
        "../secret.txt": "unsafe-path",
        "/etc/passwd": "unsafe-path",
        "Modules/link-out": "unsafe-path",
        "Modules\\..\\..\\secret.txt": "unsafe-path",
        "C:/x": "unsafe-path",
        "nope/missing.c": "missing",
    }
    assert all(not check.computed for check in result.checks)
    validate_cyclonedx(json.loads(result.content), "1.6")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ("[]", "is not an SBOM: expected a JSON object"),
        ('{"hello": 1}', "is neither SPDX 2.x nor CycloneDX JSON"),
        ('{"spdxVersion": "SPDX-2.3", "packages": {"a": 1}}', "'packages' is not a list"),
        ('{"bomFormat": "CycloneDX", "components": "x"}', "'components' is not a list"),
        ("[" * 100_000 + "]" * 100_000, "not a document pyprov reads: nested deeper than 64"),
    ],
)
def test_unusable_input_is_refused(tree: Path, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "input.json"
    path.write_text(content)
    with pytest.raises(SbomError, match=message):
        source_sbom(tree, [path])


def test_an_oversized_input_is_refused_unread(tree: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as stream:
        stream.truncate(MAX_INPUT_BYTES + 1)
    with pytest.raises(SbomError, match="larger than 32 MiB"):
        source_sbom(tree, [path])


def test_hostile_strings_do_not_reach_the_output(tree: Path, tmp_path: Path) -> None:
    document = spdx_with_files("Modules/minilib/LICENSE")
    document["packages"][0].update(
        {
            "versionInfo": "1\u0000\u001b[31m",
            "downloadLocation": "not a url \n",
            "licenseConcluded": "x" * 5000,
            "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:::bad"}],
            "checksums": [{"algorithm": "SHA256", "checksumValue": "zz"}],
        }
    )
    result = source_sbom(tree, [write_json(tmp_path / "odd.spdx.json", document)])
    output = json.loads(result.content)
    validate_cyclonedx(output, "1.6")
    (component,) = output["components"]
    assert "version" not in component
    assert "purl" not in component
    assert "licenses" not in component


def test_a_cyclonedx_input_is_read_too(tree: Path, tmp_path: Path) -> None:
    data = (tree / "Modules/_fastmath/fastmath.c").read_bytes()
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {
                "type": "library",
                "name": "fastmath",
                "version": "0.4.1",
                "purl": "pkg:generic/fastmath@0.4.1",
                "licenses": [{"expression": "BSD-2-Clause"}],
                "components": [
                    {
                        "type": "file",
                        "name": "Modules/_fastmath/fastmath.c",
                        "hashes": [{"alg": "SHA-256", "content": hashlib.sha256(data).hexdigest()}],
                    }
                ],
            }
        ],
    }
    result = source_sbom(
        tree, [write_json(tmp_path / "vendored.cdx.json", document)], name="release", version="1.0"
    )
    assert [(c.component, c.status) for c in result.checks] == [("fastmath", "verified")]
    output = json.loads(result.content)
    assert output["metadata"]["component"]["name"] == "release"
    assert components(output)["fastmath"]["purl"] == "pkg:generic/fastmath@0.4.1"
