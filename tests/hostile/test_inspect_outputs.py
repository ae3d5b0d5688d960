"""`pyprov inspect` reads every output pyprov writes and every evidence file it verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyprov._cli import main
from pyprov.inspect import inspect_file

TITLES = {
    ".build.json": "pyprov build record  pyprov_fixture_hatchling-1.0.0-py3-none-any.whl",
    ".run.json": "pyprov run record  ",
    ".cdx.json": "pyprov-fixture-hatchling 1.0.0  (CycloneDX 1.6, sha256:",
    ".spdx.json": "pyprov_fixture_hatchling-1.0.0-py3-none-any.whl  (SPDX-2.3)",
    ".intoto.json": "in-toto statement  predicate https://slsa.dev/provenance/v1",
    ".sigstore.json": "Sigstore bundle v0.3  (not verified",
    ".intoto.sigstore.json": "Sigstore bundle v0.3  (not verified",
    ".cdx.sigstore.json": "Sigstore bundle v0.3  (not verified",
    ".sigstore": "Sigstore bundle v0.3  (not verified",
    ".slsa.attestation": "PEP 740 attestation v1  (not verified",
    ".publish.attestation": "PEP 740 attestation v1  (not verified",
    ".provenance": "PyPI provenance v1: 1 bundle(s)  (not verified",
}


@pytest.mark.parametrize("suffix", sorted(TITLES))
def test_inspect_reads_every_output(outputs: dict[str, Path], suffix: str) -> None:
    result = CliRunner().invoke(main, ["inspect", str(outputs[suffix])])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(TITLES[suffix]), result.stdout[:200]
    shown = CliRunner().invoke(main, ["inspect", "--json", str(outputs[suffix])])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)


def test_signed_statements_are_shown_with_their_signer(outputs: dict[str, Path]) -> None:
    text = CliRunner().invoke(main, ["inspect", str(outputs[".intoto.sigstore.json"])]).stdout
    assert (
        "  identity    https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.0\n" in text
    )
    assert "  issuer      https://token.actions.githubusercontent.com\n" in text
    assert "\nsigned in-toto statement  predicate https://slsa.dev/provenance/v1\n" in text
    assert "\nsubject\n  widget-1.0.tar.gz  sha256:" in text
    assert "\nsource\n  repository  https://github.com/acme/widget\n" in text


def test_pypi_provenance_names_the_publisher(outputs: dict[str, Path]) -> None:
    inspection = inspect_file(outputs[".provenance"])
    publisher = inspection.sections[0]
    assert publisher.title == "publisher 1 (as PyPI recorded it)"
    assert "repository  trailofbits/pypi-attestations" in publisher.lines
    assert [section.title for section in inspection.sections[1:]] == [
        "attestation https://docs.pypi.org/attestations/publish/v1",
    ]
    assert "subject pypi_attestations-0.0.19.tar.gz" in inspection.sections[1].lines


def test_message_signature_bundle_shows_the_signed_digest(outputs: dict[str, Path]) -> None:
    inspection = inspect_file(outputs[".sigstore.json"])
    signs = next(section for section in inspection.sections if section.title == "signs a file")
    algorithm, _, digest = signs.lines[0].partition(":")
    assert algorithm == "sha2_256"
    assert len(digest) == 64


def test_unknown_json_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": "world"}')
    result = CliRunner().invoke(main, ["inspect", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}: not a file pyprov inspect reads (CycloneDX or SPDX")
    assert result.stderr.count("\n") == 1
