"""The SBOM of a source tree (or its tarball) that vendors code, from an SBOM of the vendored components.

The input is an SPDX 2.3 or CycloneDX JSON document listing vendored components and
their files with hashes, as CPython's ``Misc/sbom.spdx.json`` does. Every file it lists
is hashed in the source directory (and in the artifact, when one is given) and compared
with the hash the input claims; the output lists each file with the hashes pyprov
computed and says, per file, whether the claim held. Input documents are untrusted:
their size and number of entries are bounded, paths in them never leave the source
directory, and strings are checked before they reach the output.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tarfile
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.component import Component, ComponentType
from packageurl import PackageURL

from pyprov._internal.hashing import hash_file
from pyprov._internal.untrusted import UntrustedInputError, open_untrusted
from pyprov.errors import VerificationError
from pyprov.sbom.cyclonedx import DocumentParts, build_document, serial_number, timestamp_from
from pyprov.sbom.generate import OutputFormat
from pyprov.sbom.merge import MAX_FILES, VendoredComponent, VendoredFile, read_vendored
from pyprov.sbom.model import SbomError
from pyprov.sbom.spdx import spdx_id, to_spdx
from pyprov.sbom.validation import SpecVersion, validate_cyclonedx

MAX_ARCHIVE_MEMBERS = 200_000

FileStatus = Literal["verified", "mismatch", "missing", "unsafe-path", "unchecked"]
FATAL: frozenset[FileStatus] = frozenset({"mismatch", "missing", "unsafe-path"})
"""Statuses that ``strict`` turns into a :class:`~pyprov.errors.VerificationError`."""

# Algorithm names: SPDX spelling -> CycloneDX spelling -> hashlib name, hex length.
_ALGORITHMS = {
    "SHA-1": ("sha1", 40, HashAlgorithm.SHA_1),
    "SHA-256": ("sha256", 64, HashAlgorithm.SHA_256),
    "SHA-384": ("sha384", 96, HashAlgorithm.SHA_384),
    "SHA-512": ("sha512", 128, HashAlgorithm.SHA_512),
}
_COMPUTED = ("SHA-1", "SHA-256")
"""Always computed: SPDX 2.3 files need a SHA-1, and SHA-256 is what everyone checks."""
_CHUNK = 1 << 20
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar", ".zip")


@dataclass(frozen=True, slots=True, kw_only=True)
class FileCheck:
    """A vendored file compared with the hashes its input claims."""

    component: str
    path: str
    status: FileStatus
    location: Literal["source", "artifact"] = "source"
    computed: Mapping[str, str] = field(default_factory=dict)
    claimed: Mapping[str, str] = field(default_factory=dict)
    detail: str = ""

    def message(self) -> str:
        """One line for the user."""
        where = "in the artifact" if self.location == "artifact" else "in the source tree"
        return f"{self.component}: {self.path} {where}: {self.status}" + (
            f" ({self.detail})" if self.detail else ""
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceSbomResult:
    """A generated, validated SBOM, the check of every vendored file, and warnings."""

    content: bytes
    format: OutputFormat
    checks: tuple[FileCheck, ...]
    warnings: tuple[str, ...] = ()

    @property
    def problems(self) -> tuple[FileCheck, ...]:
        """Checks that failed: mismatched, missing, or unsafe paths."""
        return tuple(check for check in self.checks if check.status in FATAL)


def source_sbom(
    source: Path,
    merge: Sequence[Path],
    *,
    artifact: Path | None = None,
    name: str | None = None,
    version: str | None = None,
    spec: SpecVersion = "1.6",
    output_format: OutputFormat = "cyclonedx",
    strict: bool = False,
    source_date_epoch: int | None = None,
    now: datetime | None = None,
) -> SourceSbomResult:
    """The SBOM of the source tree ``source`` (or its tarball ``artifact``) with the components of ``merge``.

    ``merge`` are SPDX 2.3 or CycloneDX JSON documents of vendored components. Each
    file they list is hashed in ``source`` (and in ``artifact`` when it is an archive)
    and compared with the claimed hashes: mismatches are warnings in the result and
    ``pyprov:vendored:check`` properties in the document; with ``strict`` they raise
    :class:`~pyprov.errors.VerificationError` (naming every one) and nothing is returned.
    Raises :class:`~pyprov.sbom.model.SbomError` for unusable input.
    """
    if not source.is_dir():
        raise SbomError(f"{source} is not a directory", hint="--source names the source tree")
    if not merge:
        raise SbomError("no SBOM to merge", hint="give the vendored components' SBOM with --merge")
    if artifact is not None and not artifact.is_file():
        raise SbomError(f"{artifact} is not a file")
    warnings: list[str] = []
    inputs = [read_vendored(path, warnings) for path in merge]
    components = [component for _, parsed in inputs for component in parsed]
    if sum(len(component.files) for component in components) > MAX_FILES:
        raise SbomError(f"the input SBOMs list more than {MAX_FILES} files")
    checks = [
        _check_file(source, component.name, item) for component in components for item in component.files
    ]
    if artifact is not None and artifact.name.endswith(_ARCHIVE_SUFFIXES):
        checks.extend(_check_archive(artifact, components))
    warnings.extend(check.message() for check in checks if check.status != "verified")
    if strict:
        problems = [check for check in checks if check.status in FATAL]
        if problems:
            raise VerificationError(
                f"{len(problems)} vendored file(s) do not match their SBOM: "
                + "; ".join(check.message() for check in problems),
                hint="update the vendored files or the SBOM (like CPython's `make regen-sbom`)",
            )
    digests = hash_file(artifact) if artifact is not None else None
    root_name, root_version = _root_name(name, version, artifact, source)
    input_digest = hashlib.sha256(b"".join(digest.encode() for digest, _ in inputs)).hexdigest()
    parts = _document_parts(
        components,
        checks,
        root_name=root_name,
        root_version=root_version,
        artifact=artifact,
        digests=digests,
        spec=spec,
        serial=serial_number(digests.sha256 if digests else input_digest),
        timestamp=timestamp_from(source_date_epoch, now or datetime.now(timezone.utc)),
        warnings=warnings,
    )
    document = build_document(parts)
    validate_cyclonedx(document, spec)
    if output_format == "spdx":
        content = _render_spdx(document, name=artifact.name if artifact else root_name)
    else:
        content = (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    return SourceSbomResult(
        content=content, format=output_format, checks=tuple(checks), warnings=tuple(dict.fromkeys(warnings))
    )


# --- checking the files ------------------------------------------------------------------------


def _safe_path(text: str) -> PurePosixPath | None:
    if "\\" in text or "\0" in text:
        return None
    path = PurePosixPath(text)
    if path.is_absolute() or not path.parts or ".." in path.parts or ":" in path.parts[0]:
        return None
    return path


def _digests(stream: IO[bytes], algorithms: Iterable[str]) -> dict[str, str]:
    hashers = {name: hashlib.new(_ALGORITHMS[name][0]) for name in algorithms}
    while chunk := stream.read(_CHUNK):
        for hasher in hashers.values():
            hasher.update(chunk)
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}


def _compare(
    component: str, item: VendoredFile, computed: dict[str, str], location: Literal["source", "artifact"]
) -> FileCheck:
    common = [name for name in item.claimed if name in computed]
    if not common:
        return FileCheck(
            component=component,
            path=item.path,
            status="unchecked",
            location=location,
            computed=computed,
            detail="the input claims no SHA-1/SHA-256/SHA-384/SHA-512 for it",
        )
    wrong = [name for name in common if item.claimed[name] != computed[name]]
    if wrong:
        detail = ", ".join(
            f"{name} claimed {item.claimed[name][:16]}…, found {computed[name][:16]}…" for name in wrong
        )
        return FileCheck(
            component=component,
            path=item.path,
            status="mismatch",
            location=location,
            computed=computed,
            claimed=item.claimed,
            detail=detail,
        )
    return FileCheck(
        component=component,
        path=item.path,
        status="verified",
        location=location,
        computed=computed,
        claimed=item.claimed,
    )


def _check_file(source: Path, component: str, item: VendoredFile) -> FileCheck:
    relative = _safe_path(item.path)
    root = os.path.realpath(source)
    if relative is None:
        return FileCheck(
            component=component, path=item.path, status="unsafe-path", detail="absolute, '..' or backslash"
        )
    resolved = os.path.realpath(Path(root).joinpath(*relative.parts))
    if os.path.commonpath([root, resolved]) != root:
        return FileCheck(
            component=component, path=item.path, status="unsafe-path", detail="leaves the source tree"
        )
    if not os.path.lexists(resolved):
        return FileCheck(component=component, path=item.path, status="missing", claimed=item.claimed)
    algorithms = dict.fromkeys([*_COMPUTED, *(name for name in item.claimed if name in _ALGORITHMS)])
    try:
        # The path was resolved and checked above: a link swapped in since is refused (O_NOFOLLOW),
        # and a FIFO or device is refused before reading.
        with open_untrusted(Path(resolved), follow_symlinks=False) as stream:
            computed = _digests(stream, algorithms)
    except UntrustedInputError as error:
        return FileCheck(component=component, path=item.path, status="missing", detail=error.reason)
    return _compare(component, item, computed, "source")


def _check_archive(artifact: Path, components: Sequence[VendoredComponent]) -> list[FileCheck]:
    """Compare each vendored file with its copy in the archive (under the archive's single top directory)."""
    wanted: dict[str, list[tuple[str, VendoredFile]]] = {}
    for vendored in components:
        for item in vendored.files:
            if _safe_path(item.path) is not None:
                wanted.setdefault(item.path, []).append((vendored.name, item))
    found = _archive_digests(artifact, set(wanted))
    checks = []
    for path, owners in sorted(wanted.items()):
        for component, item in owners:
            if path not in found:
                checks.append(
                    FileCheck(
                        component=component,
                        path=path,
                        status="missing",
                        location="artifact",
                        claimed=item.claimed,
                    )
                )
            else:
                checks.append(_compare(component, item, found[path], "artifact"))
    return checks


def _archive_digests(artifact: Path, wanted: set[str]) -> dict[str, dict[str, str]]:
    """Digests of the archive members whose path below the top directory is in ``wanted``."""
    algorithms = (*_COMPUTED, "SHA-384", "SHA-512")
    found: dict[str, dict[str, str]] = {}
    try:
        if artifact.name.endswith(".zip"):
            with zipfile.ZipFile(artifact) as archive:
                infos = archive.infolist()[:MAX_ARCHIVE_MEMBERS]
                for info in infos:
                    relative = _below_top(info.filename)
                    if relative in wanted and not info.is_dir():
                        with archive.open(info) as stream:
                            found[relative] = _digests(stream, algorithms)
            return found
        with tarfile.open(artifact, "r:*") as archive:
            for count, member in enumerate(archive):
                if count > MAX_ARCHIVE_MEMBERS:
                    raise SbomError(f"{artifact.name} has more than {MAX_ARCHIVE_MEMBERS} members")
                relative = _below_top(member.name)
                if relative in wanted and member.isfile():
                    member_stream = archive.extractfile(member)
                    if member_stream is not None:
                        found[relative] = _digests(member_stream, algorithms)
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError) as error:
        raise SbomError(f"cannot read the archive {artifact}: {error}") from error
    return found


def _below_top(name: str) -> str:
    parts = PurePosixPath(name).parts
    return "/".join(parts[1:]) if len(parts) > 1 else ""


# --- the output ---------------------------------------------------------------------------------


def _root_name(
    name: str | None, version: str | None, artifact: Path | None, source: Path
) -> tuple[str, str | None]:
    if name:
        return name, version
    if artifact is not None:
        stem = artifact.name
        for suffix in _ARCHIVE_SUFFIXES:
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        base, dash, tail = stem.rpartition("-")
        if dash and base and tail[:1].isdigit():
            return base, version or tail
        return stem, version
    return source.absolute().name, version


def _document_parts(
    components: Sequence[VendoredComponent],
    checks: Sequence[FileCheck],
    *,
    root_name: str,
    root_version: str | None,
    artifact: Path | None,
    digests: Any,  # noqa: ANN401 - Digests | None
    spec: SpecVersion,
    serial: uuid.UUID,
    timestamp: datetime,
    warnings: Sequence[str],
) -> DocumentParts:
    root_ref = f"pyprov:source:{root_name}" + (f"@{root_version}" if root_version else "")
    root_hashes = []
    if digests is not None:
        root_hashes = [
            HashType(alg=HashAlgorithm.SHA_256, content=digests.sha256),
            HashType(alg=HashAlgorithm.SHA_512, content=digests.sha512),
        ]
    properties = [Property(name="pyprov:source:artifact", value=artifact.name)] if artifact else []
    root = Component(
        type=ComponentType.APPLICATION,
        name=root_name,
        version=root_version,
        bom_ref=root_ref,
        hashes=root_hashes,
        properties=properties,
    )
    by_file: dict[tuple[str, str], list[FileCheck]] = {}
    for check in checks:
        by_file.setdefault((check.component, check.path), []).append(check)
    built = [
        _component(component, f"{root_ref}#vendored-{index}", by_file)
        for index, component in enumerate(components)
    ]
    return DocumentParts(
        spec=spec,
        serial=serial,
        timestamp=timestamp,
        tool_version="",
        root=root,
        components=built,
        dependencies={root_ref: [str(c.bom_ref.value) for c in built]},
        build_lifecycle=False,
        warnings=warnings,
    )


def _component(
    component: VendoredComponent, ref: str, by_file: Mapping[tuple[str, str], list[FileCheck]]
) -> Component:
    from cyclonedx.contrib.license.factories import LicenseFactory  # noqa: PLC0415

    statuses: dict[str, int] = {}
    nested = []
    for index, item in enumerate(component.files):
        item_checks = by_file.get((component.name, item.path), [])
        source_check = next((c for c in item_checks if c.location == "source"), None)
        computed = source_check.computed if source_check and source_check.computed else item.claimed
        properties = []
        for check in item_checks:
            statuses[check.status] = statuses.get(check.status, 0) + 1
            name = "pyprov:vendored:check" if check.location == "source" else "pyprov:vendored:check:artifact"
            properties.append(Property(name=name, value=check.status))
            if check.status == "mismatch":
                properties.extend(
                    Property(name=f"pyprov:vendored:claimed:{alg}", value=value)
                    for alg, value in sorted(check.claimed.items())
                )
        nested.append(
            Component(
                type=ComponentType.FILE,
                name=item.path,
                bom_ref=f"{ref}#file-{index}",
                hashes=[
                    HashType(alg=_ALGORITHMS[alg][2], content=value)
                    for alg, value in sorted(computed.items())
                ],
                properties=properties,
            )
        )
    purl = None
    if component.purl:
        try:
            purl = PackageURL.from_string(component.purl)
        except ValueError:
            purl = None
    references = []
    if component.download_location:
        with contextlib.suppress(ValueError):  # not a URL: left out
            references.append(
                ExternalReference(
                    type=ExternalReferenceType.DISTRIBUTION,
                    url=XsUri(component.download_location),
                    hashes=[
                        HashType(alg=_ALGORITHMS[alg][2], content=value)
                        for alg, value in sorted(component.download_hashes.items())
                    ],
                    comment="the upstream archive the vendored files came from",
                )
            )
    licenses = []
    if component.license:
        try:
            licenses = [LicenseFactory().make_from_string(component.license)]
        except ValueError:
            licenses = []
    properties = [Property(name="pyprov:vendored:input", value=component.input_name)]
    properties.extend(
        Property(name=f"pyprov:vendored:files:{status}", value=str(count))
        for status, count in sorted(statuses.items())
    )
    if component.supplier:
        properties.append(Property(name="pyprov:vendored:originator", value=component.supplier))
    return Component(
        type=ComponentType.LIBRARY,
        name=component.name,
        version=component.version,
        bom_ref=ref,
        purl=purl,
        cpe=component.cpe,
        licenses=licenses,
        external_references=references,
        properties=properties,
        components=nested,
    )


def _render_spdx(document: dict[str, Any], *, name: str) -> bytes:
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
        if h["alg"] in _ALGORITHMS
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
