"""Evidence writers for ``pyprov build``: ``<artifact>.cdx.json`` and ``<artifact>.spdx.json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyprov.evidence import ArtifactContext, ArtifactEvidenceWriter
from pyprov.sbom.artifact import describe_built_artifact
from pyprov.sbom.cyclonedx import build_document, render
from pyprov.sbom.spdx import render_spdx
from pyprov.sbom.validation import SpecVersion, validate_cyclonedx

CYCLONEDX_SUFFIX = ".cdx.json"
SPDX_SUFFIX = ".spdx.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class CycloneDXWriter:
    """Writes the artifact's CycloneDX SBOM, formulation included, validated against the schema."""

    spec: SpecVersion = "1.6"
    files: bool = False
    """List every file of the artifact with its hash (``--sbom-files``)."""

    @property
    def suffix(self) -> str:
        """``.cdx.json``."""
        return CYCLONEDX_SUFFIX

    def render(self, context: ArtifactContext) -> bytes:
        """The document's bytes; raises :class:`~pyprov.sbom.model.SbomError` for unreadable artifacts."""
        return render(describe_built_artifact(context, spec=self.spec, files=self.files))


@dataclass(frozen=True, slots=True, kw_only=True)
class SPDXWriter:
    """Writes the artifact's SPDX 2.3 SBOM, with the facts of the CycloneDX one."""

    @property
    def suffix(self) -> str:
        """``.spdx.json``."""
        return SPDX_SUFFIX

    def render(self, context: ArtifactContext) -> bytes:
        """The document's bytes."""
        document = build_document(describe_built_artifact(context, spec="1.6", files=False))
        validate_cyclonedx(document, "1.6")
        return render_spdx(document, name=context.record.artifact.filename)


if TYPE_CHECKING:  # mypy checks that the writers implement the extension point
    _CHECK: tuple[ArtifactEvidenceWriter, ...] = (CycloneDXWriter(), SPDXWriter())
