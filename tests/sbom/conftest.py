"""SBOM test helpers: wheels built byte by byte, and the two independent CycloneDX validators."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "schemas" / "vendor"
BIN = Path(sys.executable).parent

METADATA = b"""Metadata-Version: 2.4
Name: demo_pkg
Version: 1.2.3
Summary: A demo package
Author-email: Jane Doe <jane@example.invalid>
Maintainer: Team Demo
License-Expression: MIT OR Apache-2.0
Project-URL: Homepage, https://example.invalid/demo
Project-URL: Source, https://example.invalid/demo.git
Requires-Dist: packaging>=23
Requires-Dist: rich[jupyter]<14,>=13; extra == "fancy"
Requires-Dist: tomli>=1.1; python_version < "3.11"
Provides-Extra: fancy

A demo.
"""

EMBEDDED_CDX = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "metadata": {
        "component": {
            "type": "library",
            "name": "openssl",
            "version": "3.0.13",
            "purl": "pkg:generic/openssl@3.0.13",
        }
    },
    "components": [
        {
            "type": "library",
            "name": "zlib",
            "version": "1.3.1",
            "purl": "pkg:generic/zlib@1.3.1",
            "hashes": [{"alg": "SHA-256", "content": "a" * 64}],
            "licenses": [{"license": {"id": "Zlib"}}],
            "bom-ref": "zlib",
        },
        {
            "type": "not-a-type",
            "name": "weird",
            "version": 7,
            "hashes": [{"alg": "SHA-256", "content": "xyz"}],
        },
    ],
}
EMBEDDED_SPDX = {
    "spdxVersion": "SPDX-2.3",
    "packages": [
        {
            "SPDXID": "SPDXRef-a",
            "name": "serde",
            "versionInfo": "1.0.200",
            "licenseDeclared": "MIT OR Apache-2.0",
            "externalRefs": [
                {
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:cargo/serde@1.0.200",
                }
            ],
        }
    ],
}


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(
    path: Path,
    members: dict[str, bytes],
    *,
    dist_info: str = "demo_pkg-1.2.3.dist-info",
    metadata: bytes = METADATA,
    record: bool = True,
) -> Path:
    """A wheel with ``members`` plus METADATA, WHEEL and (unless told not to) a correct RECORD."""
    files = {
        **members,
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        if record:
            lines = [record_line(name, data) for name, data in files.items()] + [f"{dist_info}/RECORD,,"]
            archive.writestr(f"{dist_info}/RECORD", "\n".join(lines) + "\n")
    return path


@pytest.fixture
def rich_wheel(tmp_path: Path) -> Path:
    """A wheel with everything pyprov looks for: vendored packages, grafted libs, PEP 770 SBOMs."""
    vendored_meta = b"Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n"
    members = {
        "demo_pkg/__init__.py": b"x = 1\n",
        "demo_pkg/_vendor/vendor.txt": b"urllib3==2.2.1  # pinned\nidna==3.7\n",
        "demo_pkg/_vendor/six-1.16.0.dist-info/METADATA": vendored_meta,
        "demo_pkg/_vendor/six.py": b"# six\n",
        "demo_pkg.libs/libz-abc123.so.1.3": b"\x7fELF fake shared library",
        "demo_pkg-1.2.3.dist-info/sboms/auditwheel.cdx.json": json.dumps(EMBEDDED_CDX).encode(),
        "demo_pkg-1.2.3.dist-info/sboms/rust.spdx.json": json.dumps(EMBEDDED_SPDX).encode(),
    }
    return write_wheel(tmp_path / "demo_pkg-1.2.3-py3-none-any.whl", members)


@pytest.fixture(scope="session")
def check_cyclonedx() -> Callable[[bytes | dict[str, Any], str], dict[str, Any]]:
    """Validate with cyclonedx-python-lib's strict validator and with check-jsonschema (schemas/vendor)."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    versions = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}

    def check(data: bytes | dict[str, Any], spec: str = "1.6") -> dict[str, Any]:
        text = data.decode() if isinstance(data, bytes) else json.dumps(data)
        document: dict[str, Any] = json.loads(text)
        assert document["specVersion"] == spec
        error = JsonStrictValidator(versions[spec]).validate_str(text)
        assert error is None, str(error)
        target = Path(subprocess.check_output(["mktemp", "--suffix=.cdx.json"], text=True).strip())
        try:
            target.write_text(text)
            done = subprocess.run(
                [
                    str(BIN / "check-jsonschema"),
                    "--base-uri",
                    VENDOR.as_uri() + "/",
                    "--schemafile",
                    str(VENDOR / f"bom-{spec}.SNAPSHOT.schema.json"),
                    str(target),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            target.unlink()
        assert done.returncode == 0, done.stdout + done.stderr
        return document

    return check


@pytest.fixture(scope="session")
def check_spdx() -> Callable[[bytes], dict[str, Any]]:
    """Validate SPDX 2.3 JSON with pyspdxtools -i, and the schema's PACKAGE-MANAGER spelling."""

    def check(data: bytes) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(data)
        assert document["spdxVersion"] == "SPDX-2.3"
        categories = {
            ref["referenceCategory"] for p in document["packages"] for ref in p.get("externalRefs", [])
        }
        assert categories <= {"PACKAGE-MANAGER", "SECURITY", "PERSISTENT-ID", "OTHER"}
        target = Path(subprocess.check_output(["mktemp", "--suffix=.spdx.json"], text=True).strip())
        try:
            target.write_bytes(data)
            done = subprocess.run(
                [str(BIN / "pyspdxtools"), "-i", str(target)], capture_output=True, text=True, check=False
            )
        finally:
            target.unlink()
        assert done.returncode == 0, done.stdout + done.stderr
        return document

    return check


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("sbom-session")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def components_by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in document.get("components", [])}


def prop(component: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in component.get("properties", []) if p["name"] == name]
