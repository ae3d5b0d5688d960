"""SBOMs for people: CycloneDX (counts, licenses, bundled content, build environment) and SPDX."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from pyprov.inspect.model import Inspection, Section, as_list, as_object, pairs
from pyprov.sbom import SPEC_VERSIONS, SbomError, summarize, validate_cyclonedx

_MAX_LISTED = 40
"""Packages listed for people; ``--json`` has them all."""


def inspect_cyclonedx(data: bytes, document: dict[str, Any]) -> Inspection:
    """A CycloneDX JSON document, valid against the schema of its ``specVersion``.

    Raises :class:`~pyprov.sbom.SbomError` for anything else, saying where it is invalid.
    """
    declared = document.get("specVersion")
    spec = next((version for version in SPEC_VERSIONS if version == declared), None)
    if spec is None:
        raise SbomError(
            f"unsupported CycloneDX version {declared!r}: pyprov reads {', '.join(SPEC_VERSIONS)}"
        )
    validate_cyclonedx(document, spec)
    summary = summarize(data)
    total = sum(count for _, count in summary.components)
    head = [f"CycloneDX {summary.spec_version}"]
    if summary.subject_sha256:
        head.append(f"sha256:{summary.subject_sha256}")
    sections = [
        Section(f"components: {total}", tuple(f"{kind}: {count}" for kind, count in summary.components)),
        Section(f"declared requirements: {len(summary.requirements)}", summary.requirements),
        Section(
            f"licenses: {len(summary.licenses)}",
            tuple(f"{name} ({count})" for name, count in summary.licenses),
        ),
        Section(
            f"bundled content: {len(summary.bundled)}",
            tuple(
                f"{name} ({count} components inside)" if count else name for name, count in summary.bundled
            ),
        ),
        Section(
            f"build environment: {len(summary.build_environment)} distributions",
            (*summary.build_environment, *(f"step: {step}" for step in summary.build_steps)),
        ),
    ]
    if summary.warnings:
        sections.append(Section(f"warnings: {len(summary.warnings)}", summary.warnings))
    subject = summary.subject or "(no subject: an environment)"
    return Inspection(
        kind="CycloneDX SBOM",
        title=f"{subject}  ({', '.join(head)})",
        sections=tuple(sections),
        data=dataclasses.asdict(summary),
    )


def inspect_spdx(document: dict[str, Any]) -> Inspection:
    """An SPDX 2 JSON document: its name, creation and packages."""
    packages = [as_object(item) for item in as_list(document.get("packages"))]
    files = as_list(document.get("files"))
    creation = as_object(document.get("creationInfo"))
    licenses = Counter(
        str(item.get("licenseConcluded") or item.get("licenseDeclared"))
        for item in packages
        if item.get("licenseConcluded") or item.get("licenseDeclared")
    )
    listed = tuple(f"{item.get('name')} {item.get('versionInfo') or ''}".strip() for item in packages)
    data: dict[str, Any] = {
        "spdx_version": str(document.get("spdxVersion")),
        "name": str(document.get("name")),
        "created": str(creation.get("created")),
        "creators": [str(item) for item in as_list(creation.get("creators"))],
        "packages": list(listed),
        "files": len(files),
        "relationships": len(as_list(document.get("relationships"))),
        "licenses": dict(licenses),
    }
    rows = [("created", data["created"]), ("creators", ", ".join(data["creators"]) or "none")]
    return Inspection(
        kind="SPDX SBOM",
        title=f"{data['name']}  ({data['spdx_version']})",
        sections=_spdx_sections(rows, listed, len(files), data["relationships"], "licenses", licenses),
        data=data,
    )


SPDX3_CONTEXT_PREFIX = "https://spdx.org/rdf/3."
"""SPDX 3 JSON-LD names its context ``https://spdx.org/rdf/3.0.1/spdx-context.jsonld``."""


def is_spdx3(document: dict[str, Any]) -> bool:
    """Whether ``document`` is SPDX 3 JSON-LD (by its ``@context``)."""
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    return any(isinstance(item, str) and item.startswith(SPDX3_CONTEXT_PREFIX) for item in contexts)


def inspect_spdx3(document: dict[str, Any]) -> Inspection:
    """An SPDX 3 JSON-LD document: its name, SBOM type, creation, packages and concluded licences."""
    graph = [as_object(item) for item in as_list(document.get("@graph"))]
    by_id = {str(item.get("spdxId") or item.get("@id")): item for item in graph}
    of_type: dict[str, list[dict[str, Any]]] = {}
    for item in graph:
        of_type.setdefault(str(item.get("type")), []).append(item)
    spdx_document = (of_type.get("SpdxDocument") or [{}])[0]
    creation = as_object(by_id.get(str(spdx_document.get("creationInfo")), {}))
    creators = [
        str(as_object(by_id.get(str(agent), {})).get("name") or agent)
        for agent in as_list(creation.get("createdBy")) + as_list(creation.get("createdUsing"))
    ]
    sbom_types = [
        str(kind)
        for sbom in of_type.get("software_Sbom", [])
        for kind in as_list(sbom.get("software_sbomType"))
    ]
    packages = of_type.get("software_Package", [])
    listed = tuple(
        f"{item.get('name')} {item.get('software_packageVersion') or ''}".strip() for item in packages
    )
    relationships = of_type.get("Relationship", []) + of_type.get("LifecycleScopedRelationship", [])
    licenses = Counter(
        str(as_object(by_id.get(str(target), {})).get("simplelicensing_licenseExpression") or target)
        for item in relationships
        if item.get("relationshipType") == "hasConcludedLicense"
        for target in as_list(item.get("to"))
    )
    data: dict[str, Any] = {
        "spdx_version": str(creation.get("specVersion")),
        "name": str(spdx_document.get("name")),
        "sbom_types": sbom_types,
        "created": str(creation.get("created")),
        "creators": creators,
        "packages": list(listed),
        "files": len(of_type.get("software_File", [])),
        "relationships": len(relationships),
        "licenses": dict(licenses),
    }
    rows = [
        ("SBOM type", ", ".join(sbom_types) or "none"),
        ("created", data["created"]),
        ("creators", ", ".join(creators) or "none"),
    ]
    return Inspection(
        kind="SPDX SBOM",
        title=f"{data['name']}  (SPDX {data['spdx_version']})",
        sections=_spdx_sections(
            rows, listed, data["files"], data["relationships"], "concluded licenses", licenses
        ),
        data=data,
    )


def _spdx_sections(
    rows: list[tuple[str, str]],
    listed: tuple[str, ...],
    files: int,
    relationships: int,
    licence_title: str,
    licenses: Counter[str],
) -> tuple[Section, ...]:
    """The sections of an SPDX document (2.3 or 3): document, packages, counts, licences."""
    more = (f"… {len(listed) - _MAX_LISTED} more (inspect --json lists them all)",)
    return (
        Section("document", tuple(pairs(rows))),
        Section(
            f"packages: {len(listed)}", listed[:_MAX_LISTED] + (more if len(listed) > _MAX_LISTED else ())
        ),
        Section(f"files: {files}  relationships: {relationships}"),
        Section(
            f"{licence_title}: {len(licenses)}",
            tuple(f"{name} ({count})" for name, count in licenses.most_common()),
        ),
    )
