"""Reading wheels (zip) and sdists (tar.gz) member by member, defensively and in constant memory.

Nothing is extracted: each member is hashed as it streams past. Every archive is hostile:
absolute or ``..`` names, duplicate names, device files, more than ``MAX_MEMBERS`` members,
more than ``MAX_UNPACKED`` bytes in all, or a member that expands more than
``MAX_RATIO`` times (a zip bomb) are refused with :class:`ArchiveError`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Literal

MAX_MEMBERS = 100_000
MAX_UNPACKED = 4 << 30  # bytes, all members together
MAX_RATIO = 200  # uncompressed / compressed size of one zip member above 1 MiB
MAX_TEXT = 1 << 20  # members larger than this are not diffed line by line
_CHUNK = 1 << 20
_GZIP_HEADER = 10  # bytes before the optional fields

ArchiveFormat = Literal["zip", "tar.gz"]
MemberKind = Literal["file", "directory", "symlink", "hardlink"]


class ArchiveError(ValueError):
    """An archive cannot be read safely, or is not an archive."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """One member of an archive: what it holds (``sha256``) and its archive metadata."""

    name: str
    kind: MemberKind
    size: int
    sha256: str
    """Of the content; for a link, of its target."""
    mode: int
    """Permission bits (``0o644``); 0 when the archive does not say."""
    mtime: int
    """Seconds since the epoch (zip times are read as UTC)."""
    compression: str
    """Zip: the compression method; tar: the format (``pax``, ``gnu``, ``ustar``)."""
    owner: str = ""
    """Tar only: ``uid:gid uname:gname``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """Every member of an archive in archive order, with the archive's own digest and header."""

    path: Path
    format: ArchiveFormat
    sha256: str
    size: int
    members: tuple[Member, ...]
    """Empty when only the archive's digest was read (:func:`read_listing` without ``members``)."""
    header: str = ""
    """tar.gz: the gzip header (mtime, original name); zip: the archive comment."""

    def by_name(self) -> dict[str, Member]:
        """The members keyed by name."""
        return {member.name: member for member in self.members}


def archive_format(path: Path) -> ArchiveFormat:
    """``zip`` for a wheel (or zip), ``tar.gz`` for an sdist; :class:`ArchiveError` otherwise."""
    name = path.name.lower()
    if name.endswith((".whl", ".zip")):
        return "zip"
    if name.endswith((".tar.gz", ".tgz")):
        return "tar.gz"
    raise ArchiveError(f"{path.name} is neither a wheel (.whl) nor an sdist (.tar.gz)")


def file_sha256(path: Path) -> str:
    """SHA-256 of the file at ``path``, read in 1 MiB chunks."""
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def read_listing(path: Path, *, members: bool = True) -> Listing:
    """Hash the archive at ``path`` and, with ``members``, every member in it.

    Raises :class:`ArchiveError` or ``OSError``.
    """
    kind = archive_format(path)
    if not path.is_file():
        raise ArchiveError(f"{path} is not a regular file")
    digest, size = file_sha256(path), path.stat().st_size
    shallow = Listing(path=path, format=kind, sha256=digest, size=size, members=())
    return with_members(shallow) if members else shallow


def with_members(listing: Listing) -> Listing:
    """``listing`` with every member read and hashed; raises :class:`ArchiveError` or ``OSError``."""
    if listing.format == "zip":
        found, header = _zip_members(listing.path)
    else:
        found, header = _tar_members(listing.path)
    return dataclasses.replace(listing, members=found, header=header)


def read_text(path: Path, name: str) -> str | None:
    """The member ``name`` as UTF-8 text, or ``None`` when it is larger than ``MAX_TEXT`` or binary."""
    with _open_member(path, name) as stream:
        if stream is None:
            return None
        data = stream.read(MAX_TEXT + 1)
    if len(data) > MAX_TEXT or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _check_name(name: str, seen: set[str]) -> str:
    clean = name.rstrip("/")
    path = PurePosixPath(clean)
    if not clean or path.is_absolute() or ".." in path.parts or "\\" in name or "\0" in name:
        raise ArchiveError(f"unsafe member name in archive: {name!r}")
    if clean in seen:
        raise ArchiveError(f"duplicate member in archive: {name!r}")
    seen.add(clean)
    if len(seen) > MAX_MEMBERS:
        raise ArchiveError(f"archive has more than {MAX_MEMBERS} members")
    return clean


def _hash_stream(stream: IO[bytes], limit: int) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise ArchiveError("archive expands to more than its stated size or the size limit")
        sha.update(chunk)
    return sha.hexdigest(), size


def _zip_members(path: Path) -> tuple[tuple[Member, ...], str]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError) as error:
        raise ArchiveError(f"{path.name} is not a valid zip archive: {error}") from error
    members: list[Member] = []
    seen: set[str] = set()
    total = 0
    with archive:
        for info in archive.infolist():
            name = _check_name(info.filename, seen)
            total += info.file_size
            if total > MAX_UNPACKED:
                raise ArchiveError(f"{path.name} expands to more than {MAX_UNPACKED >> 30} GiB")
            if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ArchiveError(f"{path.name}: member {name!r} expands {info.file_size} bytes (zip bomb?)")
            unix = info.external_attr >> 16
            kind: MemberKind = "directory" if info.is_dir() else "symlink" if stat.S_ISLNK(unix) else "file"
            try:
                with archive.open(info) as stream:
                    sha, size = _hash_stream(stream, info.file_size)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
                raise ArchiveError(f"{path.name}: cannot read member {name!r}: {error}") from error
            members.append(
                Member(
                    name=name,
                    kind=kind,
                    size=size,
                    sha256=sha,
                    mode=stat.S_IMODE(unix),
                    mtime=_zip_time(info.date_time),
                    compression=_ZIP_METHODS.get(info.compress_type, str(info.compress_type)),
                )
            )
        comment = archive.comment.decode("utf-8", "replace")
    return tuple(members), comment


_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}


def _zip_time(date_time: tuple[int, int, int, int, int, int]) -> int:
    import calendar  # noqa: PLC0415

    try:
        return calendar.timegm((*date_time, 0, 0, 0))
    except (ValueError, OverflowError):
        return 0


def _tar_members(path: Path) -> tuple[tuple[Member, ...], str]:
    header = _gzip_header(path)
    members: list[Member] = []
    seen: set[str] = set()
    total = 0
    try:
        with tarfile.open(path, "r:gz") as archive:
            for info in archive:
                name = _check_name(info.name, seen)
                total += info.size
                if total > MAX_UNPACKED:
                    raise ArchiveError(f"{path.name} expands to more than {MAX_UNPACKED >> 30} GiB")
                kind: MemberKind
                if info.isfile():
                    kind = "file"
                    stream = archive.extractfile(info)
                    if stream is None:  # pragma: no cover - a regular file always has a stream
                        raise ArchiveError(f"{path.name}: cannot read member {name!r}")
                    with stream:
                        sha, size = _hash_stream(stream, info.size)
                elif info.isdir():
                    kind, sha, size = "directory", hashlib.sha256().hexdigest(), 0
                elif info.issym() or info.islnk():
                    # A link is compared by its target; it is never followed.
                    kind = "symlink" if info.issym() else "hardlink"
                    sha, size = hashlib.sha256(info.linkname.encode()).hexdigest(), 0
                else:
                    raise ArchiveError(f"{path.name}: unsupported member type: {name!r}")
                members.append(
                    Member(
                        name=name,
                        kind=kind,
                        size=size,
                        sha256=sha,
                        mode=info.mode & 0o7777,
                        mtime=int(info.mtime),
                        compression=_tar_format(info),
                        owner=f"{info.uid}:{info.gid} {info.uname}:{info.gname}",
                    )
                )
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        if isinstance(error, ArchiveError):
            raise
        raise ArchiveError(f"{path.name} is not a valid tar.gz archive: {error}") from error
    return tuple(members), header


def _tar_format(info: tarfile.TarInfo) -> str:
    if info.pax_headers:
        return "pax"
    return "gnu" if info.type in (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK) else "ustar"


def _gzip_header(path: Path) -> str:
    """The gzip header's varying fields: mtime and the original file name."""
    with path.open("rb") as stream:
        head = stream.read(_GZIP_HEADER)
        if len(head) < _GZIP_HEADER or head[:2] != b"\x1f\x8b":
            raise ArchiveError(f"{path.name} is not gzip-compressed")
        mtime = int.from_bytes(head[4:8], "little")
        name = b""
        if head[3] & 0x08:  # FNAME, possibly after FEXTRA
            if head[3] & 0x04:
                stream.read(int.from_bytes(stream.read(2), "little"))
            name = stream.read(256).split(b"\0", 1)[0]
    return f"mtime={mtime} name={name.decode('latin-1')!r} xfl={head[8]} os={head[9]}"


@contextmanager
def _open_member(path: Path, name: str) -> Iterator[IO[bytes] | None]:
    if archive_format(path) == "zip":
        with zipfile.ZipFile(path) as archive:
            try:
                info = archive.getinfo(name)
            except KeyError:
                yield None
                return
            with archive.open(info) as stream:
                yield stream
    else:
        with tarfile.open(path, "r:gz") as tar:
            try:
                member = tar.getmember(name)
            except KeyError:
                yield None
                return
            yield tar.extractfile(member) if member.isfile() else None
