"""The evidence contract: what evidence is called on disk, and how producers, writers and signers meet.

- :mod:`pyprov.evidence.layout`: every file name suffix, media type and the default directory;
  which files are evidence rather than artifacts.
- :mod:`pyprov.evidence.interface`: the extension points of a build (evidence writers,
  transforms, signers) and what they are given (:class:`ArtifactContext`).

:func:`pyprov.build.build_project` is the pipeline that uses them: build code runs and stops,
then every writer renders in memory, the signer signs those bytes, and everything is published at once.
"""

from __future__ import annotations

from pyprov.evidence.interface import (
    ArtifactContext,
    ArtifactEvidenceWriter,
    ArtifactSigner,
    ArtifactTransform,
    EvidenceFile,
    RunEvidenceWriter,
    SignedFile,
)

__all__ = [
    "ArtifactContext",
    "ArtifactEvidenceWriter",
    "ArtifactSigner",
    "ArtifactTransform",
    "EvidenceFile",
    "RunEvidenceWriter",
    "SignedFile",
]
