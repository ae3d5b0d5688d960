"""`pyprov build` against `python -m build` on the same fixture project, same installer, alternating.

Usage: python benchmarks/bench_build.py [--runs N] [--fixture NAME | --source DIR] [--installer pip|uv]
Target: ratio <= 1.05 (recording must be almost free).

--source builds a copy of any project, e.g. pypa/packaging at its 26.3 tag:
    git clone --depth 1 --branch 26.3 https://github.com/pypa/packaging /tmp/packaging-26.3
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from _timing import alternate, report, wall_time

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fixture", default="hatchling-pure")
    parser.add_argument("--source", type=Path, help="a project directory to build instead of a fixture")
    parser.add_argument("--installer", choices=["pip", "uv"], default="pip")
    args = parser.parse_args()
    name = args.source.name if args.source else args.fixture
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "project"
        shutil.copytree(
            args.source or ROOT / "fixtures" / args.fixture, source, ignore=shutil.ignore_patterns(".git")
        )

        def pyprov() -> float:
            out = Path(scratch) / "pyprov"
            shutil.rmtree(out, ignore_errors=True)
            return wall_time(
                [
                    sys.executable,
                    "-m",
                    "pyprov",
                    "build",
                    "-q",
                    "--installer",
                    args.installer,
                    "--outdir",
                    str(out / "dist"),
                    str(source),
                ]
            )

        def python_m_build() -> float:
            out = Path(scratch) / "build"
            shutil.rmtree(out, ignore_errors=True)
            return wall_time(
                [
                    sys.executable,
                    "-m",
                    "build",
                    "--installer",
                    args.installer,
                    "--outdir",
                    str(out),
                    str(source),
                ]
            )

        pyprov(), python_m_build()  # warm the installer caches for both
        ours, theirs = alternate(args.runs, pyprov, python_m_build)
    report(
        f"pyprov build ({name}, {args.installer}, {args.runs} runs)",
        ours,
        theirs,
        "python -m build",
        limit=1.05,
    )


if __name__ == "__main__":
    main()
