"""Publishing is all or nothing: an error part-way undoes every rename, and replaced files come back."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pyprov._internal import outputs
from pyprov.errors import OutputError


def test_a_failure_part_way_undoes_every_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist, evidence = tmp_path / "dist", tmp_path / "evidence"
    dist.mkdir()
    evidence.mkdir()
    (dist / "a-1.0.tar.gz").write_text("the previous release")
    # A rename that fails (a full disk, EIO) cannot be caused here as root: the last one is made
    # to fail, after the others have replaced and created files.
    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        if Path(target).name == "last.json":
            raise OSError(5, "Input/output error")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    source = tmp_path / "held.whl"
    source.write_bytes(b"wheel")
    items = [
        outputs.Output(directory=dist, name="a-1.0.tar.gz", content=b"new sdist"),
        outputs.Output(
            directory=dist,
            name="a-1.0-py3-none-any.whl",
            source=source,
            sha256=hashlib.sha256(b"wheel").hexdigest(),
        ),
        outputs.Output(directory=evidence, name="first.json", content=b"{}"),
        outputs.Output(directory=evidence, name="last.json", content=b"{}"),
    ]
    with pytest.raises(OutputError, match="Input/output error"):
        outputs.publish_all(items)
    assert sorted(p.name for p in dist.iterdir()) == ["a-1.0.tar.gz"]
    assert (dist / "a-1.0.tar.gz").read_text() == "the previous release"
    assert list(evidence.iterdir()) == []


def test_a_directory_in_the_way_fails_before_anything_moves(tmp_path: Path) -> None:
    (tmp_path / "b.json").mkdir()
    with pytest.raises(OutputError, match="a directory is in the way"):
        outputs.publish_all(
            [
                outputs.Output(directory=tmp_path, name="a.json", content=b"{}"),
                outputs.Output(directory=tmp_path, name="b.json", content=b"{}"),
            ]
        )
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]


def test_a_copy_whose_bytes_changed_is_not_published(tmp_path: Path) -> None:
    source = tmp_path / "held.whl"
    source.write_bytes(b"swapped after hashing")
    with pytest.raises(OutputError, match="changed after pyprov hashed it"):
        outputs.publish_all(
            [outputs.Output(directory=tmp_path, name="a.whl", source=source, sha256="0" * 64)]
        )
    assert not (tmp_path / "a.whl").exists()


@pytest.mark.parametrize("name", ["../escape", "/abs", "a/b", "..", ".", ""])
def test_only_plain_names_are_published(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError, match="not a plain file name"):
        outputs.publish_all([outputs.Output(directory=tmp_path, name=name, content=b"x")])
    assert list(tmp_path.iterdir()) == []


def test_everything_lands_together(tmp_path: Path) -> None:
    paths = outputs.publish_all(
        [outputs.Output(directory=tmp_path, name=f"f{i}", content=str(i).encode()) for i in range(3)]
    )
    assert [p.read_text() for p in paths] == ["0", "1", "2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0", "f1", "f2"]  # no staging left
