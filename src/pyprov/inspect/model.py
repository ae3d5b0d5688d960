"""What ``inspect`` returns: a title and sections of lines, plus the data for ``--json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and its lines (unindented, unescaped: the renderer does both)."""

    title: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Inspection:
    """One file, read for people.

    ``kind`` names the format ("CycloneDX SBOM", "Sigstore bundle", ...); ``title`` is the
    first line; ``data`` is the JSON-able summary ``inspect --json`` prints. Strings come
    from the file: escape them before they reach a terminal.
    """

    kind: str
    title: str
    sections: tuple[Section, ...] = ()
    data: Any = field(default=None)


def as_object(value: object) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one: a field of the wrong type is absent."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def pairs(rows: list[tuple[str, str]]) -> list[str]:
    """Label/value rows with the values aligned."""
    width = max((len(label) for label, _ in rows), default=0)
    return [f"{label.ljust(width)}  {value}" for label, value in rows]
