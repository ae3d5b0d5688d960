"""Reading an artifact ahead (while the next one builds) gives what reading it later gives."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from pyprov.sbom import artifact
from pyprov.sbom.model import SbomError
from pyprov.sbom.wheel import read_distribution

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "dists"


def test_an_unchanged_artifact_is_read_once_and_a_changed_one_again(tmp_path: Path) -> None:
    wheel = tmp_path / "attrs-24.2.0-py3-none-any.whl"
    shutil.copyfile(ASSETS / "attrs-24.2.0-py3-none-any.whl", wheel)
    reader = threading.Thread(target=artifact.read_ahead, args=(wheel,), kwargs={"files": False})
    reader.start()
    reader.join()
    first = artifact._read(wheel, files=False)
    assert first is artifact._read(wheel, files=False)  # the result read ahead, not a new read
    assert first == read_distribution(wheel)
    # Another file under the same name (a new inode) is read again.
    wheel.unlink()
    shutil.copyfile(ASSETS / "requests-2.32.3-py3-none-any.whl", wheel)
    assert artifact._read(wheel, files=False).distribution.name == "requests"


def test_a_failed_read_ahead_leaves_the_error_to_the_later_read(tmp_path: Path) -> None:
    broken = tmp_path / "broken-1.0-py3-none-any.whl"
    broken.write_bytes(b"not a zip")
    artifact.read_ahead(broken, files=False)
    with pytest.raises(SbomError, match="cannot read the wheel"):
        artifact._read(broken, files=False)
