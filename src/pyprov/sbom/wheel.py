"""Wheels and sdists read defensively: size limits, no extraction, clear errors.

Nothing is ever extracted to disk: members are read into memory under per-member and
total limits, so hostile archives (``../`` names, zip bombs, truncated files) can only
produce an :class:`~pyprov.sbom.model.SbomError` or a warning.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import IO

from pyprov._internal import archives
from pyprov._internal.untrusted import UntrustedInputError, load_json
from pyprov.sbom.metadata import copyright_notices, parse_metadata
from pyprov.sbom.model import (
    Contents,
    Distribution,
    EmbeddedSbom,
    FileEntry,
    SbomError,
    SbomFormat,
    VendoredPackage,
)

MAX_MEMBERS = 200_000
MAX_MEMBER_BYTES = 64 << 20
"""Largest metadata/RECORD/SBOM member read into memory."""
MAX_TOTAL_BYTES = 8 << 30
"""Largest total (declared) uncompressed size of an archive."""
MAX_RATIO = 1000
"""Largest compression ratio of a member pyprov reads (zip bombs compress far better)."""
_CHUNK = 1 << 20
_PAIR = 2  # a top-level directory and a file in it
MAX_LICENSE_FILES = 32
MAX_LICENSE_BYTES = 1 << 20
"""Licence files are read for their copyright notices: at most this many, this large each."""
_LICENSE_NAME = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|COPYRIGHT|AUTHORS)([._-].*)?", re.IGNORECASE)
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, zlib.error, EOFError, OSError)


def check_member_name(name: str, archive: str) -> None:
    """Refuse the names an installer would write outside its target (:func:`archives.check_member_name`)."""
    try:
        archives.check_member_name(name)
    except archives.UnsafeArchiveError:
        raise SbomError(
            f"unsafe path in {archive}: {name!r}", hint="this archive must not be installed"
        ) from None


def read_wheel(path: Path, *, files: bool = False) -> Contents:
    """Read a wheel's metadata, RECORD, embedded SBOMs, vendored packages and grafted libraries."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_wheel(archive, path.name, files=files)
    except SbomError:
        raise
    except _ARCHIVE_ERRORS as error:
        raise SbomError(
            f"cannot read the wheel {path.name}: truncated or corrupt archive ({error})"
        ) from error


def _read_wheel(archive: zipfile.ZipFile, label: str, *, files: bool) -> Contents:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise SbomError(f"{label} has more than {MAX_MEMBERS} members")
    if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
        raise SbomError(f"{label} would unpack to more than {MAX_TOTAL_BYTES >> 30} GiB")
    for info in infos:
        check_member_name(info.filename, label)
    by_name = {info.filename: info for info in infos}
    dist_info = dist_info_directory(by_name, label)
    metadata = read_member(archive, by_name[f"{dist_info}/METADATA"], label)
    distribution, warnings = parse_metadata(metadata, f"{label}: {dist_info}/METADATA")
    record_info = by_name.get(f"{dist_info}/RECORD")
    record = (
        parse_record(read_member(archive, record_info, label), f"{label}: RECORD", warnings)
        if record_info
        else {}
    )
    if record_info is None:
        warnings.append(f"{label} has no {dist_info}/RECORD")
    sboms = tuple(
        embedded_sbom(name, read_member(archive, by_name[name], label), warnings)
        for name in sorted(by_name)
        if name.startswith(f"{dist_info}/sboms/") and not name.endswith("/")
    )
    libraries = tuple(
        FileEntry(path=name, sha256=_hash_member(archive, by_name[name], label), size=by_name[name].file_size)
        for name in sorted(by_name)
        if _is_grafted_library(name)
    )
    for library in libraries:
        declared = record.get(library.path)
        if declared and declared.sha256 and declared.sha256 != library.sha256:
            warnings.append(f"{label}: {library.path} does not match its RECORD hash")
    listed = tuple(record[name] for name in sorted(record)) if files else ()
    licence_files = [
        by_name[name]
        for name in sorted(by_name)
        if name.startswith(f"{dist_info}/") and _is_license_file(name[len(dist_info) + 1 :])
    ][:MAX_LICENSE_FILES]
    notices = [
        notice
        for info in licence_files
        if info.file_size <= MAX_LICENSE_BYTES
        for notice in copyright_notices(read_member(archive, info, label).decode("utf-8", errors="replace"))
    ]
    return Contents(
        distribution=with_notices(distribution, notices),
        files=listed,
        sboms=sboms,
        vendored=_vendored(archive, by_name, label, warnings),
        libraries=libraries,
        warnings=tuple(warnings),
    )


def dist_info_directory(names: dict[str, zipfile.ZipInfo] | set[str], label: str) -> str:
    """The one top-level ``*.dist-info`` directory holding ``METADATA``."""
    found = sorted(
        {
            name.split("/", 1)[0]
            for name in names
            if name.count("/") == 1
            and name.endswith("/METADATA")
            and name.split("/", 1)[0].endswith(".dist-info")
        }
    )
    if len(found) != 1:
        raise SbomError(f"{label} is not a wheel: expected one .dist-info/METADATA, found {len(found)}")
    return found[0]


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> bytes:
    """Read one member into memory, refusing members too large or compressed too well."""
    if info.file_size > MAX_MEMBER_BYTES:
        raise SbomError(f"{label}: {info.filename} is larger than {MAX_MEMBER_BYTES >> 20} MiB")
    if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise SbomError(
            f"{label}: {info.filename} looks like a zip bomb (compression ratio over {MAX_RATIO})"
        )
    with archive.open(info) as stream:
        data = stream.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise SbomError(f"{label}: {info.filename} is larger than {MAX_MEMBER_BYTES >> 20} MiB")
    return data


def _hash_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> str:
    if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise SbomError(
            f"{label}: {info.filename} looks like a zip bomb (compression ratio over {MAX_RATIO})"
        )
    digest = hashlib.sha256()
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def parse_record(data: bytes, where: str, warnings: list[str]) -> dict[str, FileEntry]:
    """Parse a RECORD file into entries with hex SHA-256 (other algorithms are left out)."""
    entries: dict[str, FileEntry] = {}
    text = data.decode("utf-8", errors="replace")
    for row in csv.reader(io.StringIO(text)):
        if not row or not row[0]:
            continue
        name, digest, size = [*row, "", ""][:3]
        sha256 = None
        algorithm, _, value = digest.partition("=")
        if algorithm == "sha256" and value:
            try:
                decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            except (binascii.Error, ValueError):
                decoded = b""
            if len(decoded) == hashlib.sha256().digest_size:
                sha256 = decoded.hex()
            else:  # not a SHA-256: the file is listed without a hash rather than with a wrong one
                warnings.append(f"{where}: bad hash for {name!r}")
        entries[name] = FileEntry(path=name, sha256=sha256, size=int(size) if size.isdigit() else None)
    return entries


def embedded_sbom(name: str, data: bytes, warnings: list[str]) -> EmbeddedSbom:
    """Parse a PEP 770 SBOM; a malformed one is kept (hash, error) with a warning."""
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        document = load_json(data, name)
    except UntrustedInputError as error:
        warnings.append(f"embedded SBOM {name} is not valid JSON ({error.reason}): listed, not merged")
        return EmbeddedSbom(
            path=name, sha256=sha256, format="unknown", error=f"not valid JSON: {error.reason}"
        )
    fmt: SbomFormat = "unknown"
    if isinstance(document, dict) and document.get("bomFormat") == "CycloneDX":
        fmt = "cyclonedx"
    elif isinstance(document, dict) and str(document.get("spdxVersion", "")).startswith("SPDX-2"):
        fmt = "spdx"
    if fmt == "unknown" or not isinstance(document, dict):
        warnings.append(f"embedded SBOM {name} is neither CycloneDX nor SPDX 2 JSON: listed, not merged")
        return EmbeddedSbom(path=name, sha256=sha256, format="unknown", error="not CycloneDX or SPDX 2 JSON")
    metadata = document.get("metadata")
    tools = json.dumps(metadata.get("tools", {})) if fmt == "cyclonedx" and isinstance(metadata, dict) else ""
    by_pyprov = name.endswith("/sboms/pyprov.cdx.json") and '"pyprov"' in tools
    return EmbeddedSbom(path=name, sha256=sha256, format=fmt, document=document, by_pyprov=by_pyprov)


def _is_grafted_library(name: str) -> bool:
    parts = name.split("/")
    return (
        len(parts) == _PAIR
        and parts[0].endswith(".libs")
        and bool(parts[1])
        and (".so" in parts[1] or parts[1].endswith((".dylib", ".dll")))
    )


def _vendored(
    archive: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], label: str, warnings: list[str]
) -> tuple[VendoredPackage, ...]:
    found: dict[tuple[str, str], VendoredPackage] = {}
    for name in sorted(by_name):
        parts = name.split("/")
        vendor_at = next((i for i, part in enumerate(parts[:-1]) if part in {"_vendor", "vendor"}), None)
        if vendor_at is None:
            continue
        location = "/".join(parts[: vendor_at + 1])
        tail = parts[vendor_at + 1 :]
        if len(tail) == _PAIR and tail[0].endswith(".dist-info") and tail[1] == "METADATA":
            data = read_member(archive, by_name[name], label)
            try:
                meta, more = parse_metadata(data, f"{label}: {name}")
            except SbomError as error:
                warnings.append(str(error))
                continue
            warnings.extend(more)
            found[(meta.name.lower(), location)] = VendoredPackage(
                name=meta.name,
                version=meta.version,
                location=location,
                metadata_sha256=hashlib.sha256(data).hexdigest(),
            )
        elif tail == ["vendor.txt"]:
            text = read_member(archive, by_name[name], label).decode("utf-8", errors="replace")
            for line in text.splitlines():
                spec = line.split("#", 1)[0].strip()
                if not spec:
                    continue
                package, _, version = spec.partition("==")
                key = (package.strip().lower(), location)
                found.setdefault(
                    key,
                    VendoredPackage(name=package.strip(), version=version.strip() or None, location=location),
                )
    return tuple(found[key] for key in sorted(found))


def read_sdist(path: Path, *, files: bool = False) -> Contents:
    """Read an sdist's ``PKG-INFO`` (and, with ``files``, hash every regular member)."""
    try:
        with tarfile.open(path, "r:*") as archive:
            return _read_sdist(archive, path.name, files=files)
    except SbomError:
        raise
    except _ARCHIVE_ERRORS as error:
        raise SbomError(
            f"cannot read the sdist {path.name}: truncated or corrupt archive ({error})"
        ) from error


def _read_sdist(archive: tarfile.TarFile, label: str, *, files: bool) -> Contents:
    metadata: bytes | None = None
    notices: list[str] = []
    licence_files = 0
    entries: list[FileEntry] = []
    members = archives.tar_members(archive, max_members=MAX_MEMBERS, max_unpacked=MAX_TOTAL_BYTES)
    try:
        for member in members:
            if not member.isfile():
                continue
            parts = PurePosixPath(member.name).parts
            if _is_pkg_info(member.name) and metadata is None:
                if member.size > MAX_MEMBER_BYTES:
                    raise SbomError(f"{label}: {member.name} is larger than {MAX_MEMBER_BYTES >> 20} MiB")
                metadata = _read_tar_member(archive, member)
                if files:
                    entries.append(
                        FileEntry(
                            path=member.name, sha256=hashlib.sha256(metadata).hexdigest(), size=member.size
                        )
                    )
            elif (
                len(parts) == _PAIR
                and _is_license_file(parts[1])
                and member.size <= MAX_LICENSE_BYTES
                and licence_files < MAX_LICENSE_FILES
            ):
                licence_files += 1
                data = _read_tar_member(archive, member)
                notices.extend(copyright_notices(data.decode("utf-8", errors="replace")))
                if files:
                    entries.append(
                        FileEntry(path=member.name, sha256=hashlib.sha256(data).hexdigest(), size=member.size)
                    )
            elif files:
                if not _is_utf8(member.name):
                    shown = member.name.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
                    raise SbomError(
                        f"{label}: member name '{shown}' is not UTF-8: it cannot be listed in an SBOM"
                    )
                stream = archive.extractfile(member)
                entries.append(FileEntry(path=member.name, sha256=_hash_stream(stream), size=member.size))
    except archives.UnsafeArchiveError as error:
        raise SbomError(f"{label}: {error}", hint="this archive must not be installed") from None
    if metadata is None:
        raise SbomError(f"{label} is not an sdist: no <name>-<version>/PKG-INFO")
    distribution, warnings = parse_metadata(metadata, f"{label}: PKG-INFO")
    return Contents(
        distribution=with_notices(distribution, notices),
        files=tuple(sorted(entries, key=lambda entry: entry.path)),
        warnings=tuple(warnings),
    )


def _is_utf8(name: str) -> bool:
    """Whether a member name decoded from the archive is UTF-8 (tarfile keeps other bytes as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_license_file(relative: str) -> bool:
    """A licence file of a wheel's ``.dist-info`` (PEP 639 ``licenses/`` or the top) or an sdist's top."""
    parts = relative.split("/")
    if parts[0] == "licenses" and len(parts) > 1:
        return not relative.endswith("/")
    return len(parts) == 1 and bool(_LICENSE_NAME.fullmatch(parts[0]))


def with_notices(distribution: Distribution, notices: Iterable[str]) -> Distribution:
    """The distribution with the copyright notices of its licence files added (each once, in order)."""
    merged = tuple(dict.fromkeys((*distribution.copyright, *notices)))
    return replace(distribution, copyright=merged) if merged != distribution.copyright else distribution


def _read_tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    stream = archive.extractfile(member)
    return stream.read(MAX_MEMBER_BYTES + 1) if stream else b""


def _hash_stream(stream: IO[bytes] | None) -> str:
    digest = hashlib.sha256()
    if stream is not None:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_metadata(path: Path) -> Distribution:
    """Only the core metadata of a wheel (``METADATA``) or an sdist (``PKG-INFO``).

    Nothing else is read: an sdist is read up to its ``PKG-INFO``, within the limits
    :func:`read_distribution` keeps. Raises :class:`SbomError` as it does.
    """
    label = path.name
    if not label.endswith((".whl", ".tar.gz", ".tgz")):
        raise SbomError(f"{label} is neither a wheel (.whl) nor an sdist (.tar.gz)")
    try:
        if label.endswith(".whl"):
            with zipfile.ZipFile(path) as archive:
                name, metadata = _wheel_metadata(archive, label)
        else:
            with tarfile.open(path, "r:*") as archive:
                name, metadata = _sdist_metadata(archive, label)
    except SbomError:
        raise
    except _ARCHIVE_ERRORS as error:
        raise SbomError(f"cannot read {label}: truncated or corrupt archive ({error})") from error
    return parse_metadata(metadata, f"{label}: {name}")[0]


def _wheel_metadata(archive: zipfile.ZipFile, label: str) -> tuple[str, bytes]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise SbomError(f"{label} has more than {MAX_MEMBERS} members")
    by_name = {info.filename: info for info in infos}
    name = f"{dist_info_directory(by_name, label)}/METADATA"
    return name, read_member(archive, by_name[name], label)


def _sdist_metadata(archive: tarfile.TarFile, label: str) -> tuple[str, bytes]:
    members = archives.tar_members(archive, max_members=MAX_MEMBERS, max_unpacked=MAX_TOTAL_BYTES)
    try:
        for member in members:
            if member.isfile() and _is_pkg_info(member.name):
                if member.size > MAX_MEMBER_BYTES:
                    raise SbomError(f"{label}: {member.name} is larger than {MAX_MEMBER_BYTES >> 20} MiB")
                return member.name, _read_tar_member(archive, member)
    except archives.UnsafeArchiveError as error:
        raise SbomError(f"{label}: {error}", hint="this archive must not be installed") from None
    raise SbomError(f"{label} is not an sdist: no <name>-<version>/PKG-INFO")


def _is_pkg_info(name: str) -> bool:
    """Whether a member is an sdist's ``<name>-<version>/PKG-INFO``."""
    parts = PurePosixPath(name).parts
    return len(parts) == _PAIR and parts[1] == "PKG-INFO"


def read_distribution(path: Path, *, files: bool = False) -> Contents:
    """Read a wheel (``.whl``) or an sdist (``.tar.gz``, ``.zip`` is refused) by its file name."""
    if path.name.endswith(".whl"):
        return read_wheel(path, files=files)
    if path.name.endswith((".tar.gz", ".tgz")):
        return read_sdist(path, files=files)
    raise SbomError(f"{path.name} is neither a wheel (.whl) nor an sdist (.tar.gz)")
