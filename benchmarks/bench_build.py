"""`pyprov build` against `python -m build` on the same fixture project, same installer, alternating.

Usage: python benchmarks/bench_build.py [--runs N] [--fixture NAME | --source DIR] [--installer pip|uv]
Target: ratio <= 1.05 (recording must be almost free).

--source builds a copy of any project, e.g. pypa/packaging at its 26.3 tag:
    git clone --depth 1 --branch 26.3 https://github.com/pypa/packaging /tmp/packaging-26.3

--wheelhouse first downloads the project's build requirements (pip download) and then has both
tools install them from that directory without an index, so that the index's latency (a second
and more per environment, varying by hundreds of milliseconds between runs) does not drown what
pyprov adds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
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
    parser.add_argument(
        "--wheelhouse", action="store_true", help="install build requirements without an index"
    )
    args = parser.parse_args()
    # Both tools run as installed ones do: with their modules' bytecode cached (pip compiles it at
    # install time). Without it, every run compiles pyprov's modules again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
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

        if args.wheelhouse:
            _use_wheelhouse(source, Path(scratch) / "wheelhouse")
        pyprov(), python_m_build()  # warm the installer caches for both
        ours, theirs = alternate(args.runs, pyprov, python_m_build)
    where = ", wheelhouse" if args.wheelhouse else ""
    report(
        f"pyprov build ({name}, {args.installer}{where}, {args.runs} runs)",
        ours,
        theirs,
        "python -m build",
        limit=1.05,
    )


def _use_wheelhouse(source: Path, wheelhouse: Path) -> None:
    """Download the build requirements of ``source`` once; both tools then install from there."""
    import tomllib  # noqa: PLC0415 - the benchmarks run on 3.11+

    requires = tomllib.loads((source / "pyproject.toml").read_text())["build-system"]["requires"]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--only-binary",
            ":all:",
            "-d",
            str(wheelhouse),
            *requires,
        ],
        check=True,
    )
    os.environ["PIP_NO_INDEX"] = os.environ["UV_NO_INDEX"] = "1"
    os.environ["PIP_FIND_LINKS"] = os.environ["UV_FIND_LINKS"] = str(wheelhouse)


if __name__ == "__main__":
    main()
