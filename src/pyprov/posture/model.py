"""What a posture report holds: facts per item, and per property how many items have it.

A `Fact` is one property of one item (an artifact of a release, a file of a lock): whether
it holds (``yes``), does not (``no``), or could not be checked (``unknown``: no evidence to
read, no provenance served); ``value`` says what was measured. No fact is ever a score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["yes", "no", "unknown"]
Subject = Literal["release", "dependencies"]
SCHEMA_VERSION = "https://github.com/pyprov/pyprov/blob/main/schemas/posture-report-v1.schema.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """One property of one item: ``status``, and ``value``, what was found (one line)."""

    property: str
    status: Status
    value: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"property": self.property, "status": self.status, "value": self.value}


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """An artifact of a release or a file of a dependency set, with its facts in property order."""

    name: str
    sha256: str | None
    facts: tuple[Fact, ...]

    def fact(self, name: str) -> Fact | None:
        """The fact about property ``name``, if this item has one."""
        return next((fact for fact in self.facts if fact.property == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"name": self.name, "sha256": self.sha256, "facts": [fact.to_dict() for fact in self.facts]}


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    """Of ``total`` items, ``have`` hold the property, ``lack`` do not, ``unknown`` were not checkable."""

    name: str
    """The property counted."""
    description: str
    have: int
    lack: int
    unknown: int

    @property
    def checked(self) -> int:
        """Items whose property could be checked (``have + lack``)."""
        return self.have + self.lack

    @property
    def total(self) -> int:
        """Every item."""
        return self.checked + self.unknown

    def line(self) -> str:
        """One line: ``signed: 2 of 2 checked (100%), 0 unknown``."""
        percent = f" ({100 * self.have // self.checked}%)" if self.checked else ""
        return f"{self.name}: {self.have} of {self.checked} checked{percent}, {self.unknown} unknown"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "description": self.description,
            "have": self.have,
            "lack": self.lack,
            "unknown": self.unknown,
            "checked": self.checked,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleasePosture:
    """One release of a trend: its name (its version, or its directory), items and summary."""

    name: str
    items: tuple[Item, ...]
    summary: tuple[Count, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "name": self.name,
            "summary": {count.name: count.to_dict() for count in self.summary},
            "items": [item.to_dict() for item in self.items],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class PostureReport:
    """The posture of one subject: its items, the summary per property, how it was measured.

    For a trend, ``releases`` holds every release in the order given, and ``items`` and
    ``summary`` are the last one's (the release a ``--require`` gate is about).
    """

    subject: Subject
    items: tuple[Item, ...]
    summary: tuple[Count, ...]
    trust: str
    notes: tuple[str, ...] = ()
    releases: tuple[ReleasePosture, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``schemas/posture-report-v1.schema.json``; ``releases`` only in a trend)."""
        document: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "subject": self.subject,
            "trust": self.trust,
            "notes": list(self.notes),
            "summary": {count.name: count.to_dict() for count in self.summary},
            "items": [item.to_dict() for item in self.items],
        }
        if self.releases:
            document["releases"] = [release.to_dict() for release in self.releases]
        return document
