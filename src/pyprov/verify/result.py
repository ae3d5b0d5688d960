"""What a verification found: one `Check` per line, grouped per artifact, in one report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "warn"]
"""``pass`` and ``warn`` are both acceptable; ``warn`` marks evidence that is missing but not required."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One thing that was checked: what was expected, what was found, and why it failed.

    ``source`` names the evidence file the check is about (empty for checks of the
    artifact itself).
    """

    name: str
    status: Status
    expected: str | None = None
    found: str | None = None
    reason: str | None = None
    source: str = ""

    @property
    def ok(self) -> bool:
        """Whether this check does not fail its artifact (``pass`` or ``warn``)."""
        return self.status != "fail"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``--json``)."""
        return {
            "name": self.name,
            "ok": self.ok,
            "status": self.status,
            "expected": self.expected,
            "found": self.found,
            "reason": self.reason,
            "source": self.source,
        }


def passed(name: str, *, expected: str | None = None, found: str | None = None, source: str = "") -> Check:
    """Return a passing check."""
    return Check(name=name, status="pass", expected=expected, found=found, source=source)


def failed(
    name: str, reason: str, *, expected: str | None = None, found: str | None = None, source: str = ""
) -> Check:
    """Return a failing check; ``reason`` is the one line a user reads."""
    return Check(name=name, status="fail", expected=expected, found=found, reason=reason, source=source)


def warned(name: str, reason: str, *, expected: str | None = None, source: str = "") -> Check:
    """Return a warning: acceptable, but worth a line."""
    return Check(name=name, status="warn", expected=expected, reason=reason, source=source)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArtifactResult:
    """Every check of one artifact (a file, or a ``sha256:`` digest), in the order they ran."""

    artifact: str
    sha256: str | None
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Whether the artifact verified: at least one check, and none failed."""
        return bool(self.checks) and all(check.ok for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        """The failing checks."""
        return tuple(check for check in self.checks if not check.ok)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``--json``)."""
        return {
            "artifact": self.artifact,
            "sha256": self.sha256,
            "ok": self.ok,
            "checks": [check.to_dict() for check in self.checks],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationReport:
    """The result of one call: the trust root and policy used, and every artifact's checks."""

    trust: str
    policy: str
    artifacts: tuple[ArtifactResult, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether every artifact verified (and there was at least one)."""
        return bool(self.artifacts) and all(result.ok for result in self.artifacts)

    @property
    def failed(self) -> Sequence[ArtifactResult]:
        """The artifacts that failed verification."""
        return [result for result in self.artifacts if not result.ok]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``--json``)."""
        return {
            "ok": self.ok,
            "trust": self.trust,
            "policy": self.policy,
            "notes": list(self.notes),
            "artifacts": [result.to_dict() for result in self.artifacts],
        }
