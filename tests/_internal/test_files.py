from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from pyprov._internal import files
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
    top = files.extract_sdist(sdist, tmp_path / "out")
    assert top == tmp_path / "out" / "p-1"
    assert (top / "src" / "p.py").read_bytes() == b"x"
    listing = sdist_file_list(sdist)
    assert listing.count == 2


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
    with pytest.raises(files.UnsafeArchiveError):
        files.extract_sdist(sdist, tmp_path / "out")
    assert not (tmp_path / "evil").exists()


def test_refuses_several_top_level_directories(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path / "p-1.tar.gz", [entry("p-1/a"), entry("q-1/b")])
    with pytest.raises(files.UnsafeArchiveError, match="2 top-level entries"):
        files.extract_sdist(sdist, tmp_path / "out")


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    target.write_text("old")
    files.write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]
