"""The artifacts to verify and the evidence files beside them, found by exact names only.

Evidence is looked for beside the artifact and in the evidence directory (default:
``evidence/`` beside the artifact's directory), under the names pyprov, PyPI (PEP 740)
and CPython use. Names are built from the artifact's own file name and looked up in
those two directories, never globbed across directories, so nothing outside them is
read. Every file is untrusted: sizes are bounded before reading.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pyprov._internal.untrusted import UntrustedInputError, open_untrusted, read_untrusted
from pyprov.errors import ProjectError
from pyprov.evidence.layout import (
    ATTESTATION_SUFFIX,
    REBUILD_BUNDLE_SUFFIX,
    default_evidence_directory,
    is_listed_artifact,
    split_artifacts,
)
from pyprov.evidence.layout import PYPI_PROVENANCE_SUFFIX as PROVENANCE_SUFFIX

EvidenceFormat = Literal["bundle", "attestation", "provenance", "rebuild"]
"""A Sigstore bundle, a PEP 740 attestation, a PyPI integrity-API provenance object, or a
rebuilder's signed rebuild statement (a Sigstore bundle checked with the rebuilder policy)."""

MAX_EVIDENCE_BYTES = 32 << 20
"""Evidence files are kilobytes; a larger one is refused unread."""

BUNDLE_SUFFIXES = (".sigstore.json", ".sigstore")
"""Signature bundles: pyprov's and ``sigstore sign``'s, and CPython's release signatures."""
STATEMENT_BUNDLE_SUFFIXES = (".intoto.sigstore.json", ".cdx.sigstore.json")
"""pyprov's signed statements: SLSA provenance and the CycloneDX SBOM."""

_ATTESTATION_KIND = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Artifact:
    """What is verified: a file (with its name and SHA-256), or a bare ``sha256:`` digest."""

    label: str
    sha256: str
    path: Path | None = None

    @property
    def name(self) -> str | None:
        """The file name statements must name (unknown for a bare digest)."""
        return self.path.name if self.path is not None else None

    @classmethod
    def from_argument(cls, argument: str) -> Artifact:
        """Read ``sha256:<hex>`` or a file path (hashed here).

        Raises :class:`~pyprov.errors.ProjectError` for a malformed digest or an
        unreadable file.
        """
        if argument.startswith("sha256:"):
            digest = argument.removeprefix("sha256:").lower()
            if not _SHA256.fullmatch(digest):
                raise ProjectError(f"not a SHA-256 digest: {argument!r} (expected sha256: and 64 hex digits)")
            return cls(label=f"sha256:{digest}", sha256=digest)
        path = Path(argument)
        return cls(label=argument, sha256=sha256_file(path), path=path)


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a regular file; :class:`ProjectError` when it cannot be read."""
    with open_untrusted(path) as file:
        digest = hashlib.sha256()
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
        return digest.hexdigest()


def expand_arguments(arguments: list[str]) -> list[str]:
    """Replace each directory among ``arguments`` by the artifacts in it (sorted, not recursive).

    Files named as evidence (attestations, bundles, pyprov's records: see
    :func:`pyprov.evidence.layout.is_evidence`) are skipped, so ``dist/*`` means the
    distributions. In a directory, every regular file that is not evidence (bundles,
    attestations, JSON, signatures) and not hidden counts as an artifact.
    """
    artifacts, skipped = split_artifacts(arguments)
    if skipped and not artifacts:
        raise ProjectError(
            f"nothing to verify: {', '.join(skipped)} "
            + ("is evidence" if len(skipped) == 1 else "are evidence")
            + " (attestations, signatures, pyprov's records), not an artifact",
            hint="name the distribution itself: its evidence beside it is found by name",
        )
    expanded: list[str] = []
    for argument in artifacts:
        path = Path(argument)
        if argument.startswith("sha256:") or not path.is_dir():
            expanded.append(argument)
            continue
        try:
            entries = sorted(os.scandir(path), key=lambda entry: entry.name)
        except OSError as error:
            raise ProjectError(f"cannot list {path}: {error.strerror or error}") from error
        found = [
            str(path / entry.name) for entry in entries if entry.is_file() and is_listed_artifact(entry.name)
        ]
        if not found:
            raise ProjectError(f"no artifacts in {path}")
        expanded += found
    return expanded


@dataclass(frozen=True, slots=True)
class Evidence:
    """One evidence file and how to read it."""

    path: Path
    format: EvidenceFormat


def default_evidence_dir(artifact: Path) -> Path:
    """``evidence/`` beside the artifact's directory, where ``pyprov build`` writes evidence."""
    return default_evidence_directory(artifact.absolute().parent)


class Listings:
    """Directory listings, read once per call and shared by every artifact (and thread) of it.

    Looking names up in a listing instead of probing each candidate name keeps discovery
    cheap for a directory of many artifacts. A missing or unreadable directory lists nothing.
    """

    def __init__(self) -> None:
        self._names: dict[Path, frozenset[str]] = {}

    def names(self, directory: Path) -> frozenset[str]:
        """The entry names of ``directory``."""
        key = directory.absolute()
        cached = self._names.get(key)
        if cached is None:
            try:
                cached = frozenset(entry.name for entry in os.scandir(key))
            except OSError:
                cached = frozenset()
            self._names[key] = cached
        return cached


def discover(
    artifact: Path, evidence_dir: Path | None = None, listings: Listings | None = None
) -> list[Evidence]:
    """Return the evidence files for ``artifact`` that exist, by the names pyprov, PyPI and CPython use.

    Looked up beside the artifact and in ``evidence_dir`` (default: `default_evidence_dir`):
    ``A.sigstore.json``, ``A.sigstore``, ``A.intoto.sigstore.json``, ``A.cdx.sigstore.json``;
    beside the artifact also ``A.attestation``, ``A.<kind>.attestation`` and ``A.provenance``.
    Only regular files (after following links) count.
    """
    listings = listings or Listings()
    name = artifact.name
    beside = artifact.parent
    evidence = evidence_dir if evidence_dir is not None else default_evidence_dir(artifact)
    in_evidence, in_beside = listings.names(evidence), listings.names(beside)
    candidates: list[tuple[Path, str, EvidenceFormat]] = []
    for suffix in (*BUNDLE_SUFFIXES, *STATEMENT_BUNDLE_SUFFIXES):
        candidates += [(evidence, f"{name}{suffix}", "bundle"), (beside, f"{name}{suffix}", "bundle")]
    candidates.append((beside, f"{name}{ATTESTATION_SUFFIX}", "attestation"))
    candidates += [(beside, entry, "attestation") for entry in _attestation_names(in_beside, name)]
    candidates.append((beside, f"{name}{PROVENANCE_SUFFIX}", "provenance"))
    found: list[Evidence] = []
    seen: set[tuple[int, int]] = set()
    for directory, entry, kind in candidates:
        if entry not in (in_evidence if directory is evidence else in_beside):
            continue
        path = directory / entry
        try:
            info = path.stat()
        except OSError:
            continue
        # The same file twice (the evidence directory is the artifact's, or a link): once.
        if stat.S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            found.append(Evidence(path, kind))
    return found


def discover_rebuild(
    artifact: Path, evidence_dir: Path | None = None, listings: Listings | None = None
) -> list[Evidence]:
    """The rebuild statement ``A.rebuild.sigstore.json`` of ``artifact`` (``pyprov rebuild --sign``).

    Looked up, as :func:`discover` looks, in ``evidence_dir`` (default:
    `default_evidence_dir`) and beside the artifact; a regular file only, found once.
    """
    listings = listings or Listings()
    name = f"{artifact.name}{REBUILD_BUNDLE_SUFFIX}"
    found: list[Evidence] = []
    seen: set[tuple[int, int]] = set()
    for directory in (
        evidence_dir if evidence_dir is not None else default_evidence_dir(artifact),
        artifact.parent,
    ):
        if name not in listings.names(directory):
            continue
        try:
            info = (directory / name).stat()
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            found.append(Evidence(directory / name, "rebuild"))
    return found


def _attestation_names(entries: frozenset[str], name: str) -> list[str]:
    """``A.<kind>.attestation`` entries: one dot-free kind, nothing else."""
    prefix = f"{name}."
    return sorted(
        entry
        for entry in entries
        if entry.startswith(prefix)
        and entry.endswith(ATTESTATION_SUFFIX)
        and _ATTESTATION_KIND.fullmatch(entry[len(prefix) : -len(ATTESTATION_SUFFIX)])
    )


class UnreadableEvidenceError(Exception):
    """An evidence file could not be read; the message is the reason shown in the report."""


def read_bounded(path: Path, limit: int = MAX_EVIDENCE_BYTES) -> bytes:
    """Read a regular file of at most ``limit`` bytes; `UnreadableEvidenceError` otherwise.

    `read_untrusted` with the reason alone: the report names the file in its own column.
    """
    try:
        return read_untrusted(path, limit=limit, what="evidence")
    except UntrustedInputError as error:
        raise UnreadableEvidenceError(error.reason) from error
