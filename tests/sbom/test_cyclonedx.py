"""CycloneDX documents of wheels and sdists pyprov did not build."""

from __future__ import annotations

import json
import tarfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from tests.sbom.conftest import prop

from pyprov.sbom import SbomError, generate_sbom, summarize, validate_cyclonedx
from pyprov.sbom.metadata import license_facts
from pyprov.sbom.model import Distribution

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("spec", ["1.5", "1.6", "1.7"])
def test_wheel_sbom_valid_in_every_version(rich_wheel: Path, check_cyclonedx, spec: str) -> None:
    result = generate_sbom(rich_wheel, spec=spec, now=NOW)  # type: ignore[arg-type]
    check_cyclonedx(result.content, spec)


def test_wheel_sbom_describes_the_distribution(rich_wheel: Path, check_cyclonedx) -> None:
    document = check_cyclonedx(generate_sbom(rich_wheel, now=NOW).content, "1.6")
    root = document["metadata"]["component"]
    assert root["name"] == "demo_pkg"
    assert root["version"] == "1.2.3"
    assert root["purl"] == "pkg:pypi/demo-pkg@1.2.3?file_name=demo_pkg-1.2.3-py3-none-any.whl"
    assert {h["alg"] for h in root["hashes"]} == {"SHA-256", "SHA-512"}
    import hashlib

    assert {"alg": "SHA-256", "content": hashlib.sha256(rich_wheel.read_bytes()).hexdigest()} in root[
        "hashes"
    ]
    assert root["licenses"] == [{"acknowledgement": "declared", "expression": "MIT OR Apache-2.0"}]
    assert root["description"] == "A demo package"
    assert {"name": "Jane Doe", "email": "jane@example.invalid"} in root["authors"]
    assert {"name": "Team Demo"} in root["authors"]
    assert {(r["type"], r["url"]) for r in root["externalReferences"]} == {
        ("website", "https://example.invalid/demo"),
        ("vcs", "https://example.invalid/demo.git"),
    }
    assert document["metadata"]["lifecycles"] == [{"phase": "build"}]
    tool = document["metadata"]["tools"]["components"][0]
    assert tool["name"] == "pyprov"
    assert tool["purl"].startswith("pkg:pypi/pyprov-build@")  # the distribution on the index
    assert document["metadata"]["timestamp"].startswith("2024-05-01T12:00:00")


def test_requirements_are_ranges_on_the_root_not_components(rich_wheel: Path) -> None:
    document = json.loads(generate_sbom(rich_wheel, now=NOW).content)
    root = document["metadata"]["component"]
    assert prop(root, "pyprov:requires-dist") == [
        "packaging>=23",
        'rich[jupyter]<14,>=13; extra == "fancy"',
        'tomli>=1.1; python_version < "3.11"',
    ]
    names = {c["name"] for c in document["components"]}
    assert not names & {"packaging", "rich", "tomli"}
    assert summarize(json.dumps(document).encode()).requirements == tuple(prop(root, "pyprov:requires-dist"))


def test_bundled_content(rich_wheel: Path) -> None:
    document = json.loads(generate_sbom(rich_wheel, now=NOW).content)
    bundled = [c for c in document["components"] if "#bundled" in c["bom-ref"]]
    by_name = {c["name"]: c for c in bundled}
    auditwheel = by_name["auditwheel.cdx.json"]
    assert auditwheel["type"] == "file"
    nested = {c["name"]: c for c in auditwheel["components"]}
    assert nested["openssl"]["version"] == "3.0.13"
    assert nested["zlib"]["licenses"] == [{"license": {"id": "Zlib"}}]
    assert nested["weird"]["type"] == "library"  # unknown type dropped to library, bad hash dropped
    assert nested["weird"]["version"] == "7"
    assert "hashes" not in nested["weird"]
    rust = {c["name"]: c for c in by_name["rust.spdx.json"]["components"]}
    assert rust["serde"]["purl"] == "pkg:cargo/serde@1.0.200"
    assert rust["serde"]["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    assert by_name["six"]["version"] == "1.16.0"
    assert prop(by_name["six"], "pyprov:vendored:location") == ["demo_pkg/_vendor"]
    assert by_name["urllib3"]["version"] == "2.2.1"
    assert by_name["idna"]["purl"] == "pkg:pypi/idna@3.7"
    library = by_name["libz-abc123.so.1.3"]
    import hashlib

    assert library["hashes"] == [
        {"alg": "SHA-256", "content": hashlib.sha256(b"\x7fELF fake shared library").hexdigest()}
    ]


def test_sbom_files_lists_record(rich_wheel: Path, check_cyclonedx) -> None:
    document = check_cyclonedx(generate_sbom(rich_wheel, files=True, now=NOW).content, "1.6")
    files = {prop(c, "pyprov:file:path")[0]: c for c in document["metadata"]["component"]["components"]}
    assert "demo_pkg/__init__.py" in files
    assert files["demo_pkg/__init__.py"]["type"] == "file"
    assert files["demo_pkg/__init__.py"]["hashes"][0]["alg"] == "SHA-256"
    assert "demo_pkg-1.2.3.dist-info/RECORD" in files
    assert "hashes" not in files["demo_pkg-1.2.3.dist-info/RECORD"]


def test_deterministic_with_source_date_epoch(rich_wheel: Path) -> None:
    first = generate_sbom(rich_wheel, source_date_epoch=1700000000)
    second = generate_sbom(rich_wheel, source_date_epoch=1700000000, now=NOW)
    assert first.content == second.content
    document = json.loads(first.content)
    assert document["metadata"]["timestamp"].startswith("2023-11-14T22:13:20")
    import hashlib
    import uuid

    from pyprov.sbom.cyclonedx import SERIAL_NAMESPACE

    digest = hashlib.sha256(rich_wheel.read_bytes()).hexdigest()
    assert document["serialNumber"] == f"urn:uuid:{uuid.uuid5(SERIAL_NAMESPACE, f'sha256:{digest}')}"


def test_sdist_sbom(tmp_path: Path, check_cyclonedx) -> None:
    sdist = tmp_path / "demo_pkg-1.2.3.tar.gz"
    source = tmp_path / "demo_pkg-1.2.3"
    (source / "demo_pkg").mkdir(parents=True)
    (source / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: demo_pkg\nVersion: 1.2.3\nLicense: MIT\n")
    (source / "demo_pkg" / "__init__.py").write_text("")
    with tarfile.open(sdist, "w:gz") as archive:
        archive.add(source, arcname=source.name)
    document = check_cyclonedx(generate_sbom(sdist, files=True, now=NOW).content, "1.6")
    root = document["metadata"]["component"]
    assert root["purl"] == "pkg:pypi/demo-pkg@1.2.3?file_name=demo_pkg-1.2.3.tar.gz"
    assert root["licenses"] == [
        {"license": {"id": "MIT", "acknowledgement": "concluded"}},
        {"license": {"id": "MIT", "acknowledgement": "declared"}},
    ]
    assert {prop(c, "pyprov:file:path")[0] for c in root["components"]} == {
        "demo_pkg-1.2.3/PKG-INFO",
        "demo_pkg-1.2.3/demo_pkg/__init__.py",
    }


@pytest.mark.parametrize(
    ("license_", "classifiers", "expected"),
    [
        (None, ("License :: OSI Approved :: MIT License",), ("MIT", ())),
        ("BSD", ("License :: OSI Approved :: BSD License",), (None, ("BSD", "BSD License"))),
        ("Apache 2.0", (), (None, ("Apache 2.0",))),
        ("MIT", ("License :: OSI Approved :: MIT License",), ("MIT", ())),
        ("GPL-2.0-only OR MIT", (), ("GPL-2.0-only OR MIT", ())),
    ],
)
def test_license_mapping(license_: str | None, classifiers: tuple[str, ...], expected: object) -> None:
    distribution = Distribution(name="x", version="1", license=license_, license_classifiers=classifiers)
    assert license_facts(distribution) == expected


def test_own_validator_rejects_what_the_strict_one_rejects(rich_wheel: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    good = json.loads(generate_sbom(rich_wheel, now=NOW).content)
    validate_cyclonedx(good, "1.6")
    for path, value in (
        (("metadata", "timestamp"), "yesterday"),
        (("metadata", "component", "externalReferences", 0, "url"), "not a url"),
        (("metadata", "component", "type"), "spaceship"),
        (("metadata", "component", "hashes", 0, "content"), "zz"),
    ):
        bad = json.loads(json.dumps(good))
        target = bad
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(bad)) is not None
        with pytest.raises(SbomError, match=r"the CycloneDX 1\.6 document is invalid"):
            validate_cyclonedx(bad, "1.6")


def test_inspect_summary(rich_wheel: Path) -> None:
    summary = summarize(generate_sbom(rich_wheel, now=NOW).content)
    assert summary.subject == "demo_pkg 1.2.3"
    assert summary.spec_version == "1.6"
    assert len(summary.requirements) == 3
    assert ("MIT OR Apache-2.0", 2) in summary.licenses  # demo_pkg and the bundled serde
    bundled = dict(summary.bundled)
    assert bundled["demo_pkg-1.2.3.dist-info/sboms/auditwheel.cdx.json"] == 3
    assert bundled["six 1.16.0 (vendored in demo_pkg/_vendor)"] == 0
    assert "demo_pkg.libs/libz-abc123.so.1.3" in bundled
    with pytest.raises(SbomError, match="not a CycloneDX JSON document"):
        summarize(b'{"spdxVersion": "SPDX-2.3"}')
