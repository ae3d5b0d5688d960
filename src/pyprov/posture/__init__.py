"""Security posture: measured facts about a release's artifacts or a dependency set's files.

``release_posture(paths, trust)`` reads the evidence of each artifact (signature, provenance,
build isolation, pinned build requirements, source, SBOM, rebuild verdict, PEP 740 files);
``release_trend(directories, trust)`` does so for several releases, in order;
``dependency_posture(pinned, trust, index_url=...)`` asks an index about each pinned file
(PEP 740 provenance served and verified, publisher, hash, yanked). Both return a
`PostureReport`: one `Fact` per property per item (``yes``, ``no`` or ``unknown``) and, per
property, how many items have it and how many could be checked. Nothing is scored, printed
or exited; :class:`~pyprov.errors.ProjectError` is raised only when the report cannot be made.
"""

from __future__ import annotations

from pyprov.posture.dependencies import (
    DEPENDENCY_PROPERTIES,
    Installed,
    Pinned,
    dependency_posture,
    read_installed,
    read_lock_files,
    read_requirements,
)
from pyprov.posture.html import render_html
from pyprov.posture.model import Count, Fact, Item, PostureReport, ReleasePosture, Status
from pyprov.posture.release import RELEASE_PROPERTIES, release_posture, release_trend
from pyprov.posture.summary import summarize

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
    "dependency_posture",
    "read_installed",
    "read_lock_files",
    "read_requirements",
    "release_posture",
    "release_trend",
    "render_html",
    "summarize",
]
