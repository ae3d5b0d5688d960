"""Security posture: measured facts about a release's artifacts or a dependency set's files.

``release_posture(paths, trust)`` reads the evidence of each artifact (signature, provenance,
build isolation, pinned build requirements, source, SBOM, rebuild verdict, PEP 740 files);
``release_trend(directories, trust)`` does so for several releases, in order;
``dependency_posture(pinned, trust, index_url=...)`` asks an index about each pinned file
(PEP 740 provenance served and verified, publisher, hash, yanked); given
``start_verification(trust)`` instead of the trust source, it uses a verifier started
earlier (the CLI starts it before reading the lock). Both return a
`PostureReport`: one `Fact` per property per item (``yes``, ``no`` or ``unknown``) and, per
property, how many items have it and how many could be checked. Nothing is scored, printed
or exited; :class:`~pyprov.errors.ProjectError` is raised only when the report cannot be made.

The names are imported on first use, so that a dependency report starts fetching before
sigstore (needed only to verify) has been imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyprov.posture.dependencies import (
        Installed,
        Pinned,
        dependency_posture,
        read_installed,
        read_lock_files,
        read_requirements,
    )
    from pyprov.posture.html import render_html
    from pyprov.posture.model import Count, Fact, Item, PostureReport, ReleasePosture, Status
    from pyprov.posture.properties import DEPENDENCY_PROPERTIES, RELEASE_PROPERTIES
    from pyprov.posture.release import release_posture, release_trend
    from pyprov.posture.summary import summarize
    from pyprov.posture.verification import Verification, start_verification

_EXPORTS = {
    "DEPENDENCY_PROPERTIES": "pyprov.posture.properties",
    "RELEASE_PROPERTIES": "pyprov.posture.properties",
    "Installed": "pyprov.posture.dependencies",
    "Pinned": "pyprov.posture.dependencies",
    "dependency_posture": "pyprov.posture.dependencies",
    "read_installed": "pyprov.posture.dependencies",
    "read_lock_files": "pyprov.posture.dependencies",
    "read_requirements": "pyprov.posture.dependencies",
    "render_html": "pyprov.posture.html",
    "Count": "pyprov.posture.model",
    "Fact": "pyprov.posture.model",
    "Item": "pyprov.posture.model",
    "PostureReport": "pyprov.posture.model",
    "ReleasePosture": "pyprov.posture.model",
    "Status": "pyprov.posture.model",
    "release_posture": "pyprov.posture.release",
    "release_trend": "pyprov.posture.release",
    "summarize": "pyprov.posture.summary",
    "Verification": "pyprov.posture.verification",
    "start_verification": "pyprov.posture.verification",
}

__all__ = [
    "DEPENDENCY_PROPERTIES",
    "RELEASE_PROPERTIES",
    "Count",
    "Fact",
    "Installed",
    "Item",
    "Pinned",
    "PostureReport",
    "ReleasePosture",
    "Status",
    "Verification",
    "dependency_posture",
    "read_installed",
    "read_lock_files",
    "read_requirements",
    "release_posture",
    "release_trend",
    "render_html",
    "start_verification",
    "summarize",
]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - module attributes are of any type
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pyprov.posture' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
