"""Artifacts vs. the evidence about them, decided by name (as twine pairs a dist with its files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyprov.evidence.layout import is_evidence, is_listed_artifact, split_artifacts


@pytest.mark.parametrize(
    "name",
    [
        "attrs-26.1.0.tar.gz.slsa.attestation",
        "attrs-26.1.0.tar.gz.publish.attestation",
        "rfc8785-0.1.2-py3-none-any.whl.attestation",
        "pypi_attestations-0.0.19.tar.gz.provenance",
        "attrs-26.1.0.tar.gz.asc",
        "Python-3.14.1.tgz.sigstore",
        "attrs-26.1.0.tar.gz.sigstore.json",
        "attrs-26.1.0.tar.gz.intoto.sigstore.json",
        "attrs-26.1.0.tar.gz.build.json",
        "attrs-26.1.0.tar.gz.intoto.json",
        "attrs-26.1.0.tar.gz.cdx.json",
        "attrs-26.1.0.tar.gz.spdx.json",
        "attrs-26.1.0.tar.gz.spdx3.json",
        "Python-3.14.1.tgz.run.json",
    ],
)
def test_evidence_names_are_not_artifacts(name: str) -> None:
    assert is_evidence(name)
    assert not is_listed_artifact(name)


@pytest.mark.parametrize(
    "name", ["attrs-26.1.0.tar.gz", "attrs-26.1.0-py3-none-any.whl", "Python-3.14.1.tar.xz", "notes.txt"]
)
def test_distributions_are_artifacts(name: str) -> None:
    assert not is_evidence(name)
    assert is_listed_artifact(name)


def test_a_listing_also_skips_hidden_files_and_other_documents() -> None:
    assert not is_evidence("sbom.json")
    assert not is_listed_artifact("sbom.json")
    assert not is_listed_artifact(".gitignore")


def test_split_keeps_order_and_type() -> None:
    paths = [Path("dist/b.whl"), Path("dist/b.whl.slsa.attestation"), Path("dist/a.tar.gz")]
    assert split_artifacts(paths) == ([Path("dist/b.whl"), Path("dist/a.tar.gz")], [paths[1]])
    assert split_artifacts(["x.whl.provenance"]) == ([], ["x.whl.provenance"])
