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
        sections=(
            Section("document", tuple(pairs(rows))),
            Section(
                f"packages: {len(listed)}",
                listed[:_MAX_LISTED]
                + (
                    (f"… {len(listed) - _MAX_LISTED} more (inspect --json lists them all)",)
                    if len(listed) > _MAX_LISTED
                    else ()
                ),
            ),
            Section(f"files: {len(files)}  relationships: {data['relationships']}"),
            Section(
                f"licenses: {len(licenses)}",
                tuple(f"{name} ({count})" for name, count in licenses.most_common()),
            ),
        ),
        data=data,
    )
