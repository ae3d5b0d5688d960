"""SPDX 2.3 JSON with the same facts as pyprov's CycloneDX document, converted from it.

Packages for the subject, bundled content, and the build environment; the subject's
declared requirements (ranges) in its comment; relationships ``DESCRIBES``,
``DEPENDS_ON``, ``CONTAINS``, ``BUILD_DEPENDENCY_OF`` and ``GENERATED_FROM``. Files are
not listed (SPDX 2.3 wants a SHA-1 for every file, which RECORD does not give). purls are written with the
``PACKAGE-MANAGER`` category, as the SPDX 2.3 JSON schema spells it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from pyprov.sbom.model import REQUIRES_DIST
from pyprov.sbom.vendored import ALGORITHMS

_ALGORITHMS = {
    "SHA-1": "SHA1",
    "SHA-256": "SHA256",
    "SHA-384": "SHA384",
    "SHA-512": "SHA512",
    "MD5": "MD5",
    "SHA3-256": "SHA3-256",
    "SHA3-384": "SHA3-384",
    "SHA3-512": "SHA3-512",
    "BLAKE2b-256": "BLAKE2b-256",
    "BLAKE2b-384": "BLAKE2b-384",
    "BLAKE2b-512": "BLAKE2b-512",
    "BLAKE3": "BLAKE3",
}
_PURPOSES = {
    "application": "APPLICATION",
    "framework": "FRAMEWORK",
    "library": "LIBRARY",
    "file": "FILE",
    "container": "CONTAINER",
    "operating-system": "OPERATING-SYSTEM",
    "device": "DEVICE",
    "firmware": "FIRMWARE",
    "platform": "OTHER",
    "data": "OTHER",
}


def spdx_id(bom_ref: str) -> str:
    """A stable SPDX identifier for a CycloneDX bom-ref."""
    return "SPDXRef-" + hashlib.sha256(bom_ref.encode()).hexdigest()[:24]


def to_spdx(cyclonedx: dict[str, Any], *, name: str) -> dict[str, Any]:
    """Convert a pyprov CycloneDX document (JSON) to an SPDX 2.3 document (JSON)."""
    metadata = cyclonedx.get("metadata", {})
    root = metadata.get("component")
    packages: dict[str, dict[str, Any]] = {}
    relationships: set[tuple[str, str, str]] = set()
    for component, parent in _walk(root, cyclonedx.get("components", [])):
        if component.get("type") == "file" and (parent or root) is not None:
            # --sbom-files entries and embedded SBOM files: SPDX files need SHA-1 (see the
            # module docstring), and a file is no versioned package. What an embedded SBOM
            # describes is contained in the distribution that holds the file.
            continue
        packages[component["bom-ref"]] = _package(component)
        if parent is not None:
            relationships.add((spdx_id(parent["bom-ref"]), "CONTAINS", spdx_id(component["bom-ref"])))
    top = [root["bom-ref"]] if root else [c["bom-ref"] for c in cyclonedx.get("components", [])]
    relationships.update(("SPDXRef-DOCUMENT", "DESCRIBES", spdx_id(ref)) for ref in top)
    for dependency in cyclonedx.get("dependencies", []):
        for target in dependency.get("dependsOn", []):
            if dependency["ref"] in packages and target in packages:
                relationships.add((spdx_id(dependency["ref"]), "DEPENDS_ON", spdx_id(target)))
    for formula in cyclonedx.get("formulation", []):
        for component in formula.get("components", []):
            packages[component["bom-ref"]] = _package(component)
            if root is None:
                continue
            kind = "GENERATED_FROM" if component.get("type") == "file" else "BUILD_DEPENDENCY_OF"
            pair = (spdx_id(root["bom-ref"]), spdx_id(component["bom-ref"]))
            relationships.add(
                (pair[0], kind, pair[1]) if kind == "GENERATED_FROM" else (pair[1], kind, pair[0])
            )
    serial = str(
        cyclonedx.get(
            "serialNumber",
            "urn:uuid:" + hashlib.sha256(json.dumps(cyclonedx, sort_keys=True).encode()).hexdigest()[:32],
        )
    ).rsplit(":", 1)[-1]
    timestamp = str(metadata.get("timestamp") or "1970-01-01T00:00:00Z")
    tools = metadata.get("tools", {}).get("components", [])
    creators = [f"Tool: {tool.get('name')}-{tool.get('version')}" for tool in tools] or ["Tool: pyprov"]
    document: dict[str, Any] = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": f"https://spdx.org/spdxdocs/pyprov/{_safe(name)}-{serial}",
        "creationInfo": {
            "created": _spdx_time(timestamp),
            "creators": creators,
            "comment": f"SBOM type: {_sbom_type(metadata)}",
        },
        "packages": sorted(packages.values(), key=lambda p: p["SPDXID"]),
        "relationships": [
            {"spdxElementId": a, "relationshipType": kind, "relatedSpdxElement": b}
            for a, kind, b in sorted(relationships)
        ],
    }
    warnings = [p["value"] for p in metadata.get("properties", []) if p.get("name") == "pyprov:warning"]
    if warnings:
        document["comment"] = "pyprov warnings: " + "; ".join(warnings)
    return document


def _sbom_type(metadata: dict[str, Any]) -> str:
    """CISA's SBOM type, from CycloneDX lifecycles (SPDX 2.3 has no field: the creator comment says it)."""
    phases = {str(item.get("phase")) for item in metadata.get("lifecycles", []) if isinstance(item, dict)}
    for phase, name in (("build", "Build"), ("operations", "Deployed"), ("post-build", "Analyzed")):
        if phase in phases:
            return name
    return "Analyzed"


def _walk(
    root: dict[str, Any] | None, components: list[dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    pending: list[tuple[dict[str, Any], dict[str, Any] | None]] = [(c, None) for c in components]
    if root:
        pending.append((root, None))
    while pending:
        component, parent = pending.pop()
        yield component, parent
        holder = (parent or root) if component.get("type") == "file" else component
        pending.extend((child, holder) for child in component.get("components", []))


def _package(component: dict[str, Any]) -> dict[str, Any]:
    package: dict[str, Any] = {
        "SPDXID": spdx_id(component["bom-ref"]),
        "name": component.get("name") or "unnamed",
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": _PURPOSES.get(str(component.get("type")), "OTHER"),
    }
    if component.get("version"):
        package["versionInfo"] = component["version"]
    supplier = _supplier(component.get("supplier"))
    if supplier:
        package["supplier"] = supplier
    if component.get("copyright"):
        package["copyrightText"] = component["copyright"]
    if component.get("description"):
        package["summary"] = component["description"]
    checksums = [
        {"algorithm": _ALGORITHMS[h["alg"]], "checksumValue": h["content"]}
        for h in component.get("hashes", [])
        if h.get("alg") in _ALGORITHMS
    ]
    if checksums:
        package["checksums"] = checksums
    if component.get("purl"):
        package["externalRefs"] = [
            {
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": component["purl"],
            }
        ]
    declared, comment = _licenses(component.get("licenses", []))
    package["licenseDeclared"] = declared
    # The concluded licence is pyprov's conclusion: the declared one when it is an SPDX
    # expression (PEP 639 or an exact identifier); a free-text name concludes nothing.
    package["licenseConcluded"] = declared
    if comment:
        package["licenseComments"] = comment
    requires = [p["value"] for p in component.get("properties", []) if p.get("name") == REQUIRES_DIST]
    if requires:
        package["comment"] = "Requires-Dist (declared ranges, resolved at install time): " + "; ".join(
            requires
        )
    return package


def _supplier(entity: object) -> str | None:
    """SPDX ``supplier``: ``Organization: NAME (EMAIL)`` for the index, ``Person: ...`` for metadata names.

    Core metadata does not say whether an author is a person or an organisation; SPDX
    makes us choose, and ``Author`` is a person's field.
    """
    if not isinstance(entity, dict) or not entity.get("name"):
        return None
    name = _spdx_name(str(entity["name"]))
    contacts = entity.get("contact") or []
    email = next((c.get("email") for c in contacts if isinstance(c, dict) and c.get("email")), None)
    kind = "Person" if contacts else "Organization"
    return f"{kind}: {name} ({_spdx_name(str(email))})" if email else f"{kind}: {name}"


def _spdx_name(text: str) -> str:
    """Names in SPDX agent strings may not hold the parentheses that delimit the e-mail."""
    return " ".join(text.replace("(", "[").replace(")", "]").split())[:300]


def _licenses(licenses: list[dict[str, Any]]) -> tuple[str, str | None]:
    ids, names = [], []
    for item in licenses:
        if "expression" in item:
            expression = str(item["expression"])
            if "LicenseRef-" in expression or "DocumentRef-" in expression:
                return "NOASSERTION", f"declared: {expression}"
            return expression, None
        inner = item.get("license", {})
        if inner.get("id"):
            ids.append(inner["id"])
        elif inner.get("name"):
            names.append(inner["name"])
    ids, names = list(dict.fromkeys(ids)), list(dict.fromkeys(names))  # declared and concluded
    if len(ids) == 1 and not names:
        return ids[0], None
    if ids or names:
        return "NOASSERTION", "declared: " + ", ".join(ids + names)
    return "NOASSERTION", None


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-._" else "-" for ch in name)


def _spdx_time(timestamp: str) -> str:
    """SPDX wants ``YYYY-MM-DDThh:mm:ssZ``."""
    from datetime import datetime, timezone  # noqa: PLC0415

    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_spdx(cyclonedx: dict[str, Any], *, name: str) -> bytes:
    """The SPDX 2.3 JSON bytes (sorted keys, deterministic)."""
    return (
        json.dumps(to_spdx(cyclonedx, name=name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    ).encode()


def render_source_spdx(document: dict[str, Any], *, name: str) -> bytes:
    """SPDX 2.3: packages from pyprov's converter, plus the vendored files (SHA-1, SHA-256) and CPEs."""
    stripped = json.loads(json.dumps(document))
    nested: list[tuple[str, dict[str, Any]]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for component in stripped.get("components", []):
        package_id = spdx_id(component["bom-ref"])
        by_id[package_id] = component
        nested.extend((package_id, item) for item in component.pop("components", []))
    spdx = to_spdx(stripped, name=name)
    for package in spdx["packages"]:
        component = by_id.get(package["SPDXID"])
        if component is not None:
            _add_package_facts(package, component)
    files: list[dict[str, Any]] = []
    sha1s: dict[str, list[str]] = {}
    for package_id, item in nested:
        entry = _spdx_file(item)
        if entry is None:
            continue  # SPDX 2.3 requires a SHA-1 for every file; the warnings say why it is missing
        files.append(entry)
        spdx["relationships"].append(
            {
                "spdxElementId": package_id,
                "relationshipType": "CONTAINS",
                "relatedSpdxElement": entry["SPDXID"],
            }
        )
        sha1 = next(c["checksumValue"] for c in entry["checksums"] if c["algorithm"] == "SHA1")
        sha1s.setdefault(package_id, []).append(sha1)
    # A package that CONTAINS files must say its files were analysed, with the verification
    # code over their SHA-1s (SPDX 2.3 section 7.9): exactly the files listed for it.
    for package in spdx["packages"]:
        if package["SPDXID"] in sha1s:
            package["filesAnalyzed"] = True
            joined = "".join(sorted(sha1s[package["SPDXID"]])).encode()
            code = hashlib.sha1(joined, usedforsecurity=False).hexdigest()
            package["packageVerificationCode"] = {"packageVerificationCodeValue": code}
    spdx["files"] = sorted(files, key=lambda entry: entry["fileName"])
    spdx["relationships"] = sorted(
        spdx["relationships"],
        key=lambda r: (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]),
    )
    return (json.dumps(spdx, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _add_package_facts(package: dict[str, Any], component: Mapping[str, Any]) -> None:
    """What the generic converter leaves out: the CPE and the download location."""
    if component.get("cpe"):
        package.setdefault("externalRefs", []).append(
            {
                "referenceCategory": "SECURITY",
                "referenceType": "cpe23Type",
                "referenceLocator": component["cpe"],
            }
        )
    for reference in component.get("externalReferences", []):
        if reference.get("type") == "distribution":
            package["downloadLocation"] = reference["url"]


def _spdx_file(item: Mapping[str, Any]) -> dict[str, Any] | None:
    checksums = [
        {"algorithm": h["alg"].replace("-", ""), "checksumValue": h["content"]}
        for h in item.get("hashes", [])
        if h["alg"] in ALGORITHMS
    ]
    if not any(c["algorithm"] == "SHA1" for c in checksums):
        return None
    entry: dict[str, Any] = {
        "SPDXID": spdx_id(item["bom-ref"]),
        "fileName": "./" + item["name"],
        "checksums": checksums,
    }
    notes = [f"{p['name']}={p['value']}" for p in item.get("properties", [])]
    if notes:
        entry["comment"] = "; ".join(notes)
    return entry
