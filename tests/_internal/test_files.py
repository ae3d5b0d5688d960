from __future__ import annotations

from pathlib import Path

from pyprov._internal import files


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    target.write_text("old")
    files.write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]
