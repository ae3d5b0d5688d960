"""`read_metadata`: only a distribution's core metadata, for a fact that needs no more (posture)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from pyprov.sbom.model import SbomError
from pyprov.sbom.wheel import read_distribution, read_metadata

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "dists"
REAL = sorted(path.name for path in ASSETS.iterdir() if path.name.endswith((".whl", ".tar.gz")))


@pytest.mark.parametrize("name", REAL)
def test_the_metadata_of_real_distributions_is_what_a_full_read_finds(name: str) -> None:
    metadata, full = read_metadata(ASSETS / name), read_distribution(ASSETS / name).distribution
    assert (metadata.name, metadata.version, metadata.urls) == (full.name, full.version, full.urls)
    assert metadata.urls  # each of them names its project's URLs


def _sdist(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_an_sdist_is_read_up_to_its_pkg_info_and_no_further(tmp_path: Path) -> None:
    pkg_info = (
        b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nProject-URL: Source, https://github.com/o/demo\n"
    )
    # A member after PKG-INFO that a full read refuses: the metadata alone is never reached by it.
    sdist = _sdist(tmp_path / "demo-1.0.tar.gz", [("demo-1.0/PKG-INFO", pkg_info), ("../escape", b"x")])

    assert read_metadata(sdist).urls == (("Source", "https://github.com/o/demo"),)
    with pytest.raises(SbomError):
        read_distribution(sdist)


def test_no_pkg_info_or_no_archive_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(SbomError, match="is not an sdist: no <name>-<version>/PKG-INFO"):
        read_metadata(_sdist(tmp_path / "empty-1.0.tar.gz", [("empty-1.0/setup.py", b"")]))
    (tmp_path / "junk-1.0.tar.gz").write_bytes(b"not a tarball")
    with pytest.raises(SbomError, match="truncated or corrupt archive"):
        read_metadata(tmp_path / "junk-1.0.tar.gz")
    (tmp_path / "demo-1.0.zip").write_bytes(b"")
    with pytest.raises(SbomError, match="neither a wheel"):
        read_metadata(tmp_path / "demo-1.0.zip")
