"""Hashing a large file (SHA-256 and SHA-512, as pyprov records them) against `sha256sum`.

Usage: python benchmarks/bench_hashing.py [--size-mib N] [--runs N]
Targets: at least 90% of sha256sum's speed (ratio of times <= 1.11), flat memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import alternate, report, wall_time


def pyprov_hash(path: Path) -> float:
    code = (
        "import resource, sys; from pathlib import Path; from pyprov._internal.hashing import hash_file;"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "hash_file(Path(sys.argv[1]));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    pyprov_hash.max_rss_growth_kib = max(getattr(pyprov_hash, "max_rss_growth_kib", 0), int(done.stdout))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("sha256sum") is None:
        sys.exit("sha256sum is not installed")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "big.bin"
        with path.open("wb") as stream:
            for _ in range(args.size_mib):
                stream.write(os.urandom(1 << 20))
        ours, theirs = alternate(
            args.runs, lambda: pyprov_hash(path), lambda: wall_time(["sha256sum", str(path)])
        )
    report(f"hash {args.size_mib} MiB (sha256+sha512)", ours, theirs, "sha256sum", limit=1 / 0.9)
    print(
        f"peak memory growth while hashing: {pyprov_hash.max_rss_growth_kib / 1024:.1f} MiB"
        f" (outer process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
