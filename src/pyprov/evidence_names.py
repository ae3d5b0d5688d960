"""Which files are artifacts and which are evidence about them, decided by name in one place.

``pyprov build --sign`` leaves PEP 740 attestations beside the distributions, so
``dist/*`` names both. Every command that takes files (``sign``, ``attest``, ``verify``)
skips the evidence among them the way twine pairs a distribution with its
``<dist>.<kind>.attestation`` and ``.asc`` files: by suffix, before anything is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import TypeVar

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
    from pyprov._internal.files import sdist_members_under  # noqa: PLC0415 - tarfile: only when asked

    try:
        relative = evidence_dir.absolute().relative_to(srcdir.absolute())
    except ValueError:
        return ()
    if not relative.parts:
        return ()
    return sdist_members_under(sdist, relative.as_posix())
