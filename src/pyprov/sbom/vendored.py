"""Checking vendored files against the hashes an SBOM of a source tree claims for them.

Every file a vendored component lists is hashed in the source directory (and inside the
artifact, when one is given) and compared with the claimed hashes. Paths never leave the
source directory; archives are read with bounded member counts.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Literal

from cyclonedx.model import HashAlgorithm

from pyprov._internal.untrusted import UntrustedInputError, open_untrusted
from pyprov.sbom.merge import VendoredComponent, VendoredFile
from pyprov.sbom.model import SbomError

MAX_ARCHIVE_MEMBERS = 200_000


FileStatus = Literal["verified", "mismatch", "missing", "unsafe-path", "unchecked"]


FATAL: frozenset[FileStatus] = frozenset({"mismatch", "missing", "unsafe-path"})
"""Statuses that ``strict`` turns into a :class:`~pyprov.errors.VerificationError`."""


ALGORITHMS = {
    "SHA-1": ("sha1", 40, HashAlgorithm.SHA_1),
    "SHA-256": ("sha256", 64, HashAlgorithm.SHA_256),
    "SHA-384": ("sha384", 96, HashAlgorithm.SHA_384),
    "SHA-512": ("sha512", 128, HashAlgorithm.SHA_512),
}


_COMPUTED = ("SHA-1", "SHA-256")
"""Always computed: SPDX 2.3 files need a SHA-1, and SHA-256 is what everyone checks."""


_CHUNK = 1 << 20


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


def _safe_path(text: str) -> PurePosixPath | None:
    if "\\" in text or "\0" in text:
        return None
    path = PurePosixPath(text)
    if path.is_absolute() or not path.parts or ".." in path.parts or ":" in path.parts[0]:
        return None
    return path


def _digests(stream: IO[bytes], algorithms: Iterable[str]) -> dict[str, str]:
    hashers = {name: hashlib.new(ALGORITHMS[name][0]) for name in algorithms}
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


def check_file(source: Path, component: str, item: VendoredFile) -> FileCheck:
    """Hash one vendored file in the source tree and compare it with what the input claims."""
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
    algorithms = dict.fromkeys([*_COMPUTED, *(name for name in item.claimed if name in ALGORITHMS)])
    try:
        # The path was resolved and checked above: a link swapped in since is refused (O_NOFOLLOW),
        # and a FIFO or device is refused before reading.
        with open_untrusted(Path(resolved), follow_symlinks=False) as stream:
            computed = _digests(stream, algorithms)
    except UntrustedInputError as error:
        return FileCheck(component=component, path=item.path, status="missing", detail=error.reason)
    return _compare(component, item, computed, "source")


def check_archive(artifact: Path, components: Sequence[VendoredComponent]) -> list[FileCheck]:
    """Hash every vendored file inside the artifact (tar or zip) and compare it with the claims."""
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
