"""Comparing two 100 MiB wheels (pyprov rebuild's comparison) against hashing them.

Usage: python benchmarks/bench_rebuild.py [--size-mib N] [--runs N]
Target (issue 14): the comparison runs at >= 80% of the speed of hashing both files
(ratio of times <= 1.25). Two cases: identical wheels (two digests decide), and wheels
that differ in one member's timestamp (every member is read, decompressed and hashed).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _timing import alternate, report

from pyprov.rebuild import compare_archives

_CHUNK = 1 << 20


def make_wheel(path: Path, size_mib: int, *, stamp: tuple[int, int, int, int, int, int]) -> None:
    """A wheel of 1 MiB members: half random (stored as deflate finds it), half text."""
    rng = random.Random(14)  # noqa: S311 - test data, the same in both wheels
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(size_mib):
            if index % 2:
                data = (f"line {index} of a module that compresses well\n" * 24000).encode()[:_CHUNK]
            else:
                data = rng.randbytes(_CHUNK)
            info = zipfile.ZipInfo(
                f"demo/part{index:04d}.py", date_time=stamp if index == 0 else (2024, 1, 1, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def hash_both(a: Path, b: Path) -> float:
    start = time.perf_counter()
    for path in (a, b):
        sha = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                sha.update(chunk)
    return time.perf_counter() - start


def compare(a: Path, b: Path, verdict: str) -> float:
    start = time.perf_counter()
    result = compare_archives(a, b)
    elapsed = time.perf_counter() - start
    if result.verdict != verdict:
        sys.exit(f"expected {verdict}, got {result.verdict}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        a, b, c = (Path(scratch) / name / "demo-1.0-py3-none-any.whl" for name in "abc")
        for path in (a, b, c):
            path.parent.mkdir()
        make_wheel(a, args.size_mib, stamp=(2024, 1, 1, 0, 0, 0))
        b.write_bytes(a.read_bytes())
        make_wheel(c, args.size_mib, stamp=(2025, 1, 1, 0, 0, 0))
        size = f"{a.stat().st_size >> 20} MiB ({args.size_mib} MiB unpacked)"
        ours, theirs = alternate(args.runs, lambda: compare(a, b, "identical"), lambda: hash_both(a, b))
        report(f"compare identical wheels of {size}", ours, theirs, "sha256 of both", limit=1.25)
        ours, theirs = alternate(args.runs, lambda: compare(a, c, "equivalent"), lambda: hash_both(a, c))
        report(
            f"compare equivalent wheels of {size}, all members read",
            ours,
            theirs,
            "sha256 of both",
            limit=1.25,
        )


if __name__ == "__main__":
    main()
