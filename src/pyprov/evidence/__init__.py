"""The evidence contract: what evidence is called on disk, and how producers, writers and signers meet.

- :mod:`pyprov.evidence.layout`: every file name suffix, media type and the default directory;
  which files are evidence rather than artifacts.
- :mod:`pyprov.evidence.interface`: the extension points of a build (evidence writers,
  transforms, signers) and what they are given (:class:`ArtifactContext`).

:func:`pyprov.build.build_project` is the pipeline that uses them: build code runs and stops,
then every writer renders in memory, the signer signs those bytes, and everything is published at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:  # noqa: ANN401 - module attributes are of any type
    # Imported on first use: the layout and statement modules are wanted where the build
    # record's classes are not (a verifier), and those take a while to create.
    if name not in __all__:
        raise AttributeError(f"module 'pyprov.evidence' has no attribute {name!r}")
    return getattr(importlib.import_module("pyprov.evidence.interface"), name)
