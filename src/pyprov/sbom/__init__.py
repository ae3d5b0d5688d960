"""SBOMs of Python distributions and environments: CycloneDX (1.5-1.7) and SPDX 2.3 JSON.

- :class:`CycloneDXWriter` and :class:`SPDXWriter`: evidence writers for ``pyprov build``.
- :class:`EmbedSbomTransform`: PEP 770, an SBOM inside the built wheel.
- :func:`generate_sbom`: the SBOM of any wheel, sdist or environment.
- :func:`summarize`: what ``pyprov inspect`` shows.
"""

from __future__ import annotations

from pyprov.sbom.embed import EmbedSbomTransform
from pyprov.sbom.generate import OutputFormat, SbomResult, generate_sbom
from pyprov.sbom.inspect import SbomSummary, summarize
from pyprov.sbom.model import SbomError
from pyprov.sbom.source import FileCheck, SourceSbomResult, source_sbom
from pyprov.sbom.validation import SPEC_VERSIONS, SpecVersion, validate_cyclonedx
from pyprov.sbom.writers import CYCLONEDX_SUFFIX, SPDX_SUFFIX, CycloneDXWriter, SPDXWriter

__all__ = [
    "CYCLONEDX_SUFFIX",
    "SPDX_SUFFIX",
    "SPEC_VERSIONS",
    "CycloneDXWriter",
    "EmbedSbomTransform",
    "FileCheck",
    "OutputFormat",
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
