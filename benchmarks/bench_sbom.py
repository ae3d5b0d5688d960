"""pyprov sbom --python against cyclonedx-py environment on the same venv, and the cost in a build.

Usage: python benchmarks/bench_sbom.py [--python PATH] [--build]

--python: the venv interpreter to describe (default: this interpreter; it needs >= 80
distributions). --build: also time `build_project` on fixtures/hatchling-pure with and
without the SBOM writers and the embed transform (two isolated builds each).
Both tools run as subprocesses with their default settings, in one run, best of 3.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYPROV = (
    "import sys; from pyprov._cli import _Group; from pyprov._cli.sbom import sbom_command; import click\n"
    "g = _Group(); g.add_command(sbom_command); g(['sbom', *sys.argv[1:]])"
)


def best_of(runs: int, command: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def bench_environment(python: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryDirectory() as scratch:
        ours_file, theirs_file = Path(scratch, "pyprov.json"), Path(scratch, "cdxpy.json")
        ours = best_of(3, [sys.executable, "-c", PYPROV, "-q", "--python", python, "-o", str(ours_file)], env)
        theirs = best_of(3, [str(BIN / "cyclonedx-py"), "environment", python, "-o", str(theirs_file)], env)
        count = len(json.loads(theirs_file.read_text())["components"])
    print(f"environment: {count} distributions")
    print(f"  cyclonedx-py environment (default settings): {theirs:.2f} s")
    print(
        f"  pyprov sbom --python (validation included):  {ours:.2f} s"
        f"  ratio {ours / theirs:.3f} (target <= 0.25)"
    )
    assert count >= 80, "describe a venv with at least 80 distributions"


def bench_build() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from pyprov.build import BuildOptions, build_project  # noqa: PLC0415 - after the sys.path change
    from pyprov.sbom import CycloneDXWriter, EmbedSbomTransform, SPDXWriter  # noqa: PLC0415

    spent = [0.0]

    class Timed:
        """Adds the time spent in the wrapped writer or transform to ``spent``."""

        def __init__(self, inner: object) -> None:
            self.inner = inner
            self.suffix = getattr(inner, "suffix", "")

        def render(self, context: object) -> bytes:
            start = time.perf_counter()
            try:
                return self.inner.render(context)  # type: ignore[attr-defined,no-any-return]
            finally:
                spent[0] += time.perf_counter() - start

        def applies_to(self, kind: str) -> bool:
            return self.inner.applies_to(kind)  # type: ignore[attr-defined,no-any-return]

        def transform(self, artifact: Path, environment: object) -> None:
            start = time.perf_counter()
            self.inner.transform(artifact, environment)  # type: ignore[attr-defined]
            spent[0] += time.perf_counter() - start

    def run(with_sbom: bool) -> float:
        with tempfile.TemporaryDirectory() as scratch:
            source = Path(scratch, "p")
            shutil.copytree(ROOT / "fixtures" / "hatchling-pure", source)
            options = BuildOptions(srcdir=source)
            if with_sbom:
                options = BuildOptions(
                    srcdir=source,
                    evidence_writers=(Timed(CycloneDXWriter()), Timed(SPDXWriter())),
                    transforms=(Timed(EmbedSbomTransform()),),
                )
            start = time.perf_counter()
            build_project(options)
            return time.perf_counter() - start

    plain = min(run(False) for _ in range(2))
    spent[0] = 0.0
    sbom = run(True)
    print(f"build (sdist + wheel): {plain:.2f} s without SBOMs, {sbom:.2f} s with CycloneDX + SPDX + embed")
    print(
        f"  time inside the SBOM writers and transform: {spent[0]:.3f} s = {spent[0] / sbom:.1%} of the build"
        " (target <= 5%; the wall-clock difference is dominated by installing build requirements)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--build", action="store_true")
    args = parser.parse_args()
    bench_environment(args.python)
    if args.build:
        bench_build()


if __name__ == "__main__":
    main()
