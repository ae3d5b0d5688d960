"""Streaming file digests."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pyprov._internal.untrusted import open_untrusted
from pyprov.record import Digests

_CHUNK = 1 << 20


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
