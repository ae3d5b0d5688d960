"""A readable summary of a CycloneDX document: counts, licenses, bundled content, build environment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyprov._internal.untrusted import UntrustedInputError, load_json
from pyprov.sbom.model import SbomError


@dataclass(frozen=True, slots=True, kw_only=True)
class SbomSummary:
    """What ``pyprov inspect`` shows."""

    spec_version: str
    subject: str | None
    """``name version`` of ``metadata.component``."""
    subject_sha256: str | None
    components: tuple[tuple[str, int], ...]
    """(type, count) of every component, nested ones included."""
    requirements: tuple[str, ...]
    licenses: tuple[tuple[str, int], ...]
    """(license, number of components declaring it), most common first."""
    bundled: tuple[tuple[str, int], ...]
    """(embedded SBOM, vendored package or grafted library, number of components inside)."""
    build_environment: tuple[str, ...]
    """``name==version`` of each build environment distribution (from formulation)."""
    build_steps: tuple[str, ...]
    warnings: tuple[str, ...]


def summarize(data: bytes) -> SbomSummary:
    """Summarise a CycloneDX JSON document; raise :class:`SbomError` for anything else.

    The document is untrusted: a field of the wrong type counts as absent.
    """
    try:
        document = load_json(data, "the SBOM")
    except UntrustedInputError as error:
        raise SbomError(error.message) from error
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise SbomError(
            "not a CycloneDX JSON document (bomFormat is not CycloneDX)",
            hint="pyprov inspect reads .cdx.json files",
        )
    metadata = _object(document.get("metadata"))
    root = _object(metadata.get("component")) or None
    top = _objects(document.get("components"))
    everything = list(_walk(([root] if root else []) + top))
    types = Counter(str(c.get("type", "?")) for c in everything)
    licenses = Counter(name for c in everything for name in _license_names(c))
    declared = [
        str(p.get("value"))
        for p in (root or {}).get("properties") or []
        if isinstance(p, dict) and p.get("name") == "pyprov:requires-dist"
    ]
    # Older pyprov documents listed requirements as components without a version: still read.
    declared += [str(_property(c, "pyprov:requirement")) for c in top if _property(c, "pyprov:requirement")]
    requirements = tuple(sorted(declared))
    bundled = tuple(
        sorted(
            (_bundled_label(c), len(list(_walk(_objects(c.get("components"))))))
            for c in top
            if "#bundled" in str(c.get("bom-ref", ""))
        )
    )
    environment, steps = [], []
    for formula in _objects(document.get("formulation")):
        environment += [
            f"{c.get('name')}=={c.get('version')}"
            for c in _objects(formula.get("components"))
            if c.get("type") != "file"
        ]
        steps += [
            str(s.get("name")) for w in _objects(formula.get("workflows")) for s in _objects(w.get("steps"))
        ]
    sha256 = next(
        (str(h.get("content")) for h in _objects((root or {}).get("hashes")) if h.get("alg") == "SHA-256"),
        None,
    )
    return SbomSummary(
        spec_version=str(document.get("specVersion")),
        subject=f"{root.get('name')} {root.get('version', '')}".strip() if root else None,
        subject_sha256=sha256,
        components=tuple(sorted(types.items())),
        requirements=requirements,
        licenses=tuple(sorted(licenses.items(), key=lambda item: (-item[1], item[0]))),
        bundled=bundled,
        build_environment=tuple(sorted(environment)),
        build_steps=tuple(steps),
        warnings=tuple(
            str(p.get("value", ""))
            for p in _objects(metadata.get("properties"))
            if p.get("name") == "pyprov:warning"
        ),
    )


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objects(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _bundled_label(component: dict[str, Any]) -> str:
    location = _property(component, "pyprov:vendored:location")
    if location:
        return f"{component.get('name')} {component.get('version') or ''} (vendored in {location})".replace(
            "  ", " "
        )
    return _property(component, "pyprov:file:path") or str(component.get("name"))


def _walk(components: list[Any]) -> Iterator[dict[str, Any]]:
    pending = list(components)
    while pending:
        component = pending.pop()
        if isinstance(component, dict):
            yield component
            pending.extend(_objects(component.get("components")))


def _license_names(component: dict[str, Any]) -> Iterator[str]:
    names = []
    for item in _objects(component.get("licenses")):
        if "expression" in item:
            names.append(str(item["expression"]))
        elif isinstance(item.get("license"), dict):
            names.append(str(item["license"].get("id") or item["license"].get("name")))
    yield from dict.fromkeys(names)  # a licence both declared and concluded counts once


def _property(component: dict[str, Any], name: str) -> str | None:
    return next(
        (str(p.get("value")) for p in _objects(component.get("properties")) if p.get("name") == name), None
    )
