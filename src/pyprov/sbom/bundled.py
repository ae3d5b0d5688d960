"""Bundled content as CycloneDX components: PEP 770 SBOMs, vendored packages, grafted libraries."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.spdx import fixup_id
from packageurl import PackageURL

from pyprov.sbom.cyclonedx import entity, supplier_json
from pyprov.sbom.model import Contents, EmbeddedSbom, FileEntry
from pyprov.sbom.purl import normalise, pypi_purl

MAX_BUNDLED_COMPONENTS = 20_000
"""Most components merged from one embedded SBOM; the rest are left out with a warning."""
MAX_DEPTH = 16
_MAX_PURL = 2000
_COMPONENT_TYPES = frozenset(
    {
        "application",
        "framework",
        "library",
        "container",
        "platform",
        "operating-system",
        "device",
        "device-driver",
        "firmware",
        "file",
        "machine-learning-model",
        "data",
    }
)
"""Component types of every CycloneDX version pyprov writes (1.5 to 1.7)."""
_HASH_LENGTHS = {
    "MD5": 32,
    "SHA-1": 40,
    "SHA-256": 64,
    "SHA-384": 96,
    "SHA-512": 128,
    "SHA3-256": 64,
    "SHA3-384": 96,
    "SHA3-512": 128,
    "BLAKE2b-256": 64,
    "BLAKE2b-384": 96,
    "BLAKE2b-512": 128,
    "BLAKE3": 64,
}
_SPDX_ALGORITHMS = {
    "SHA1": "SHA-1",
    "SHA256": "SHA-256",
    "SHA384": "SHA-384",
    "SHA512": "SHA-512",
    "MD5": "MD5",
    "SHA3-256": "SHA3-256",
    "SHA3-512": "SHA3-512",
    "BLAKE2b-256": "BLAKE2b-256",
}


Grafts = dict[str, list[dict[str, Any]]]
"""bom-ref of a component -> JSON components to nest in it once the document is serialised."""


def bundled_components(
    contents: Contents, prefix: str, warnings: list[str], grafts: Grafts
) -> list[Component]:
    """Components for what a distribution bundles, with bom-refs under ``prefix``.

    What embedded SBOMs describe is added to ``grafts`` rather than built as library
    objects: converting thousands of foreign components through cyclonedx-python-lib's
    sorted sets costs seconds, while their JSON is checked field by field here and
    validated with the whole document.
    """
    # A bundled copy's supplier is the one its own SBOM names, else the distribution that ships it.
    bundler = supplier_json(contents.distribution)
    found = [embedded_sbom_component(sbom, prefix, warnings, grafts, bundler) for sbom in contents.sboms]
    for package in contents.vendored:
        properties = [Property(name="pyprov:vendored:location", value=package.location)]
        if package.metadata_sha256:
            properties.append(Property(name="pyprov:vendored:metadata-sha256", value=package.metadata_sha256))
        found.append(
            Component(
                type=ComponentType.LIBRARY,
                name=package.name,
                version=package.version,
                purl=PackageURL.from_string(pypi_purl(package.name, package.version)),
                bom_ref=f"{prefix}:vendored:{package.location}:{normalise(package.name)}",
                properties=properties,
                supplier=entity(bundler),
            )
        )
    found.extend(
        file_component(library, f"{prefix}:grafted", supplier=bundler) for library in contents.libraries
    )
    return found


def file_component(
    entry: FileEntry,
    prefix: str,
    kind: ComponentType = ComponentType.LIBRARY,
    *,
    supplier: dict[str, Any] | None = None,
) -> Component:
    """A file of a distribution, hashed (``supplier``: the distribution's, JSON form)."""
    return Component(
        type=kind,
        supplier=entity(supplier) if supplier else None,
        name=entry.path.rsplit("/", 1)[-1],
        bom_ref=f"{prefix}:{entry.path}",
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=entry.sha256)] if entry.sha256 else None,
        properties=[Property(name="pyprov:file:path", value=entry.path)],
    )


def embedded_sbom_component(
    sbom: EmbeddedSbom, prefix: str, warnings: list[str], grafts: Grafts, bundler: dict[str, Any]
) -> Component:
    """A file component for one embedded SBOM, whose nested components are what it describes."""
    properties = [Property(name="pyprov:sbom:format", value=sbom.format)]
    if sbom.error:
        properties.append(Property(name="pyprov:sbom:error", value=sbom.error))
    if sbom.by_pyprov:
        properties.append(Property(name="pyprov:sbom:merged", value="false (written by pyprov --embed-sbom)"))
    ref = f"{prefix}:sbom:{sbom.path}"
    nested: list[dict[str, Any]] = []
    if sbom.document is not None and not sbom.by_pyprov:
        items = _cyclonedx_items(sbom.document) if sbom.format == "cyclonedx" else _spdx_items(sbom.document)
        budget = [MAX_BUNDLED_COMPONENTS]
        for index, item in enumerate(items):
            converted = _component(item, f"{ref}#{index}", budget, 0, bundler)
            if converted is not None:
                nested.append(converted)
        if budget[0] <= 0:
            warnings.append(
                f"embedded SBOM {sbom.path}: more than {MAX_BUNDLED_COMPONENTS} components, rest left out"
            )
    if nested:
        grafts[ref] = nested
    return Component(
        type=ComponentType.FILE,
        name=sbom.path.rsplit("/", 1)[-1],
        bom_ref=ref,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=sbom.sha256)],
        supplier=entity(bundler),
        properties=[Property(name="pyprov:file:path", value=sbom.path), *properties],
    )


def _cyclonedx_items(document: Mapping[str, Any]) -> list[Any]:
    metadata = document.get("metadata")
    items: list[Any] = []
    if isinstance(metadata, dict) and isinstance(metadata.get("component"), dict):
        items.append(metadata["component"])
    components = document.get("components")
    if isinstance(components, list):
        items.extend(components)
    return items


def _spdx_items(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    packages = document.get("packages")
    for package in packages if isinstance(packages, list) else []:
        if not isinstance(package, dict):
            continue
        purl = next(
            (
                ref.get("referenceLocator")
                for ref in package.get("externalRefs") or []
                if isinstance(ref, dict) and ref.get("referenceType") == "purl"
            ),
            None,
        )
        hashes = [
            {"alg": _SPDX_ALGORITHMS.get(str(c.get("algorithm")), ""), "content": c.get("checksumValue")}
            for c in package.get("checksums") or []
            if isinstance(c, dict)
        ]
        declared = package.get("licenseDeclared")
        licenses = (
            [{"expression": declared}]
            if isinstance(declared, str) and declared not in {"NOASSERTION", "NONE"}
            else []
        )
        yield {
            "type": "library",
            "name": package.get("name"),
            "version": package.get("versionInfo"),
            "purl": purl,
            "hashes": hashes,
            "licenses": licenses,
        }


def _component(
    item: object, ref: str, budget: list[int], depth: int, bundler: dict[str, Any]
) -> dict[str, Any] | None:
    """Convert one foreign component defensively to CycloneDX JSON: only checked fields are kept.

    Foreign components are grafted into the serialised document as JSON (see
    :class:`~pyprov.sbom.cyclonedx.DocumentParts`), then validated with the whole.
    """
    if not isinstance(item, dict) or budget[0] <= 0 or depth > MAX_DEPTH:
        return None
    budget[0] -= 1
    kind = item.get("type")
    converted: dict[str, Any] = {
        "type": kind if kind in _COMPONENT_TYPES else "library",
        "bom-ref": ref,
        "name": _text(item.get("name"), 500) or "unnamed",
    }
    for key, limit in (("version", 200), ("group", 500), ("description", 2000)):
        value = item.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value:
            converted[key] = _text(value, limit)
    purl = _purl(item.get("purl"))
    if purl:
        converted["purl"] = purl
    hashes = _hashes(item.get("hashes"))
    if hashes:
        converted["hashes"] = hashes
    converted["supplier"] = _supplier(item.get("supplier")) or bundler
    licenses = _licenses(item.get("licenses"))
    if licenses:
        converted["licenses"] = licenses
    listed = item.get("components")
    children: list[Any] = listed if isinstance(listed, list) else []
    nested = [
        c
        for i, child in enumerate(children)
        if (c := _component(child, f"{ref}.{i}", budget, depth + 1, bundler))
    ]
    if nested:
        converted["components"] = nested
    return converted


def _supplier(value: object) -> dict[str, Any] | None:
    """A foreign supplier, by name only (its other fields are not checked)."""
    if isinstance(value, dict) and isinstance(value.get("name"), str) and value["name"].strip():
        return {"name": value["name"].strip()[:500]}
    return None


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _purl(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > _MAX_PURL:
        return None
    try:
        return str(PackageURL.from_string(value))
    except ValueError:
        return None


def _hashes(value: object) -> list[dict[str, str]]:
    found = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("content"), str):
            continue
        algorithm, content = item.get("alg"), item["content"].lower()
        if algorithm in _HASH_LENGTHS and re.fullmatch(f"[0-9a-f]{{{_HASH_LENGTHS[algorithm]}}}", content):
            found.append({"alg": str(algorithm), "content": content})
    return found


def _licenses(value: object) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("expression"), str) and item["expression"]:
            return [{"expression": item["expression"][:1000]}]  # an expression stands alone
        inner = item.get("license")
        if isinstance(inner, dict):
            spdx = fixup_id(inner["id"]) if isinstance(inner.get("id"), str) else None
            name = inner.get("name") if isinstance(inner.get("name"), str) else inner.get("id")
            if spdx:
                found.append({"license": {"id": spdx}})
            elif isinstance(name, str) and name:
                found.append({"license": {"name": name[:500]}})
    return found
