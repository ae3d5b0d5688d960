"""The result of a rebuild: the verdict, every difference, and what the rebuild was based on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyprov.rebuild.compare import Comparison, Difference, Verdict
from pyprov.rebuild.environment import RebuildEnvironment
from pyprov.rebuild.source import SourceSpec

REPORT_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/rebuild.md#report-v1"
"""The ``reportType`` of the JSON form (``schemas/rebuild-report-v1.schema.json``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildReport:
    """What :func:`pyprov.rebuild.rebuild_artifact` found."""

    comparison: Comparison
    source: SourceSpec
    environment: RebuildEnvironment
    environment_differences: tuple[str, ...] = ()
    """How the rebuild's build environment differed from the record's (empty without a record)."""
    kept: tuple[str, ...] = ()
    """Paths of the rebuilt artifact and its evidence, when kept."""

    @property
    def verdict(self) -> Verdict:
        """``identical``, ``equivalent`` or ``differs``."""
        return self.comparison.verdict

    @property
    def differences(self) -> tuple[Difference, ...]:
        """Every difference, content first."""
        return self.comparison.differences

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, defined by ``schemas/rebuild-report-v1.schema.json``."""
        published, rebuilt = self.comparison.published, self.comparison.rebuilt
        return {
            "reportType": REPORT_TYPE,
            "verdict": self.verdict,
            "artifact": {"filename": published.path.name, "sha256": published.sha256, "size": published.size},
            "rebuilt": {"filename": rebuilt.path.name, "sha256": rebuilt.sha256, "size": rebuilt.size},
            "source": self.source.to_dict(),
            "inferred": self.environment.to_dict(),
            "environmentDifferences": list(self.environment_differences),
            "differences": [item.to_dict() for item in self.differences],
            "kept": list(self.kept),
        }
