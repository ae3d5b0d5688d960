"""Members of hostile archives: the one member-name check and the one checked tar reader.

sdists (tar.gz) and wheels (zip) come from backends and from the index: any member name
may be absolute, climb out with ``..``, use backslashes or NULs, repeat, or name a device;
a tar may claim gigabytes. Every reader of an archive in pyprov (unpacking an sdist to
build its wheel, the SBOM's reading of an artifact, the rebuild's comparison) takes its
members through here, so that a name is judged the same way everywhere.
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

MAX_MEMBERS = 100_000
"""Most members an archive may have."""
MAX_UNPACKED = 4 << 30
"""Most bytes all members of an archive may declare together."""


class UnsafeArchiveError(ValueError):
    """An archive holds something that must not be read or unpacked."""


def check_member_name(name: str) -> str:
    """``name`` without a trailing ``/``, if an installer or unpacker would keep it inside its target.

    Raises :class:`UnsafeArchiveError` for empty, absolute, ``..``, backslash and NUL names.
    """
    clean = name.rstrip("/")
    path = PurePosixPath(clean)
    if not clean or path.is_absolute() or ".." in path.parts or "\\" in name or "\0" in name:
        raise UnsafeArchiveError(f"unsafe member name in archive: {name!r}")
    return clean


def open_tar(path: Path) -> tarfile.TarFile:
    """``path`` opened as a gzip-compressed tar, for :func:`tar_members`."""
    return tarfile.open(path, "r:gz")


def tar_members(
    archive: tarfile.TarFile,
    *,
    max_members: int = MAX_MEMBERS,
    max_unpacked: int = MAX_UNPACKED,
    unique: bool = False,
    links_inside: bool = True,
) -> Iterator[tarfile.TarInfo]:
    """Each member of ``archive`` in order, checked before it is yielded.

    Member data can be read while iterating (``archive.extractfile(member)``): the archive
    is read once, front to back. Raises :class:`UnsafeArchiveError` for an unsafe name
    (:func:`check_member_name`), a member that is not a file, directory or link, more
    than ``max_members`` members or ``max_unpacked`` declared bytes, with ``unique`` a
    repeated name, and with ``links_inside`` a link whose target lies outside the archive.
    """
    seen: set[str] = set()
    total = 0
    for count, member in enumerate(archive, start=1):
        total += member.size
        if count > max_members:
            raise UnsafeArchiveError(f"archive has more than {max_members} members")
        if total > max_unpacked:
            raise UnsafeArchiveError(f"archive expands to more than {max_unpacked >> 20} MiB")
        name = check_member_name(member.name)
        if unique:
            if name in seen:
                raise UnsafeArchiveError(f"duplicate member in archive: {member.name!r}")
            seen.add(name)
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            raise UnsafeArchiveError(f"unsupported member type in archive: {member.name!r}")
        if links_inside and (member.issym() or member.islnk()):
            target = PurePosixPath(member.linkname)
            resolved = target if member.islnk() else PurePosixPath(name).parent / target
            if target.is_absolute() or ".." in PurePosixPath(os.path.normpath(resolved)).parts:
                raise UnsafeArchiveError(f"link leaves the archive: {member.name!r}")
        yield member


def sdist_members(sdist: Path) -> tuple[str, ...]:
    """The member names of an sdist, sorted (raises :class:`UnsafeArchiveError` for unsafe ones)."""
    with open_tar(sdist) as archive:
        return tuple(sorted(member.name for member in tar_members(archive)))


def sdist_members_under(sdist: Path, directory: str) -> tuple[str, ...]:
    """The files of an sdist under ``directory`` (relative to its top-level directory), sorted."""
    prefix = PurePosixPath(directory).parts
    with open_tar(sdist) as archive:
        return tuple(
            sorted(
                member.name
                for member in tar_members(archive)
                if not member.isdir() and PurePosixPath(member.name).parts[1 : 1 + len(prefix)] == prefix
            )
        )


def extract_sdist(sdist: Path, destination: Path) -> tuple[Path, tuple[str, ...]]:
    """Unpack an sdist into the empty ``destination``: its single top-level directory and its member names.

    The archive is read once; each member is checked (:func:`tar_members`) before it is
    written. On :class:`UnsafeArchiveError` part of it may have been written: unpack into
    a directory of your own and remove it.
    """
    names: list[str] = []
    top: str | None = None
    with open_tar(sdist) as archive:
        for member in tar_members(archive):
            first = PurePosixPath(member.name).parts[0]
            if top is None:
                top = first
            elif first != top:
                raise UnsafeArchiveError(
                    f"{sdist.name} has more than one top-level entry: {top!r}, {first!r}"
                )
            names.append(member.name)
            if hasattr(tarfile, "data_filter"):
                archive.extract(member, destination, filter="data")
            else:  # Python < 3.10.12: the member was checked above
                archive.extract(member, destination)
    if top is None:
        raise UnsafeArchiveError(f"{sdist.name} is empty")
    return destination / top, tuple(sorted(names))
