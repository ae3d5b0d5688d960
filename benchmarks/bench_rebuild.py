"""pyprov rebuild's cost: its comparison against hashing, and a rebuild against a plain build.

Usage: python benchmarks/bench_rebuild.py [--size-mib N] [--runs N]
       python benchmarks/bench_rebuild.py --build [--fixture NAME] [--runs N]

Comparison (issue 14 target: >= 80% of the speed of hashing both files, a ratio of times
<= 1.25). Two cases: identical wheels (two digests decide), and wheels of --size-mib MiB
unpacked that differ in one member's timestamp (each wheel is read once; members whose
compressed bytes are the same in both are not inflated).

--build (target: a rebuild costs at most 1.1x a plain build of the same source plus the
comparison): `pyprov build` makes a fixture's sdist and wheel once, then, alternating,
`pyprov rebuild WHEEL --source SDIST` (unpacks the sdist, builds the wheel pinned by its
build record, compares) against `pyprov build --wheel` of the unpacked sdist (same
installer, uv) plus the comparison of the two wheels, timed in this process.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

from _timing import alternate, report, wall_time

from pyprov.rebuild import compare_archives

_CHUNK = 1 << 20
ROOT = Path(__file__).resolve().parent.parent


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


def rebuild_against_build(fixture: str, runs: int) -> None:
    """A rebuild of a fixture's wheel from its sdist against a plain build of that sdist."""
    pyprov = [sys.executable, "-m", "pyprov"]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        shutil.copytree(ROOT / "fixtures" / fixture, work / "project")
        published = work / "published"
        project = str(work / "project")
        subprocess.run(
            [*pyprov, "build", "-q", "--installer", "uv", "-o", str(published / "dist"), project],
            check=True,
            capture_output=True,
        )
        sdist = next((published / "dist").glob("*.tar.gz"))
        wheel = next((published / "dist").glob("*.whl"))
        with tarfile.open(sdist) as archive:
            archive.extractall(work / "unpacked", filter="data")
        tree = next((work / "unpacked").iterdir())

        def rebuild() -> float:
            return wall_time([*pyprov, "rebuild", "-q", str(wheel), "--source", str(sdist)])

        def build_and_compare() -> float:
            out = work / "plain"
            shutil.rmtree(out, ignore_errors=True)
            elapsed = wall_time(
                [*pyprov, "build", "-q", "--wheel", "--installer", "uv", "-o", str(out / "dist"), str(tree)]
            )
            return elapsed + compare(wheel, next((out / "dist").glob("*.whl")), "identical")

        rebuild(), build_and_compare()  # warm the installer caches for both
        ours, theirs = alternate(runs, rebuild, build_and_compare)
    report(
        f"pyprov rebuild of the {fixture} wheel from its sdist ({runs} runs)",
        ours,
        theirs,
        "pyprov build --wheel + comparison",
        limit=1.1,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=200, help="unpacked (the wheels: about half)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build", action="store_true", help="a rebuild against a plain build")
    parser.add_argument("--fixture", default="hatchling-pure", help="with --build: the fixture project")
    args = parser.parse_args()
    if args.build:
        rebuild_against_build(args.fixture, args.runs)
        return
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
            f"compare wheels of {size} differing in one timestamp",
            ours,
            theirs,
            "sha256 of both",
            limit=1.25,
        )


if __name__ == "__main__":
    main()
