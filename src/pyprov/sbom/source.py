"""The SBOM of a source tree (or its tarball) that vendors code, from an SBOM of the vendored components.

The input is an SPDX 2.3 or CycloneDX JSON document listing vendored components and
their files with hashes, as CPython's ``Misc/sbom.spdx.json`` does. This module assembles
the CycloneDX document; :mod:`pyprov.sbom.vendored` checks every listed file against its
claimed hashes, and :func:`pyprov.sbom.spdx.render_source_spdx` writes the SPDX form. The
output lists each file with the hashes pyprov computed and says, per file, whether the
claim held. Input documents are untrusted: their size and number of entries are bounded,
paths in them never leave the source directory, and strings are checked before they
reach the output.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

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
from pyprov.errors import VerificationError
from pyprov.sbom.cyclonedx import DocumentParts, build_document, serial_number, timestamp_from
from pyprov.sbom.generate import OutputFormat
from pyprov.sbom.merge import MAX_FILES, VendoredComponent, read_vendored
from pyprov.sbom.model import SbomError
from pyprov.sbom.spdx import render_source_spdx
from pyprov.sbom.validation import SpecVersion, validate_cyclonedx
from pyprov.sbom.vendored import ALGORITHMS, FATAL, FileCheck, check_archive, check_file

# Algorithm names: SPDX spelling -> CycloneDX spelling -> hashlib name, hex length.
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar", ".zip")


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
        check_file(source, component.name, item) for component in components for item in component.files
    ]
    if artifact is not None and artifact.name.endswith(_ARCHIVE_SUFFIXES):
        checks.extend(check_archive(artifact, components))
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
    if output_format == "spdx3":
        raise SbomError(
            "source-tree SBOMs are CycloneDX or SPDX 2.3", hint="use --sbom-format spdx or cyclonedx"
        )
    if output_format == "spdx":
        content = render_source_spdx(document, name=artifact.name if artifact else root_name)
    else:
        content = (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    return SourceSbomResult(
        content=content, format=output_format, checks=tuple(checks), warnings=tuple(dict.fromkeys(warnings))
    )


# --- checking the files ------------------------------------------------------------------------


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
                    HashType(alg=ALGORITHMS[alg][2], content=value) for alg, value in sorted(computed.items())
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
                        HashType(alg=ALGORITHMS[alg][2], content=value)
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
