"""SBOMs of Python distributions and environments: CycloneDX (1.5-1.7), SPDX 2.3 JSON and SPDX 3.0.1 JSON-LD.

- :class:`CycloneDXWriter`, :class:`SPDXWriter`, :class:`SPDX3Writer`: evidence writers for ``pyprov build``.
- :class:`EmbedSbomTransform`: PEP 770, an SBOM inside the built wheel.
- :func:`generate_sbom`: the SBOM of any wheel, sdist or environment.
- :func:`summarize`: what ``pyprov inspect`` shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyprov._internal.lazy import lazy_exports

if TYPE_CHECKING:
    from pyprov.evidence.layout import CYCLONEDX_SUFFIX, SPDX3_SUFFIX, SPDX_SUFFIX
    from pyprov.sbom.embed import EmbedSbomTransform
    from pyprov.sbom.generate import OutputFormat, SbomResult, generate_sbom
    from pyprov.sbom.inspect import SbomSummary, summarize
    from pyprov.sbom.model import SbomError
    from pyprov.sbom.source import SourceSbomResult, source_sbom
    from pyprov.sbom.validation import SPEC_VERSIONS, SpecVersion, validate_cyclonedx
    from pyprov.sbom.vendored import FileCheck
    from pyprov.sbom.writers import CycloneDXWriter, SPDX3Writer, SPDXWriter

# Imported on first use: `pyprov --help` and builds that do not need a module do not pay for it.
_EXPORTS = {
    "EmbedSbomTransform": "pyprov.sbom.embed",
    "OutputFormat": "pyprov.sbom.generate",
    "SbomResult": "pyprov.sbom.generate",
    "generate_sbom": "pyprov.sbom.generate",
    "SbomSummary": "pyprov.sbom.inspect",
    "summarize": "pyprov.sbom.inspect",
    "SbomError": "pyprov.sbom.model",
    "FileCheck": "pyprov.sbom.vendored",
    "SourceSbomResult": "pyprov.sbom.source",
    "source_sbom": "pyprov.sbom.source",
    "SPEC_VERSIONS": "pyprov.sbom.validation",
    "SpecVersion": "pyprov.sbom.validation",
    "validate_cyclonedx": "pyprov.sbom.validation",
    "CYCLONEDX_SUFFIX": "pyprov.evidence.layout",
    "SPDX_SUFFIX": "pyprov.evidence.layout",
    "SPDX3_SUFFIX": "pyprov.evidence.layout",
    "CycloneDXWriter": "pyprov.sbom.writers",
    "SPDXWriter": "pyprov.sbom.writers",
    "SPDX3Writer": "pyprov.sbom.writers",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "CYCLONEDX_SUFFIX",
    "SPDX3_SUFFIX",
    "SPDX_SUFFIX",
    "SPEC_VERSIONS",
    "CycloneDXWriter",
    "EmbedSbomTransform",
    "FileCheck",
    "OutputFormat",
    "SPDX3Writer",
    "SPDXWriter",
    "SbomError",
    "SbomResult",
    "SbomSummary",
    "SourceSbomResult",
    "SpecVersion",
    "generate_sbom",
    "source_sbom",
    "summarize",
    "validate_cyclonedx",
]
