"""Reading wheels (zip) and sdists (tar.gz) member by member, defensively and in constant memory.

Nothing is extracted: each member is hashed as it streams past. A zip member's content need not
be read at all when its compressed bytes are compared with another archive's
(:func:`same_zip_data`): the same method and the same compressed bytes inflate to the same content.
Every archive is hostile:
absolute or ``..`` names, duplicate names, device files, more than ``MAX_MEMBERS`` members,
more than ``MAX_UNPACKED`` bytes in all, or a member that expands more than
``MAX_RATIO`` times (a zip bomb) are refused with :class:`ArchiveError`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Literal

from pyprov._internal import archives

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
    sha256: str | None
    """Of the content; for a link, of its target. ``None`` when the content was not read: the
    member was listed without it (``content=False``), or it is a zip member whose compressed bytes
    are the same as those of the member it was compared with (:func:`same_zip_data`)."""
    mode: int
    """Permission bits (``0o644``); 0 when the archive does not say."""
    mtime: int
    """Seconds since the epoch (zip times are read as UTC)."""
    compression: str
    """Zip: the compression method; tar: the format (``pax``, ``gnu``, ``ustar``)."""
    owner: str = ""
    """Tar only: ``uid:gid uname:gname``."""
    crc32: int = 0
    """Zip only: the CRC-32 of the content, as the central directory declares it."""
    compressed_size: int = 0
    """Zip only: the size of the compressed data, as the central directory declares it."""
    offset: int = 0
    """Zip only: where the member's local header starts in the archive."""


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


def read_listing(path: Path, *, members: bool = True, content: bool = True) -> Listing:
    """Hash the archive at ``path`` and, with ``members``, list every member in it.

    With ``content`` every member's content is hashed too; without it ``Member.sha256`` is
    ``None`` (a zip member is then listed from the central directory alone, a tar member
    is still streamed past). Raises :class:`ArchiveError` or ``OSError``.
    """
    kind = archive_format(path)
    if not path.is_file():
        raise ArchiveError(f"{path} is not a regular file")
    digest, size = file_sha256(path), path.stat().st_size
    shallow = Listing(path=path, format=kind, sha256=digest, size=size, members=())
    return with_members(shallow, content=content) if members else shallow


def with_members(listing: Listing, *, content: bool = True) -> Listing:
    """``listing`` with every member listed and, with ``content``, hashed.

    Raises :class:`ArchiveError` or ``OSError``.
    """
    if listing.format == "zip":
        found, header = _zip_members(listing.path, content=content)
    else:
        found, header = _tar_members(listing.path, content=content)
    return dataclasses.replace(listing, members=found, header=header)


def with_content(listing: Listing, names: Collection[str]) -> Listing:
    """``listing`` with the content of the members ``names`` hashed where it was not yet.

    Raises :class:`ArchiveError` or ``OSError``.
    """
    wanted = {name for name in names if (m := listing.by_name().get(name)) is not None and m.sha256 is None}
    if not wanted:
        return listing
    if listing.format == "tar.gz":
        hashed = {m.name: m for m in _tar_members(listing.path, content=True)[0] if m.name in wanted}
    else:
        hashed = _zip_content(listing.path, [m for m in listing.members if m.name in wanted])
    return dataclasses.replace(listing, members=tuple(hashed.get(m.name, m) for m in listing.members))


def read_zip_pair(left: Path, right: Path) -> tuple[Listing, Listing, frozenset[str]]:
    """List two zip archives and find the members that hold the same compressed bytes.

    Returns both listings (every member listed from the central directory, ``sha256``
    ``None``) and the names of the members with the same method, CRC-32, sizes and
    compressed bytes in both: the same content, decided without inflating either. Each
    archive is read once: its SHA-256 is computed in the same pass, so this costs about
    what hashing both files costs. Each local header compared is checked against the
    central directory (the member's name) and its data must lie inside the archive.

    Raises :class:`ArchiveError` or ``OSError``.
    """
    for path in (left, right):
        if archive_format(path) != "zip" or not path.is_file():
            raise ArchiveError(f"{path} is not a regular zip file")
    ours, remark = _zip_members(left, content=False)
    theirs, comment = _zip_members(right, content=False)
    by_name = {member.name: member for member in theirs}
    pairs = sorted(
        ((a, b) for a in ours if (b := by_name.get(a.name)) is not None and _same_facts(a, b)),
        key=lambda pair: pair[0].offset,
    )
    same: set[str] = set()
    later: list[tuple[Member, Member]] = []
    with left.open("rb") as one, right.open("rb") as other:
        first, second = _HashingReader(one, left), _HashingReader(other, right)
        for a, b in pairs:
            if a.offset < first.position or b.offset < second.position:
                later.append((a, b))  # another member order: compared below, with seeks
                continue
            first.skip_to(a.offset)
            second.skip_to(b.offset)
            first.skip_to(_data_start(first, a))
            second.skip_to(_data_start(second, b))
            if _same_bytes(first, second, a.compressed_size):
                same.add(a.name)
        first.skip_to(first.size)
        second.skip_to(second.size)
        digests = first.hexdigest(), second.hexdigest()
        for a, b in later:
            one.seek(a.offset)
            other.seek(b.offset)
            one.seek(_data_start(_Reader(one, left), a))
            other.seek(_data_start(_Reader(other, right), b))
            if _same_bytes(_Reader(one, left), _Reader(other, right), a.compressed_size):
                same.add(a.name)
    listings = (
        Listing(path=left, format="zip", sha256=digests[0], size=first.size, members=ours, header=remark),
        Listing(
            path=right, format="zip", sha256=digests[1], size=second.size, members=theirs, header=comment
        ),
    )
    return (*listings, frozenset(same))


def _same_facts(a: Member, b: Member) -> bool:
    return (a.kind, a.compression, a.crc32, a.size, a.compressed_size) == (
        b.kind,
        b.compression,
        b.crc32,
        b.size,
        b.compressed_size,
    )


class _Reader:
    """Reads exactly the bytes asked for from an archive, or raises :class:`ArchiveError`."""

    def __init__(self, stream: BinaryIO, path: Path) -> None:
        self.stream, self.path = stream, path
        self.size = os.fstat(stream.fileno()).st_size

    def read(self, count: int) -> bytes:
        data = self.stream.read(count)
        if len(data) != count:
            raise ArchiveError(f"{self.path.name} ends early (it changed while being read?)")
        return data


class _HashingReader(_Reader):
    """Reads an archive forward only, hashing every byte read or skipped."""

    def __init__(self, stream: BinaryIO, path: Path) -> None:
        super().__init__(stream, path)
        self.position = 0
        self._sha = hashlib.sha256()

    def read(self, count: int) -> bytes:
        data = super().read(count)
        self._sha.update(data)
        self.position += count
        return data

    def skip_to(self, offset: int) -> None:
        if offset > self.size:
            raise ArchiveError(f"{self.path.name}: a member starts or ends outside the archive")
        while self.position < offset:
            self.read(min(offset - self.position, _CHUNK))

    def hexdigest(self) -> str:
        if self.stream.read(1):
            raise ArchiveError(f"{self.path.name} grew while being read")
        return self._sha.hexdigest()


def _same_bytes(one: _Reader, other: _Reader, size: int) -> bool:
    """Whether the next ``size`` bytes of both are the same; reads all of them either way."""
    same = True
    while size:
        step = min(size, _CHUNK)
        same = (one.read(step) == other.read(step)) and same
        size -= step
    return same


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
    try:
        clean = archives.check_member_name(name)
    except archives.UnsafeArchiveError as error:
        raise ArchiveError(str(error)) from None
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


def _zip_members(path: Path, *, content: bool) -> tuple[tuple[Member, ...], str]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError) as error:
        raise ArchiveError(f"{path.name} is not a valid zip archive: {error}") from error
    members: list[Member] = []
    seen: set[str] = set()
    total = stored = 0
    with archive:
        for info in archive.infolist():
            name = _check_name(info.filename, seen)
            total += info.file_size
            stored += info.compress_size
            if total > MAX_UNPACKED:
                raise ArchiveError(f"{path.name} expands to more than {MAX_UNPACKED >> 30} GiB")
            if stored > archive.start_dir:
                # Members that do not overlap hold at most the bytes before the central directory.
                raise ArchiveError(f"{path.name}: members declare more compressed bytes than the archive has")
            if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ArchiveError(f"{path.name}: member {name!r} expands {info.file_size} bytes (zip bomb?)")
            if info.flag_bits & _ENCRYPTED:
                raise ArchiveError(f"{path.name}: cannot read member {name!r}: it is encrypted")
            if info.compress_type not in _ZIP_METHODS:
                raise ArchiveError(
                    f"{path.name}: cannot read member {name!r}: compression method {info.compress_type}"
                )
            unix = info.external_attr >> 16
            kind: MemberKind = "directory" if info.is_dir() else "symlink" if stat.S_ISLNK(unix) else "file"
            member = Member(
                name=name,
                kind=kind,
                size=info.file_size,
                sha256=None,
                mode=stat.S_IMODE(unix),
                mtime=_zip_time(info.date_time),
                compression=_ZIP_METHODS[info.compress_type],
                crc32=info.CRC,
                compressed_size=info.compress_size,
                offset=info.header_offset,
            )
            members.append(_zip_hashed(path, archive, member) if content else member)
        comment = archive.comment.decode("utf-8", "replace")
    return tuple(members), comment


def _zip_content(path: Path, members: list[Member]) -> dict[str, Member]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError) as error:
        raise ArchiveError(f"{path.name} is not a valid zip archive: {error}") from error
    with archive:
        return {member.name: _zip_hashed(path, archive, member) for member in members}


def _zip_hashed(path: Path, archive: zipfile.ZipFile, member: Member) -> Member:
    """``member`` with its content inflated, checked (size, CRC-32) and hashed."""
    try:
        info = archive.getinfo(member.name + "/" if member.kind == "directory" else member.name)
    except KeyError:
        info = archive.getinfo(member.name)
    try:
        with archive.open(info) as stream:
            sha, size = _hash_stream(stream, info.file_size)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        raise ArchiveError(f"{path.name}: cannot read member {member.name!r}: {error}") from error
    return dataclasses.replace(member, sha256=sha, size=size)


def _data_start(reader: _Reader, member: Member) -> int:
    """Read ``member``'s local header (the reader is at its offset); where its data starts."""
    path = reader.path
    header = reader.read(_LOCAL_HEADER.size) if member.offset + _LOCAL_HEADER.size <= reader.size else b""
    if header[:4] != b"PK\x03\x04":
        raise ArchiveError(f"{path.name}: member {member.name!r} has no local header")
    fields = _LOCAL_HEADER.unpack(header)
    flags, name_length, extra_length = int(fields[3]), int(fields[10]), int(fields[11])
    start = member.offset + _LOCAL_HEADER.size + name_length + extra_length
    if start + member.compressed_size > reader.size:
        raise ArchiveError(f"{path.name}: member {member.name!r} ends outside the archive")
    local = reader.read(name_length).decode("utf-8" if flags & _UTF8 else "cp437", "replace").rstrip("/")
    if local != member.name:
        raise ArchiveError(f"{path.name}: member {member.name!r} is named {local!r} in its local header")
    return start


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # APPNOTE 4.3.7, as zipfile reads it
_ENCRYPTED, _UTF8 = 0x1, 0x800
_ZIP_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflated",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}


def _zip_time(date_time: tuple[int, int, int, int, int, int]) -> int:
    import calendar  # noqa: PLC0415

    try:
        return calendar.timegm((*date_time, 0, 0, 0))
    except (ValueError, OverflowError):
        return 0


def _tar_members(path: Path, *, content: bool) -> tuple[tuple[Member, ...], str]:
    header = _gzip_header(path)
    members: list[Member] = []
    seen: set[str] = set()
    try:
        with archives.open_tar(path) as archive:
            # Links are compared by their targets, never followed: a target outside is no danger here.
            for info in archives.tar_members(archive, max_unpacked=MAX_UNPACKED, links_inside=False):
                name = _check_name(info.name, seen)
                kind: MemberKind
                sha: str | None
                if info.isfile() and not content:
                    kind, sha, size = "file", None, info.size
                elif info.isfile():
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
    except archives.UnsafeArchiveError as error:
        raise ArchiveError(f"{path.name}: {error}") from None
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
