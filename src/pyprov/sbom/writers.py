"""Evidence writers for ``pyprov build``: ``<artifact>.cdx.json``, ``.spdx.json`` and ``.spdx3.json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyprov.evidence import ArtifactContext, ArtifactEvidenceWriter
from pyprov.evidence.layout import CYCLONEDX_SUFFIX, SPDX3_SUFFIX, SPDX_SUFFIX

if TYPE_CHECKING:
    from pathlib import Path

    from pyprov.sbom.validation import SpecVersion


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

    def prepare(self) -> None:
        """Import what :meth:`render` needs (``build_project`` calls it while build code runs)."""
        _prepare(self.spec)

    def prepare_artifact(self, path: Path) -> None:
        """Read the complete artifact ``path`` ahead (``build_project``: the sdist while the wheel builds)."""
        from pyprov.sbom.artifact import read_ahead  # noqa: PLC0415

        read_ahead(path, files=self.files)

    def render(self, context: ArtifactContext) -> bytes:
        """The document's bytes; raises :class:`~pyprov.sbom.model.SbomError` for unreadable artifacts."""
        from pyprov.sbom.artifact import describe_built_artifact  # noqa: PLC0415
        from pyprov.sbom.cyclonedx import render  # noqa: PLC0415

        return render(describe_built_artifact(context, spec=self.spec, files=self.files))


@dataclass(frozen=True, slots=True, kw_only=True)
class SPDXWriter:
    """Writes the artifact's SPDX 2.3 SBOM, with the facts of the CycloneDX one."""

    @property
    def suffix(self) -> str:
        """``.spdx.json``."""
        return SPDX_SUFFIX

    def prepare(self) -> None:
        """Import what :meth:`render` needs."""
        _prepare("1.6")
        import pyprov.sbom.spdx  # noqa: F401, PLC0415

    def prepare_artifact(self, path: Path) -> None:
        """Read the complete artifact ``path`` ahead."""
        from pyprov.sbom.artifact import read_ahead  # noqa: PLC0415

        read_ahead(path, files=False)

    def render(self, context: ArtifactContext) -> bytes:
        """The document's bytes."""
        from pyprov.sbom.artifact import describe_built_artifact  # noqa: PLC0415
        from pyprov.sbom.cyclonedx import build_document  # noqa: PLC0415
        from pyprov.sbom.spdx import render_spdx  # noqa: PLC0415
        from pyprov.sbom.validation import validate_cyclonedx  # noqa: PLC0415

        document = build_document(describe_built_artifact(context, spec="1.6", files=False))
        validate_cyclonedx(document, "1.6")
        return render_spdx(document, name=context.record.artifact.filename)


@dataclass(frozen=True, slots=True, kw_only=True)
class SPDX3Writer:
    """Writes the artifact's SPDX 3.0.1 SBOM (JSON-LD), with the facts of the CycloneDX one."""

    files: bool = True
    """List every file of the artifact with its hash: the artifact ``contains`` them, the one
    composition relationship every artifact truthfully has (NTIA's and FSCT3's relationship element)."""

    @property
    def suffix(self) -> str:
        """``.spdx3.json``."""
        return SPDX3_SUFFIX

    def prepare(self) -> None:
        """Import what :meth:`render` needs (the SPDX 3 bindings take a moment to import)."""
        _prepare("1.6")
        from pyprov.sbom.spdx3 import _model  # noqa: PLC0415

        _model()

    def prepare_artifact(self, path: Path) -> None:
        """Read the complete artifact ``path`` ahead."""
        from pyprov.sbom.artifact import read_ahead  # noqa: PLC0415

        read_ahead(path, files=self.files)

    def render(self, context: ArtifactContext) -> bytes:
        """The document's bytes."""
        from pyprov.sbom.artifact import describe_built_artifact  # noqa: PLC0415
        from pyprov.sbom.cyclonedx import build_document  # noqa: PLC0415
        from pyprov.sbom.spdx3 import render_spdx3  # noqa: PLC0415
        from pyprov.sbom.validation import validate_cyclonedx  # noqa: PLC0415

        document = build_document(describe_built_artifact(context, spec="1.6", files=self.files))
        validate_cyclonedx(document, "1.6")
        return render_spdx3(document, name=context.record.artifact.filename)


def _prepare(spec: SpecVersion) -> None:
    import pyprov.sbom.artifact  # noqa: PLC0415
    import pyprov.sbom.cyclonedx  # noqa: F401, PLC0415
    from pyprov.sbom.validation import prepare_validator  # noqa: PLC0415

    prepare_validator(spec)
    # The first licence expression parsed builds license-expression's tokenizer of every SPDX
    # id (a tenth of a second); it is cached for the process.
    from cyclonedx.spdx import is_expression  # noqa: PLC0415

    is_expression("MIT OR Apache-2.0")


if TYPE_CHECKING:  # mypy checks that the writers implement the extension point
    _CHECK: tuple[ArtifactEvidenceWriter, ...] = (CycloneDXWriter(), SPDXWriter(), SPDX3Writer())
