"""Streaming file digests."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyprov._internal.untrusted import open_untrusted

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Digests:
    """Hex digests of a file (in build records: ``{"sha256": ..., "sha512": ...}``)."""

    sha256: str
    sha512: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"sha256": self.sha256, "sha512": self.sha512}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Digests:
        """Read the JSON form."""
        return cls(sha256=data["sha256"], sha512=data["sha512"])


def hash_file(path: Path) -> Digests:
    """Return the SHA-256 and SHA-512 of a file, read once in 1 MiB chunks (constant memory).

    hashlib releases the GIL on large buffers, so the two digests are computed on two
    threads while the next chunk is read: the pair costs about as much as the slower one.
    """
    sha256, sha512 = hashlib.sha256(), hashlib.sha512()
    with open_untrusted(path) as stream, ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        while chunk := stream.read(_CHUNK):
            if pending is not None:
                pending.result()
            pending = pool.submit(sha512.update, chunk)
            sha256.update(chunk)
        if pending is not None:
            pending.result()
    return Digests(sha256=sha256.hexdigest(), sha512=sha512.hexdigest())
