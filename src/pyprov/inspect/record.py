"""pyprov's build records (``.build.json``) and run records (``.run.json``), for people.

A record is shown as it is: one section per top-level object, one row per value,
nested objects flattened into dotted labels, lists of plain values joined.
"""

from __future__ import annotations

from typing import Any

from pyprov.inspect.model import Inspection, Section, as_object, pairs

_MAX_ROWS = 200
"""Rows per section: a record with more is cut, and says so."""


def inspect_record(document: dict[str, Any], kind: str) -> Inspection:
    """A build or run record: ``kind`` is "pyprov build record" or "pyprov run record"."""
    artifact = as_object(document.get("artifact"))
    subject = artifact.get("filename") or as_object(document.get("product")).get("path") or "(unnamed)"
    sections = [
        Section(str(key), tuple(pairs(_rows(value))))
        for key, value in document.items()
        if isinstance(value, dict)
    ]
    plain = [(str(key), _plain(value)) for key, value in document.items() if not isinstance(value, dict)]
    if plain:
        sections.insert(0, Section("record", tuple(pairs(plain))))
    return Inspection(kind=kind, title=f"{kind}  {subject}", sections=tuple(sections), data=document)


def _rows(value: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    pending: list[tuple[str, Any]] = list(reversed(list(value.items())))
    while pending and len(rows) < _MAX_ROWS:
        label, item = pending.pop()
        if isinstance(item, dict) and item:
            pending += reversed([(f"{label}.{key}", child) for key, child in item.items()])
        else:
            rows.append((str(label), _plain(item)))
    if pending:
        rows.append(("…", f"{len(pending)} more not shown (inspect --json shows everything)"))
    return rows


def _plain(value: object) -> str:  # noqa: PLR0911 - one per JSON type
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if not value:
            return "none"
        if all(isinstance(item, (str, int, float)) for item in value):
            return ", ".join(str(item) for item in value)
        return f"{len(value)} entries"
    if isinstance(value, dict):
        return "{}"
    return str(value)
