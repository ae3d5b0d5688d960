"""Vendored components read from an SBOM (SPDX 2.x or CycloneDX JSON), as untrusted input.

What ``pyprov sbom --source DIR --merge SBOM`` merges: documents like CPython's
``Misc/sbom.spdx.json``, listing vendored components and their files with hashes. Size
and number of entries are bounded, strings are checked before they can reach an output
(bounded, no control characters), and hashes are kept only when they are hex of the
right length. Paths are kept as written; :mod:`pyprov.sbom.source` checks that they stay
inside the source tree before any file is opened.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyprov._internal.untrusted import UntrustedInputError, load_json, read_untrusted
from pyprov.sbom.model import SbomError

MAX_INPUT_BYTES = 32 << 20
"""Largest input document read (CPython's is about 100 KiB)."""
MAX_COMPONENTS = 10_000
MAX_FILES = 100_000
"""Most vendored files over all inputs."""
MAX_DEPTH = 16
MAX_TEXT = 4096
"""Longest string taken from an input (names, versions, URLs, paths)."""

HASH_LENGTHS = {"SHA-1": 40, "SHA-256": 64, "SHA-384": 96, "SHA-512": 128}
"""Algorithms read from inputs (CycloneDX spelling) and the length of their hex digests."""
_SPDX_NAMES = {"SHA1": "SHA-1", "SHA256": "SHA-256", "SHA384": "SHA-384", "SHA512": "SHA-512"}
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True, kw_only=True)
class VendoredFile:
    """A file an input document lists, with the hashes it claims (CycloneDX algorithm names)."""

    path: str
    """Relative POSIX path in the source tree, checked to stay inside it."""
    claimed: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class VendoredComponent:
    """A vendored component an input document lists."""

    name: str
    version: str | None = None
    purl: str | None = None
    cpe: str | None = None
    license: str | None = None
    """An SPDX license expression."""
    download_location: str | None = None
    download_hashes: Mapping[str, str] = field(default_factory=dict)
    """Hashes of the upstream archive (not of files here): kept, not checked."""
    supplier: str | None = None
    files: tuple[VendoredFile, ...] = ()
    input_name: str = ""
    """The file name of the document that listed it."""


def read_vendored(path: Path, warnings: list[str]) -> tuple[str, list[VendoredComponent]]:
    """The SHA-256 of the document at ``path`` and the components it lists; problems go to ``warnings``.

    Raises :class:`SbomError` for a document too large, not JSON, or of another kind.
    """
    try:
        data = read_untrusted(path, limit=MAX_INPUT_BYTES, what="an SBOM")
        document = load_json(data, path)
    except UntrustedInputError as error:
        raise SbomError(error.message) from error
    if not isinstance(document, dict):
        raise SbomError(f"{path} is not an SBOM: expected a JSON object")
    digest = hashlib.sha256(data).hexdigest()
    if str(document.get("spdxVersion", "")).startswith("SPDX-2."):
        return digest, _from_spdx(document, path.name, warnings)
    if document.get("bomFormat") == "CycloneDX":
        return digest, _from_cyclonedx(document, path.name, warnings)
    raise SbomError(
        f"{path} is neither SPDX 2.x nor CycloneDX JSON",
        hint="expected 'spdxVersion': 'SPDX-2.3' or 'bomFormat': 'CycloneDX'",
    )


def _text(value: object) -> str | None:
    """A string fit for the output, or ``None``: non-empty, bounded, no control characters."""
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):  # noqa: PLR2004 - C0 controls, DEL
        return None
    return value


def _objects(value: object, limit: int, what: str, source: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SbomError(f"{source}: '{what}' is not a list")
    if len(value) > limit:
        raise SbomError(f"{source}: more than {limit} entries in '{what}'")
    return [item for item in value if isinstance(item, dict)]


def _hash_value(algorithm: str, value: object) -> str | None:
    if algorithm not in HASH_LENGTHS or not isinstance(value, str):
        return None
    text = value.lower()
    return text if len(text) == HASH_LENGTHS[algorithm] and set(text) <= _HEX else None


def _spdx_checksums(entries: object, source: str) -> dict[str, str]:
    found = {}
    for entry in _objects(entries, 16, "checksums", source):
        algorithm = _SPDX_NAMES.get(str(entry.get("algorithm", "")))
        value = _hash_value(algorithm or "", entry.get("checksumValue"))
        if algorithm and value:
            found[algorithm] = value
    return found


def _from_spdx(document: dict[str, Any], source: str, warnings: list[str]) -> list[VendoredComponent]:
    files = {}
    for entry in _objects(document.get("files"), MAX_FILES, "files", source):
        identifier, path = _text(entry.get("SPDXID")), _text(entry.get("fileName"))
        if identifier and path:
            files[identifier] = VendoredFile(
                path=path.removeprefix("./"), claimed=_spdx_checksums(entry.get("checksums"), source)
            )
    contains: dict[str, list[str]] = {}
    for relation in _objects(document.get("relationships"), MAX_FILES * 2, "relationships", source):
        kind, left, right = (
            relation.get("relationshipType"),
            relation.get("spdxElementId"),
            relation.get("relatedSpdxElement"),
        )
        if not (isinstance(left, str) and isinstance(right, str)):
            continue
        if kind == "CONTAINS":
            contains.setdefault(left, []).append(right)
        elif kind == "CONTAINED_BY":
            contains.setdefault(right, []).append(left)
    components = []
    claimed_files: set[str] = set()
    for package in _objects(document.get("packages"), MAX_COMPONENTS, "packages", source):
        identifier, name = _text(package.get("SPDXID")), _text(package.get("name"))
        if not identifier or not name:
            warnings.append(f"{source}: a package without SPDXID or name was left out")
            continue
        members = [*contains.get(identifier, ()), *(package.get("hasFiles") or [])]
        package_files = tuple(
            files[ref] for ref in dict.fromkeys(members) if isinstance(ref, str) and ref in files
        )
        claimed_files.update(ref for ref in members if isinstance(ref, str))
        purl = cpe = None
        for reference in _objects(package.get("externalRefs"), 64, "externalRefs", source):
            kind, locator = reference.get("referenceType"), _text(reference.get("referenceLocator"))
            if kind == "purl" and locator and purl is None:
                purl = locator
            elif kind in ("cpe23Type", "cpe22Type") and locator and cpe is None:
                cpe = locator
        download = _text(package.get("downloadLocation"))
        components.append(
            VendoredComponent(
                name=name,
                version=_text(package.get("versionInfo")),
                purl=purl,
                cpe=cpe,
                license=_license(package.get("licenseConcluded")) or _license(package.get("licenseDeclared")),
                download_location=download if download not in ("NOASSERTION", "NONE") else None,
                download_hashes=_spdx_checksums(package.get("checksums"), source),
                supplier=_text(package.get("originator")) or _text(package.get("supplier")),
                files=package_files,
                input_name=source,
            )
        )
    loose = tuple(item for ref, item in files.items() if ref not in claimed_files)
    if loose:
        components.append(
            VendoredComponent(name=f"files of {source} without a package", files=loose, input_name=source)
        )
    return components


def _license(value: object) -> str | None:
    text = _text(value)
    return text if text and text not in ("NOASSERTION", "NONE") else None


def _from_cyclonedx(document: dict[str, Any], source: str, warnings: list[str]) -> list[VendoredComponent]:
    components: list[VendoredComponent] = []
    loose: list[VendoredFile] = []
    count = 0

    def files_of(items: Iterable[dict[str, Any]], depth: int) -> Iterator[VendoredFile]:
        nonlocal count
        for item in items:
            count += 1
            if count > MAX_FILES + MAX_COMPONENTS:
                raise SbomError(f"{source}: too many components")
            if item.get("type") == "file":
                path = _text(item.get("name"))
                if path:
                    yield VendoredFile(
                        path=path.removeprefix("./"), claimed=_cdx_hashes(item.get("hashes"), source)
                    )
            if depth < MAX_DEPTH:
                yield from files_of(
                    _objects(item.get("components"), MAX_FILES, "components", source), depth + 1
                )

    for item in _objects(document.get("components"), MAX_COMPONENTS, "components", source):
        if item.get("type") == "file":
            loose.extend(files_of([item], 1))
            continue
        name = _text(item.get("name"))
        if not name:
            warnings.append(f"{source}: a component without a name was left out")
            continue
        nested = _objects(item.get("components"), MAX_FILES, "components", source)
        components.append(
            VendoredComponent(
                name=name,
                version=_text(item.get("version")),
                purl=_text(item.get("purl")),
                cpe=_text(item.get("cpe")),
                license=_cdx_license(item.get("licenses")),
                download_location=_cdx_distribution(item.get("externalReferences")),
                files=tuple(files_of(nested, 1)),
                input_name=source,
            )
        )
    if loose:
        components.append(
            VendoredComponent(
                name=f"files of {source} without a component", files=tuple(loose), input_name=source
            )
        )
    return components


def _cdx_hashes(entries: object, source: str) -> dict[str, str]:
    found = {}
    for entry in _objects(entries, 16, "hashes", source):
        algorithm = str(entry.get("alg", ""))
        value = _hash_value(algorithm, entry.get("content"))
        if value:
            found[algorithm] = value
    return found


def _cdx_license(entries: object) -> str | None:
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict):
        return None
    entry = entries[0]
    if "expression" in entry:
        return _license(entry["expression"])
    inner = entry.get("license")
    return _license(inner.get("id")) if isinstance(inner, dict) else None


def _cdx_distribution(entries: object) -> str | None:
    if not isinstance(entries, list):
        return None
    for entry in entries[:64]:
        if isinstance(entry, dict) and entry.get("type") in ("distribution", "source-distribution", "vcs"):
            return _text(entry.get("url"))
    return None
