"""Files written atomically, and sdists read defensively."""

from __future__ import annotations

import os
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

MAX_SDIST_MEMBERS = 100_000
MAX_SDIST_UNPACKED = 4 << 30  # bytes


class UnsafeArchiveError(ValueError):
    """An archive holds something that must not be unpacked."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename.

    Readers see the old file or the complete new one, never a partial write.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sdist_members(sdist: Path) -> list[str]:
    """The member names of an sdist, sorted (raises :class:`UnsafeArchiveError` for unsafe ones)."""
    with tarfile.open(sdist, "r:gz") as archive:
        return sorted(member.name for member in _checked_members(archive))


def sdist_members_under(sdist: Path, directory: str) -> tuple[str, ...]:
    """The files of an sdist under ``directory`` (relative to its top-level directory), sorted."""
    prefix = PurePosixPath(directory).parts
    with tarfile.open(sdist, "r:gz") as archive:
        return tuple(
            sorted(
                member.name
                for member in _checked_members(archive)
                if not member.isdir() and PurePosixPath(member.name).parts[1 : 1 + len(prefix)] == prefix
            )
        )


def extract_sdist(sdist: Path, destination: Path) -> Path:
    """Unpack an sdist into ``destination`` and return its single top-level directory.

    Refuses absolute paths, ``..``, links that leave the archive, device files, more than
    ``MAX_SDIST_MEMBERS`` members or ``MAX_SDIST_UNPACKED`` bytes.
    """
    with tarfile.open(sdist, "r:gz") as archive:
        members = _checked_members(archive)
        tops = {PurePosixPath(member.name).parts[0] for member in members}
        if len(tops) != 1:
            raise UnsafeArchiveError(f"{sdist.name} has {len(tops)} top-level entries, expected one")
        if hasattr(tarfile, "data_filter"):
            archive.extractall(destination, members=members, filter="data")
        else:  # Python < 3.10.12: the members were checked above
            archive.extractall(destination, members=members)  # noqa: S202
    return destination / tops.pop()


def _checked_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members: list[tarfile.TarInfo] = []
    total = 0
    for member in archive:
        members.append(member)
        total += member.size
        if len(members) > MAX_SDIST_MEMBERS or total > MAX_SDIST_UNPACKED:
            raise UnsafeArchiveError("archive too large to unpack")
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise UnsafeArchiveError(f"unsafe path in archive: {member.name!r}")
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            raise UnsafeArchiveError(f"unsupported member type in archive: {member.name!r}")
        if member.issym() or member.islnk():
            target = PurePosixPath(member.linkname)
            resolved = target if member.islnk() else path.parent / target
            if target.is_absolute() or ".." in PurePosixPath(os.path.normpath(resolved)).parts:
                raise UnsafeArchiveError(f"link leaves the archive: {member.name!r}")
    return members


def is_plain_name(name: str) -> bool:
    """Whether ``name`` is a file name and nothing else: no separator, not ``.``/``..``, no NUL."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in ("/", "\\", "\0"))
