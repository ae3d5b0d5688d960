"""The on-disk contract: every file name pyprov writes or reads, its media type, and where it goes.

Evidence about an artifact ``A`` is named ``A<suffix>``; the suffixes below are the only
place these names are spelled. The default evidence directory is ``evidence/`` beside the
output directory (``dist/``), which holds only distributions and PEP 740 attestations.

``pyprov build --sign`` leaves PEP 740 attestations beside the distributions, so
``dist/*`` names both. Every command that takes files (``sign``, ``attest``, ``verify``)
skips the evidence among them the way twine pairs a distribution with its
``<dist>.<kind>.attestation`` and ``.asc`` files: by suffix, before anything is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import TypeVar

EVIDENCE_DIRECTORY = "evidence"
"""The default evidence directory's name, beside the output directory."""

# Evidence pyprov writes about an artifact A, as A<suffix>.
RECORD_SUFFIX = ".build.json"
"""The build record (``docs/build-record.md``)."""
RUN_RECORD_SUFFIX = ".run.json"
"""The run record of ``pyprov run`` (``docs/build-type-generic-v1.md``)."""
CYCLONEDX_SUFFIX = ".cdx.json"
SPDX_SUFFIX = ".spdx.json"
SPDX3_SUFFIX = ".spdx3.json"
"""SPDX 3.0.1 JSON-LD (``--sbom-format spdx3``); ``.spdx.json`` stays SPDX 2.3."""
PROVENANCE_SUFFIX = ".intoto.json"
"""The in-toto statement with SLSA provenance, one subject."""
BUNDLE_SUFFIX = ".sigstore.json"
"""The Sigstore bundle of the artifact itself."""
PROVENANCE_BUNDLE_SUFFIX = ".intoto.sigstore.json"
SBOM_BUNDLE_SUFFIX = ".cdx.sigstore.json"
REBUILD_BUNDLE_SUFFIX = ".rebuild.sigstore.json"
# Beside the artifact (in the output directory): PEP 740 attestations, as twine uploads them.
ATTESTATION_SUFFIX = ".attestation"
SLSA_ATTESTATION_SUFFIX = ".slsa.attestation"
PUBLISH_ATTESTATION_SUFFIX = ".publish.attestation"
# Read, not written: PyPI's provenance objects and CPython's release signatures.
PYPI_PROVENANCE_SUFFIX = ".provenance"
CPYTHON_BUNDLE_SUFFIX = ".sigstore"
# One file per evidence directory.
BUNDLE_FILENAME = "pyprov.intoto.json"
"""``--provenance-bundle``: one statement with every artifact of the build as a subject."""
RELEASE_FILENAME = "pyprov-release.intoto.json"
"""``pyprov merge``: the release set's statement."""

MEDIA_TYPES = {
    RECORD_SUFFIX: "application/json",
    RUN_RECORD_SUFFIX: "application/json",
    CYCLONEDX_SUFFIX: "application/vnd.cyclonedx+json",
    SPDX_SUFFIX: "application/spdx+json",
    SPDX3_SUFFIX: "application/spdx+json",
    PROVENANCE_SUFFIX: "application/vnd.in-toto+json",
    ".log": "text/plain",
}
"""Media types of the evidence pyprov names as byproducts in its provenance."""


def default_evidence_directory(output_directory: Path) -> Path:
    """``evidence/`` beside the output directory: where pyprov writes and looks by default."""
    return output_directory.parent / EVIDENCE_DIRECTORY


EVIDENCE_SUFFIXES = (
    # PEP 740: <dist>.attestation and <dist>.<kind>.attestation (twine uploads these).
    ".attestation",
    # PyPI's integrity API: the Provenance object of a file.
    ".provenance",
    # Detached PGP signatures, which twine also pairs with their distribution.
    ".asc",
    # Sigstore bundles: pyprov's and the sigstore CLI's, and CPython's release signatures.
    ".sigstore.json",
    ".sigstore",
    # pyprov's evidence: build and run records, provenance statements, SBOMs.
    ".build.json",
    ".run.json",
    ".intoto.json",
    ".cdx.json",
    ".spdx.json",
    ".spdx3.json",
)
"""File name endings of evidence: never an artifact, whichever command is given them."""

_ALSO_NOT_LISTED = (".json", ".sig", ".pem", ".crt", ".toml")
"""Further endings skipped when a directory is listed: documents, keys and certificates."""

GITIGNORE_CONTENT = b"# Created by pyprov: evidence stays out of version control and of sdists.\n*\n"
"""What pyprov writes to ``.gitignore`` in an evidence directory it creates (as pytest's cache does)."""

_P = TypeVar("_P", bound=str | PurePath)


def is_evidence(name: str) -> bool:
    """Whether the file name ``name`` (not a path) is evidence rather than an artifact."""
    return name.endswith(EVIDENCE_SUFFIXES)


def is_listed_artifact(name: str) -> bool:
    """Whether a file found by listing a directory counts as an artifact.

    Stricter than :func:`is_evidence`: hidden files and any JSON, signature, key,
    certificate or TOML file are skipped too.
    """
    return not name.startswith(".") and not is_evidence(name) and not name.endswith(_ALSO_NOT_LISTED)


def split_artifacts(paths: Sequence[_P]) -> tuple[list[_P], list[_P]]:
    """Split file arguments into (artifacts, evidence), keeping their order."""
    artifacts: list[_P] = []
    evidence: list[_P] = []
    for path in paths:
        (evidence if is_evidence(PurePath(str(path)).name) else artifacts).append(path)
    return artifacts, evidence


def evidence_in_sdist(sdist: Path, srcdir: Path, evidence_dir: Path) -> tuple[str, ...]:
    """The sdist's members that come from ``evidence_dir``, when it lies inside ``srcdir``.

    hatchling reads only the project's top ``.gitignore``, not the one pyprov writes in the
    evidence directory: evidence of an earlier build can end up in the sdist. An empty
    result when the evidence directory is outside the source tree or nothing of it was packed.
    """
    from pyprov._internal.archives import sdist_members_under  # noqa: PLC0415 - tarfile: only when asked

    try:
        relative = evidence_dir.absolute().relative_to(srcdir.absolute())
    except ValueError:
        return ()
    if not relative.parts:
        return ()
    return sdist_members_under(sdist, relative.as_posix())
