"""pyprov's SBOMs judged by independent quality checkers, on real distributions and real builds.

- ntia-conformance-checker (``sbomcheck``) on the SPDX documents: NTIA minimum elements and
  CISA's FSCT3 minimum. Its SBOM-type row reads SPDX 3 only (``get_sbom_types`` returns
  nothing for SPDX 2), so that one row cannot pass on SPDX 2.3; the tests check it is the
  only one missing where the metadata states everything else.
- sbomaudit (lib4sbom) on the CycloneDX documents.

The real distributions are copies in tests/assets/dists (see its README).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from ntia_conformance_checker import SbomChecker
from tests.conftest import FIXTURES
from tests.sbom.conftest import BIN, ROOT, prop

from pyprov.build import BuildOptions, build_project
from pyprov.sbom import CycloneDXWriter, SPDX3Writer, SPDXWriter, generate_sbom
from pyprov.sbom.metadata import parse_metadata
from pyprov.sbom.quality import minimum_element_gaps

DISTS = ROOT / "tests" / "assets" / "dists"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
MARKUPSAFE_WHEEL = "MarkupSafe-3.0.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"

# FSCT3 rows each real distribution cannot fill from what it publishes (nothing is invented):
# requests' LICENSE is the bare Apache-2.0 text (no copyright line); markupsafe declares only the
# classifier "BSD License", which names no single SPDX licence, so nothing is concluded.
REAL = {
    "requests-2.32.3-py3-none-any.whl": {"copyright_text"},
    "attrs-24.2.0-py3-none-any.whl": set(),
    "markupsafe-3.0.2.tar.gz": {"concluded_license"},
    MARKUPSAFE_WHEEL: {"concluded_license"},
}


def spdx_verdicts(document: bytes, tmp_path: Path) -> tuple[Any, Any]:
    """The NTIA and FSCT3-min checkers' results on an SPDX document."""
    path = tmp_path / "sbom.spdx.json"
    path.write_bytes(document)
    return SbomChecker(str(path), compliance="ntia"), SbomChecker(str(path), compliance="fsct3-min")


def fsct3_missing(checker: Any) -> set[str]:
    """The FSCT3 minimum elements some component lacks (SBOM type left out: see the module docstring)."""
    rows = {
        "name": checker.components_without_names,
        "version": checker.components_without_versions,
        "identifier": checker.components_without_identifiers,
        "supplier": checker.components_without_suppliers,
        "concluded_license": checker.components_without_concluded_licenses,
        "copyright_text": checker.components_without_copyright_texts,
    }
    missing = {name for name, components in rows.items() if components}
    if not (checker.doc_author and checker.doc_timestamp and checker.dependency_relationships):
        missing.add("document")
    return missing


def sbomaudit(document: bytes, tmp_path: Path) -> dict[str, Any]:
    """sbomaudit's JSON report on a CycloneDX document (offline: no version look-ups)."""
    source, report = tmp_path / "sbom.cdx.json", tmp_path / "audit.json"
    source.write_bytes(document)
    subprocess.run(
        [str(BIN / "sbomaudit"), "--offline", "-i", str(source), "-o", str(report)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(report.read_text())
    return result


def failures(report: dict[str, Any], section: str) -> list[str]:
    entries = report.get(section, [])
    if section == "packages":
        entries = [r for package in entries for r in package["reports"]]
    return [e["text"] for e in entries if e["state"] == "Fail"]


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_distribution_spdx_passes_ntia_and_fsct3(name: str, tmp_path: Path, check_spdx) -> None:
    content = generate_sbom(DISTS / name, output_format="spdx", now=NOW).content
    check_spdx(content)  # pyspdxtools
    ntia, fsct3 = spdx_verdicts(content, tmp_path)
    assert ntia.compliant, ntia.output_json()
    assert not ntia.floating_component_ids
    assert fsct3_missing(fsct3) == REAL[name]
    assert not fsct3.sbom_gen_context  # the checker's SPDX 2 limit, not pyprov's document:
    assert json.loads(content)["creationInfo"]["comment"] == "SBOM type: Build"


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_distribution_cyclonedx_passes_sbomaudit_per_package(
    name: str, tmp_path: Path, check_cyclonedx
) -> None:
    content = generate_sbom(DISTS / name, spec="1.6", now=NOW).content
    document = check_cyclonedx(content, "1.6")
    report = sbomaudit(content, tmp_path)
    assert failures(report, "metadata") == []
    assert failures(report, "packages") == []
    # A distribution that bundles nothing is one component: sbomaudit's NTIA verdict wants at
    # least one relationship between two components, which such a document cannot honestly have.
    assert failures(report, "relationships") == [
        "Dependency relationships provided for NTIA compliance: MISSING"
    ]
    root = document["metadata"]["component"]
    assert root["version"]
    assert root["supplier"]["name"]
    assert document["metadata"]["lifecycles"] == [{"phase": "build"}]
    assert "components" not in document  # declared requirements are on the root, not components


def test_no_component_without_a_version_and_requirements_kept() -> None:
    content = generate_sbom(DISTS / "requests-2.32.3-py3-none-any.whl", now=NOW).content
    root = json.loads(content)["metadata"]["component"]
    assert prop(root, "pyprov:requires-dist") == [
        'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
        "certifi>=2017.4.17",
        'chardet<6,>=3.0.2; extra == "use-chardet-on-py3"',
        "charset-normalizer<4,>=2",
        "idna<4,>=2.5",
        "urllib3<3,>=1.21.1",
    ]
    assert root["supplier"] == {
        "name": "Kenneth Reitz",
        "contact": [{"name": "Kenneth Reitz", "email": "me@kennethreitz.org"}],
    }
    spdx = json.loads(
        generate_sbom(DISTS / "requests-2.32.3-py3-none-any.whl", output_format="spdx", now=NOW).content
    )
    (package,) = spdx["packages"]
    assert package["supplier"] == "Person: Kenneth Reitz (me@kennethreitz.org)"
    assert package["licenseConcluded"] == package["licenseDeclared"] == "Apache-2.0"
    assert "certifi>=2017.4.17" in package["comment"]


def test_markupsafe_licence_text_is_no_licence_and_gives_the_copyright() -> None:
    """#15 item 9: the first line of a pasted licence text became a licence."""
    for name in ("markupsafe-3.0.2.tar.gz", MARKUPSAFE_WHEEL):
        document = json.loads(generate_sbom(DISTS / name, now=NOW).content)
        root = document["metadata"]["component"]
        assert root["licenses"] == [{"license": {"name": "BSD License", "acknowledgement": "declared"}}]
        assert root["copyright"] == "Copyright 2010 Pallets"
        assert root["supplier"]["name"] == "Pallets"


def test_attrs_copyright_from_its_licence_file() -> None:
    document = json.loads(generate_sbom(DISTS / "attrs-24.2.0-py3-none-any.whl", now=NOW).content)
    root = document["metadata"]["component"]
    assert root["copyright"] == "Copyright (c) 2015 Hynek Schlawack and the attrs contributors"
    assert {"license": {"id": "MIT", "acknowledgement": "concluded"}} in root["licenses"]


def test_certifi_author_is_one_person() -> None:
    """#15 item 9: ``Author`` and a bare ``Author-email`` are one person, not two."""
    metadata = (DISTS / "certifi-2024.8.30.METADATA").read_bytes()
    distribution, _ = parse_metadata(metadata, "certifi METADATA")
    assert distribution.authors == (("Kenneth Reitz", "me@kennethreitz.com"),)
    assert distribution.license == "MPL-2.0"


BUILT_FIXTURES = ("hatchling-pure", "flit-core", "setuptools-ext", "in-tree-backend")


@pytest.fixture(scope="module")
def fixture_sboms(session_dir: Path) -> dict[str, list[tuple[bytes, bytes, bytes]]]:
    """(CycloneDX, SPDX 2.3, SPDX 3) of every artifact of each fixture project, built for real by pyprov."""
    found = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for name in BUILT_FIXTURES:
            source = session_dir / "quality" / name
            shutil.copytree(FIXTURES / name, source)
            result = build_project(
                BuildOptions(
                    srcdir=source,
                    evidence_writers=(CycloneDXWriter(spec="1.6"), SPDXWriter(), SPDX3Writer()),
                )
            )
            found[name] = [
                (
                    next(p for p in paths if p.name.endswith(".cdx.json")).read_bytes(),
                    next(p for p in paths if p.name.endswith(".spdx.json")).read_bytes(),
                    next(p for p in paths if p.name.endswith(".spdx3.json")).read_bytes(),
                )
                for paths in result.evidence_files
            ]
    return found


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.parametrize("name", BUILT_FIXTURES)
def test_built_fixture_sboms_pass_the_checkers(
    name: str,
    fixture_sboms: dict[str, list[tuple[bytes, bytes, bytes]]],
    tmp_path: Path,
    check_cyclonedx,
    check_spdx,
) -> None:
    for cyclonedx, spdx, _ in fixture_sboms[name]:
        document = check_cyclonedx(cyclonedx, "1.6")
        check_spdx(spdx)
        ntia, fsct3 = spdx_verdicts(spdx, tmp_path)
        assert ntia.compliant, ntia.output_json()
        # The checker walks composition relationships only (CONTAINS, DEPENDS_ON, ...): what
        # the build used is tied to the artifact by BUILD_DEPENDENCY_OF or GENERATED_FROM,
        # which it counts as "floating" and leaves out of its verdict.
        linked = {
            r["spdxElementId"] if r["relationshipType"] == "BUILD_DEPENDENCY_OF" else r["relatedSpdxElement"]
            for r in json.loads(spdx)["relationships"]
            if r["relationshipType"] in {"BUILD_DEPENDENCY_OF", "GENERATED_FROM"}
        }
        assert ntia.floating_component_ids <= linked
        # The fixtures state no copyright; their licences are SPDX identifiers where declared.
        assert fsct3_missing(fsct3) <= {"copyright_text", "concluded_license"}
        assert not fsct3.components_without_suppliers
        assert not fsct3.components_without_versions
        report = sbomaudit(cyclonedx, tmp_path)
        assert failures(report, "packages") == []
        for formula in document.get("formulation", []):
            assert all(c["supplier"]["name"] for c in formula["components"])


@pytest.mark.parametrize(
    ("name", "profile", "expected"),
    [
        ("attrs-24.2.0-py3-none-any.whl", "ntia", []),
        # fsct3 and bsi follow the checker on SPDX 3 (test_spdx3.py compares them row by row):
        # a lone distribution has no relationship between two elements unless its files are listed.
        (
            "attrs-24.2.0-py3-none-any.whl",
            "fsct3",
            [
                (
                    "missing (fsct3): (document): no dependency relationships between two elements "
                    "(--sbom-files lists a distribution's files)"
                )
            ],
        ),
        ("attrs-24.2.0-py3-none-any.whl --sbom-files", "fsct3", []),
        (
            "requests-2.32.3-py3-none-any.whl --sbom-files",
            "fsct3",
            ["missing (fsct3): requests 2.32.3: no copyright notice"],
        ),
        (
            "markupsafe-3.0.2.tar.gz --sbom-files",
            "fsct3",
            ["missing (fsct3): MarkupSafe 3.0.2: no concluded licence"],
        ),
        # BSI's "structured" is read from the SPDX purpose `container`, which an archive is not.
        (
            "attrs-24.2.0-py3-none-any.whl",
            "bsi",
            [
                (
                    "missing (bsi): attrs 24.2.0: no structured property (read from the SPDX purpose "
                    "`container`: not claimed for an archive)"
                )
            ],
        ),
    ],
)
def test_check_names_each_missing_element(
    name: str, profile: str, expected: list[str], tmp_path: Path
) -> None:
    """``pyprov sbom --check``: the checker's rules, offline, one line per component and element."""
    from click.testing import CliRunner

    from pyprov._cli import main as cli

    output = tmp_path / "sbom.cdx.json"
    name, *options = name.split()
    result = CliRunner().invoke(
        cli, ["sbom", str(DISTS / name), *options, "--check", profile, "-o", str(output)]
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("missing")]
    assert lines == expected
    assert result.exit_code == (4 if expected else 0), result.output
    assert output.is_file()  # written all the same
    if expected:
        assert f"error: the SBOM lacks {len(expected)} {profile} minimum element(s)" in result.stderr
    else:
        assert f"{profile}: every minimum element is present" in result.stderr


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.parametrize("name", BUILT_FIXTURES)
def test_built_fixture_spdx3_judged_by_the_checker(
    name: str, fixture_sboms: dict[str, list[tuple[bytes, bytes, bytes]]], tmp_path: Path
) -> None:
    """The SPDX 3 evidence of real builds: what the checker misses is what the fixtures do not state.

    The fixtures bundle nothing (the SPDX 3 document's relationships between two elements are the
    artifact's files) and state no copyright; some declare no licence. The build environment and
    the sdist are the inputs of the SPDX 3 Build, not components of the artifact: the checker
    does not judge them (nor does --check).
    """
    from tests.sbom.test_spdx3 import checker_failures, gap_rows, load

    for cyclonedx, _, spdx3 in fixture_sboms[name]:
        model, objects, sbom = load(spdx3)
        assert [str(kind).rsplit("/", 1)[-1] for kind in sbom.software_sbomType] == ["build"]
        (build,) = objects.foreach_type(model.build_Build)
        inputs = [
            element
            for r in objects.foreach_type(model.Relationship)
            if r.from_ is build and str(r.relationshipType).endswith("/hasInput")
            for element in r.to
        ]
        assert inputs  # the build environment (and, for a wheel, the sdist it came from)
        assert all(
            p.software_packageVersion for p in objects.foreach_type(model.software_Package)
        )  # none invented: every one is an installed or built distribution
        document = json.loads(cyclonedx)
        for compliance, profile, allowed in (
            ("ntia", None, set()),
            ("fsct3-min", "fsct3", {"copyright", "concluded licence"}),
            ("bsi", "bsi", {"structured", "concluded licence"}),
        ):
            failing, checker = checker_failures(spdx3, tmp_path, compliance)
            assert failing <= allowed, (compliance, checker.output_json())
            if profile is not None:
                # The CycloneDX document lists no files (no --sbom-files); its SPDX 3 twin does.
                assert gap_rows(minimum_element_gaps(document, profile)) - {"relationships"} == failing
