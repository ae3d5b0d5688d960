"""Rebuild a published artifact from its source, and say exactly what differs.

:func:`rebuild_artifact` prepares the source (:mod:`~pyprov.rebuild.source`), pins the
build environment from pyprov's build record or infers it from the artifact
(:mod:`~pyprov.rebuild.environment`), builds through :func:`pyprov.build.build_project`
and compares the two archives (:mod:`~pyprov.rebuild.compare`): ``identical`` (same
bytes), ``equivalent`` (same members with the same content) or ``differs``.
"""

from __future__ import annotations

from pyprov.rebuild.archive import ArchiveError
from pyprov.rebuild.compare import Comparison, Difference, Verdict, compare_archives
from pyprov.rebuild.environment import Fact, RebuildEnvironment
from pyprov.rebuild.rebuild import RebuildOptions, rebuild_artifact
from pyprov.rebuild.report import REPORT_TYPE, RebuildReport
from pyprov.rebuild.source import SourceSpec, parse_source

__all__ = [
    "REPORT_TYPE",
    "ArchiveError",
    "Comparison",
    "Difference",
    "Fact",
    "RebuildEnvironment",
    "RebuildOptions",
    "RebuildReport",
    "SourceSpec",
    "Verdict",
    "compare_archives",
    "parse_source",
    "rebuild_artifact",
]
