"""The one checked tar reader and member-name check (``pyprov._internal.archives``)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from pyprov._internal import archives
from pyprov.producers.source import sdist_file_list


def make_sdist(path: Path, members: list[tarfile.TarInfo], data: bytes = b"x") -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for member in members:
            if member.isfile():
                member.size = len(data)
                archive.addfile(member, io.BytesIO(data))
            else:
                archive.addfile(member)
    return path


def entry(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_extracts_a_well_formed_sdist(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path / "p-1.tar.gz", [entry("p-1/pyproject.toml"), entry("p-1/src/p.py")])
    top, names = archives.extract_sdist(sdist, tmp_path / "out")
    assert top == tmp_path / "out" / "p-1"
    assert (top / "src" / "p.py").read_bytes() == b"x"
    assert names == ("p-1/pyproject.toml", "p-1/src/p.py")
    assert sdist_file_list(sdist) == sdist_file_list(sdist, names)
    assert sdist_file_list(sdist).count == 2


@pytest.mark.parametrize(
    "member",
    [
        entry("../evil"),
        entry("/etc/evil"),
        entry("p-1/../../evil"),
        entry("p-1/link", tarfile.SYMTYPE, "../../outside"),
        entry("p-1/abs", tarfile.SYMTYPE, "/etc/passwd"),
        entry("p-1/dev", tarfile.CHRTYPE),
    ],
    ids=["parent", "absolute", "nested-parent", "symlink-out", "symlink-absolute", "device"],
)
def test_refuses_hostile_members(tmp_path: Path, member: tarfile.TarInfo) -> None:
    sdist = make_sdist(tmp_path / "p-1.tar.gz", [entry("p-1/pyproject.toml"), member])
    with pytest.raises(archives.UnsafeArchiveError):
        archives.extract_sdist(sdist, tmp_path / "out")
    assert not (tmp_path / "evil").exists()


def test_refuses_several_top_level_directories(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path / "p-1.tar.gz", [entry("p-1/a"), entry("q-1/b")])
    with pytest.raises(archives.UnsafeArchiveError, match="more than one top-level entry"):
        archives.extract_sdist(sdist, tmp_path / "out")


@pytest.mark.parametrize(
    "name", ["", "/", "/etc/passwd", "a/../../b", "..", "a\\b", "a\0b", "../x/"], ids=repr
)
def test_member_names_that_leave_the_target_are_refused(name: str) -> None:
    with pytest.raises(archives.UnsafeArchiveError, match="unsafe member name"):
        archives.check_member_name(name)


def test_a_directory_name_loses_its_slash() -> None:
    assert archives.check_member_name("p-1/src/") == "p-1/src"


def test_limits_and_duplicates_are_checked_while_reading(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path / "p-1.tar.gz", [entry("p-1/a"), entry("p-1/b"), entry("p-1/a")])
    with archives.open_tar(sdist) as archive:
        assert len(list(archives.tar_members(archive))) == 3
    with archives.open_tar(sdist) as archive, pytest.raises(archives.UnsafeArchiveError, match="duplicate"):
        list(archives.tar_members(archive, unique=True))
    with archives.open_tar(sdist) as archive, pytest.raises(archives.UnsafeArchiveError, match="more than 2"):
        list(archives.tar_members(archive, max_members=2))
    with archives.open_tar(sdist) as archive, pytest.raises(archives.UnsafeArchiveError, match="expands"):
        list(archives.tar_members(archive, max_unpacked=2))


def test_links_inside_the_archive_are_kept_and_outside_ones_allowed_when_asked(tmp_path: Path) -> None:
    sdist = make_sdist(
        tmp_path / "p-1.tar.gz",
        [entry("p-1/a"), entry("p-1/in", tarfile.SYMTYPE, "a"), entry("p-1/out", tarfile.SYMTYPE, "../../x")],
    )
    with archives.open_tar(sdist) as archive, pytest.raises(archives.UnsafeArchiveError, match="link leaves"):
        list(archives.tar_members(archive))
    with archives.open_tar(sdist) as archive:
        assert [m.name for m in archives.tar_members(archive, links_inside=False)][-1] == "p-1/out"
