"""Which minimum elements a CycloneDX document lacks, component by component, without a network.

The same rules the independent checkers apply (ntia-conformance-checker, sbomaudit), read on
pyprov's CycloneDX form so a maintainer sees *which* component misses *what*:

- ``ntia``: NTIA minimum elements (2021): supplier, name, version, a unique identifier (purl,
  CPE, SWID or bom-ref) for every component; the SBOM's author, timestamp and dependency relationships.
- ``fsct3``: CISA's FSCT3 minimum (2024): NTIA's, plus a concluded licence and a copyright
  notice for every component and the SBOM type (``metadata.lifecycles``).
- ``bsi``: BSI TR-03183-2 v2.1: name, version, a creator (author) with an e-mail or URL, a
  distribution file name and a concluded licence for every component, and for the distribution
  file a SHA-512 and the "structured" property; the SBOM's creator (e-mail or URL) and timestamp.

``fsct3`` and ``bsi`` follow ntia-conformance-checker on pyprov's SPDX 3 document (the only
format it reads them from): the components judged are those the document describes (the
root and what it contains or depends on), not the build's inputs; a dependency relationship
is one between two elements (a bundled component, a listed file, a dependency), not the
document describing its subject. ``ntia`` follows the checker on SPDX 2.3, where the latter
suffices, and judges the build environment too.

Files (``--sbom-files`` entries, embedded SBOM files) are no versioned components and are
not judged. docs/sbom.md maps every element to its CycloneDX, SPDX 2.3 and SPDX 3 field.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

Profile = Literal["ntia", "fsct3", "bsi"]
PROFILES: tuple[Profile, ...] = ("ntia", "fsct3", "bsi")
_DOCUMENT = "(document)"
_MAX_COMPONENTS = 100_000
_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True, kw_only=True)
class Gap:
    """One minimum element one component (or the document) lacks."""

    component: str
    """``name version`` of the component, or ``(document)``."""
    element: str

    @property
    def message(self) -> str:
        """One line for the user: ``requests 2.32.3: no copyright notice``."""
        return f"{self.component}: no {self.element}"


def minimum_element_gaps(document: Mapping[str, Any], profile: Profile) -> tuple[Gap, ...]:
    """Every minimum element of ``profile`` that ``document`` (CycloneDX JSON) lacks, in order."""
    gaps: list[Gap] = []
    metadata = document.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    if not metadata.get("timestamp"):
        gaps.append(Gap(component=_DOCUMENT, element="timestamp"))
    if not _author(metadata, needs_contact=profile == "bsi"):
        gaps.append(Gap(component=_DOCUMENT, element="author"))
    if profile == "ntia" and not _has_relationships(document):
        gaps.append(Gap(component=_DOCUMENT, element="dependency relationships"))
    if profile == "fsct3" and not _has_component_relationships(document):
        gaps.append(
            Gap(
                component=_DOCUMENT,
                element="dependency relationships between two elements "
                "(--sbom-files lists a distribution's files)",
            )
        )
    if profile == "fsct3" and not metadata.get("lifecycles"):
        gaps.append(Gap(component=_DOCUMENT, element="SBOM type (lifecycles)"))
    root = metadata.get("component")
    for component in _components(document, formulation=profile == "ntia"):
        label = " ".join(str(component.get(key)) for key in ("name", "version") if component.get(key))
        missing = _missing(component, profile, has_file=component is root and _file_name(component))
        gaps.extend(Gap(component=label or "(unnamed)", element=e) for e in missing)
    return tuple(gaps)


def _missing(component: Mapping[str, Any], profile: Profile, *, has_file: bool) -> Iterator[str]:  # noqa: PLR0912
    if not component.get("name"):
        yield "name"
    if not component.get("version"):
        yield "version"
    supplier = component.get("supplier")
    if profile == "bsi":
        if not any(a.get("email") or a.get("url") for a in _dicts(component.get("authors"))):
            yield "creator with an e-mail or URL"
        if not has_file:
            yield "distribution file name"
        else:
            if not any(h.get("alg") == "SHA-512" for h in _dicts(component.get("hashes"))):
                yield "SHA-512"
            # The checker reads BSI's "structured" from the SPDX 3 purpose `container` (or
            # `firmware`), which SPDX defines as a container image (firmware): a wheel or sdist is
            # neither, and pyprov does not say it is (docs/sbom.md).
            yield "structured property (read from the SPDX purpose `container`: not claimed for an archive)"
        if not _concluded(component.get("licenses")):
            yield "concluded licence"
        return
    if not (isinstance(supplier, dict) and supplier.get("name")):
        yield "supplier"
    # NTIA's "other unique identifiers": a purl, CPE or SWID tag, else the document's own
    # identifier (bom-ref), as ntia-conformance-checker accepts the SPDXID.
    if not any(component.get(key) for key in ("purl", "cpe", "swid", "bom-ref")):
        yield "unique identifier"
    if profile == "fsct3":
        if not _concluded(component.get("licenses")):
            yield "concluded licence"
        if not component.get("copyright"):
            yield "copyright notice"


def _concluded(licenses: object) -> bool:
    for item in _dicts(licenses):
        inner = item.get("license")
        acknowledged = (
            inner.get("acknowledgement") if isinstance(inner, dict) else item.get("acknowledgement")
        )
        if acknowledged == "concluded":
            return True
    return False


def _reachable(supplier: object) -> bool:
    if not isinstance(supplier, dict):
        return False
    if supplier.get("url"):
        return True
    return any(contact.get("email") for contact in _dicts(supplier.get("contact")))


def _author(metadata: Mapping[str, Any], *, needs_contact: bool) -> bool:
    tools = metadata.get("tools")
    tool_list = _dicts(tools.get("components")) if isinstance(tools, dict) else []
    if needs_contact:
        # The SPDX 3 document's creator is the organisation behind the tool (its supplier).
        return (
            any(a.get("email") for a in _dicts(metadata.get("authors")))
            or _reachable(metadata.get("supplier"))
            or any(_reachable(t.get("supplier")) for t in tool_list)
        )
    named_tools = any(t.get("name") for t in tool_list)
    return named_tools or any(a.get("name") for a in _dicts(metadata.get("authors")))


def _has_relationships(document: Mapping[str, Any]) -> bool:
    if any(d.get("dependsOn") for d in _dicts(document.get("dependencies"))):
        return True
    # A lone distribution is described by the document: its relationship is that one.
    metadata = document.get("metadata")
    return isinstance(metadata, dict) and isinstance(metadata.get("component"), dict)


def _has_component_relationships(document: Mapping[str, Any]) -> bool:
    """SPDX 3's reading: ``contains`` or ``dependsOn`` between two elements of the document."""
    if any(d.get("dependsOn") for d in _dicts(document.get("dependencies"))):
        return True
    metadata = document.get("metadata")
    root = metadata.get("component") if isinstance(metadata, dict) else None
    holders = ([root] if isinstance(root, dict) else []) + _dicts(document.get("components"))
    return any(_dicts(holder.get("components")) for holder in holders)


def _file_name(component: Mapping[str, Any]) -> bool:
    """Whether the component names its distribution file (the purl's ``file_name``)."""
    purl = str(component.get("purl") or "")
    return purl.startswith("pkg:pypi/") and bool(parse_qs(urlsplit(purl).query).get("file_name"))


def _components(document: Mapping[str, Any], *, formulation: bool = True) -> Iterator[dict[str, Any]]:
    metadata = document.get("metadata")
    roots: list[Any] = [metadata.get("component")] if isinstance(metadata, dict) else []
    roots += _dicts(document.get("components"))
    for formula in _dicts(document.get("formulation")) if formulation else []:
        roots += _dicts(formula.get("components"))
    pending = deque((item, 0) for item in roots if isinstance(item, dict))
    seen = 0
    while pending and seen < _MAX_COMPONENTS:
        component, depth = pending.popleft()
        seen += 1
        if component.get("type") != "file":
            yield component
        if depth < _MAX_DEPTH:
            pending.extend((child, depth + 1) for child in _dicts(component.get("components")))


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
