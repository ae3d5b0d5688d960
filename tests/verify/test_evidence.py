"""Evidence discovery: exact names in the two expected directories, regular files, each file once."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyprov.errors import ProjectError
from pyprov.verify.discovery import Artifact, Listings, discover, expand_arguments, read_bounded

NAME = "widget-1.0.tar.gz"


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    dist, evidence = tmp_path / "dist", tmp_path / "evidence"
    dist.mkdir()
    evidence.mkdir()
    (dist / NAME).write_bytes(b"x")
    for name in (
        f"{NAME}.sigstore.json",
        f"{NAME}.intoto.sigstore.json",
        f"{NAME}.cdx.sigstore.json",
        f"{NAME}.build.json",
        f"{NAME}.intoto.json",
    ):
        (evidence / name).write_text("{}")
    for name in (
        f"{NAME}.slsa.attestation",
        f"{NAME}.publish.attestation",
        f"{NAME}.attestation",
        f"{NAME}.sigstore",
        f"{NAME}.provenance",
        f"{NAME}.a.b.attestation",  # two dots: not a kind
        f"{NAME}..attestation",  # empty kind
        f"other-{NAME}.slsa.attestation",
    ):
        (dist / name).write_text("{}")
    return dist


def test_discovers_by_exact_names(layout: Path) -> None:
    found = {
        (item.path.relative_to(layout.parent).as_posix(), item.format) for item in discover(layout / NAME)
    }
    assert found == {
        (f"evidence/{NAME}.sigstore.json", "bundle"),
        (f"evidence/{NAME}.intoto.sigstore.json", "bundle"),
        (f"evidence/{NAME}.cdx.sigstore.json", "bundle"),
        (f"dist/{NAME}.sigstore", "bundle"),
        (f"dist/{NAME}.attestation", "attestation"),
        (f"dist/{NAME}.publish.attestation", "attestation"),
        (f"dist/{NAME}.slsa.attestation", "attestation"),
        (f"dist/{NAME}.provenance", "provenance"),
    }


def test_same_directory_and_links_count_once(layout: Path) -> None:
    evidence = layout.parent / "evidence"
    (layout / f"{NAME}.sigstore.json").symlink_to(evidence / f"{NAME}.sigstore.json")
    found = [item.path.name for item in discover(layout / NAME, evidence, Listings())]
    assert found.count(f"{NAME}.sigstore.json") == 1
    assert len(discover(layout / NAME, layout)) == 6  # the evidence directory is dist/ itself


def test_directories_and_dangling_links_are_not_evidence(layout: Path) -> None:
    evidence = layout.parent / "evidence"
    (evidence / f"{NAME}.sigstore.json").unlink()
    (evidence / f"{NAME}.sigstore.json").mkdir()
    (evidence / f"{NAME}.cdx.sigstore.json").unlink()
    (evidence / f"{NAME}.cdx.sigstore.json").symlink_to(evidence / "absent")
    names = {item.path.name for item in discover(layout / NAME)}
    assert f"{NAME}.sigstore.json" not in names
    assert f"{NAME}.cdx.sigstore.json" not in names


def test_expand_directory(layout: Path) -> None:
    (layout / ".hidden.whl").write_bytes(b"")
    (layout / "notes.json").write_text("{}")
    assert expand_arguments([str(layout), "sha256:" + "a" * 64]) == [str(layout / NAME), "sha256:" + "a" * 64]
    empty = layout.parent / "empty"
    empty.mkdir()
    with pytest.raises(ProjectError, match="no artifacts in"):
        expand_arguments([str(empty)])


def test_artifact_arguments(layout: Path) -> None:
    artifact = Artifact.from_argument(str(layout / NAME))
    assert (artifact.name, artifact.sha256) == (
        NAME,
        "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
    )
    assert Artifact.from_argument("sha256:" + "A" * 64).sha256 == "a" * 64
    with pytest.raises(ProjectError, match="not a regular file"):
        Artifact.from_argument(str(layout))
    with pytest.raises(ProjectError, match="not a regular file: /dev/null"):
        Artifact.from_argument("/dev/null")


def test_read_bounded(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    assert read_bounded(path, 5) == b"12345"
    with pytest.raises(Exception, match="larger than 4 bytes"):
        read_bounded(path, 4)
