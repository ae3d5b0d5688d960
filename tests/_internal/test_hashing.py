from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pyprov._internal.hashing import hash_file


@pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, 1 << 20, (3 << 20) + 7])
def test_digests_equal_hashlib(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path = tmp_path / "file"
    path.write_bytes(data)
    digests = hash_file(path)
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.sha512 == hashlib.sha512(data).hexdigest()
