"""Extension points of a build: evidence written beside each artifact, and wheel transforms.

``build_project`` calls them while its outputs are still staged, so what they write is
published together with the artifacts and build records, or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from pyprov.record import BuildEnvironment, BuildRecord, DistributionKind


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceFile:
    """An evidence file of this artifact, made in memory: where it goes, its SHA-256 and bytes.

    The bytes are what gets signed and then written: nothing signed is read back from disk.
    """

    path: Path
    """The final path (in the evidence directory); nothing is there until the build publishes."""
    sha256: str
    content: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArtifactContext:
    """What an evidence writer knows about one artifact."""

    record: BuildRecord
    artifact: Path
    """The staged artifact (read it; never modify it)."""
    evidence: Mapping[str, EvidenceFile]
    """Evidence written so far for this artifact, by suffix (``.build.json``, ``.cdx.json``...)."""


class ArtifactEvidenceWriter(Protocol):
    """Writes one evidence file per artifact, named ``<artifact><suffix>``."""

    @property
    def suffix(self) -> str:
        """The file name suffix, e.g. ``.cdx.json``."""
        ...

    def render(self, context: ArtifactContext) -> bytes:
        """Return the file's content; raise :class:`~pyprov.errors.PyprovError` to fail the build."""
        ...


class RunEvidenceWriter(Protocol):
    """Writes one evidence file for the whole run (e.g. a multi-subject statement)."""

    @property
    def filename(self) -> str:
        """The file name in the evidence directory."""
        ...

    def render(self, contexts: Sequence[ArtifactContext]) -> bytes:
        """Return the file's content from every artifact's context, in build order."""
        ...


class ArtifactTransform(Protocol):
    """Changes a freshly built artifact before it is hashed (e.g. embeds an SBOM in a wheel)."""

    def applies_to(self, kind: DistributionKind) -> bool:
        """Whether to run on this kind of distribution."""
        ...

    def transform(self, artifact: Path, environment: BuildEnvironment) -> None:
        """Rewrite ``artifact`` in place (atomically)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedFile:
    """A file a signer made: beside the artifact (``output``) or in the evidence directory."""

    location: Literal["output", "evidence"]
    filename: str
    content: bytes


class ArtifactSigner(Protocol):
    """Signs the artifacts and their evidence once the build has finished.

    It runs after the build environments are gone and the credentials are back in the
    environment, while outputs are still staged: its files are published with the rest,
    or, when it raises, nothing is.
    """

    def sign(self, contexts: Sequence[ArtifactContext]) -> Sequence[Sequence[SignedFile]]:
        """Return, per artifact in order, the files to write."""
        ...
