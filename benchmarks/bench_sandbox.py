"""Per-process cost of the build sandbox: `true` run by the sandbox runner against a plain subprocess.

Measured in the same run, alternately, median of many runs. Target: at most ~5 ms per process.
Also shown: bare bwrap with the same command line (the Python overhead is the difference) and
the hermetic variant (``--unshare-net`` sets up a network namespace).

With --build, the cost per build instead: `pyprov build` of a fixture with the sandbox against
the same build where bubblewrap cannot be found (pyprov then runs build code unsandboxed), alternately.
Target: at most 0.1 s per build.

Usage: python benchmarks/bench_sandbox.py [--runs N] [--build [--fixture NAME]]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _timing import alternate, wall_time

from pyprov._internal import sandbox

_TARGET_MS = 5.0
_TARGET_BUILD_S = 0.1


def timed(call: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    return run


def per_build(runs: int, fixture: str) -> None:
    """The sandbox's cost per `pyprov build`, against the same build unsandboxed."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="pyprov-bench-") as scratch:
        source = Path(scratch) / "project"
        shutil.copytree(root / "fixtures" / fixture, source)
        no_bwrap = Path(scratch) / "bin"
        no_bwrap.mkdir()
        (no_bwrap / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
        clean = {k: v for k, v in os.environ.items() if k != "SIGSTORE_ID_TOKEN"}

        def build(path: str) -> Callable[[], float]:
            def run() -> float:
                shutil.rmtree(source / "dist", ignore_errors=True)
                shutil.rmtree(source / "evidence", ignore_errors=True)
                command = [sys.executable, "-m", "pyprov", "build", "-q", str(source)]
                return wall_time(command, env={**clean, "PATH": path})

            return run

        sandboxed, plain = build(os.environ.get("PATH", os.defpath)), build(str(no_bwrap))
        sandboxed(), plain()  # warm the installer's cache for both
        with_sandbox, without = alternate(runs, sandboxed, plain)
    added = statistics.median(with_sandbox) - statistics.median(without)
    verdict = "ok" if added <= _TARGET_BUILD_S else f"OVER the {_TARGET_BUILD_S} s target"
    print(
        f"pyprov build ({fixture}, {runs} runs): {statistics.median(with_sandbox):.3f}s sandboxed vs "
        f"{statistics.median(without):.3f}s unsandboxed -> {added * 1000:+.0f} ms per build  {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--build", action="store_true", help="measure per build, not per process")
    parser.add_argument("--fixture", default="hatchling-pure")
    args = parser.parse_args()
    if args.build:
        per_build(args.runs, args.fixture)
        return
    found = sandbox.probe()
    if not found.available:
        sys.exit(f"no sandbox here: {found.reason}")
    runner = sandbox.select_runner(allow_unsandboxed=False)
    true = shutil.which("true") or "/bin/true"
    env = {"PATH": os.environ.get("PATH", os.defpath)}
    with tempfile.TemporaryDirectory(prefix="pyprov-bench-") as scratch:
        work = Path(scratch).resolve()
        # What a build step looks like: a writable tree with a read-only output directory in it.
        (work / "dist").mkdir()
        spec = sandbox.SandboxSpec(cwd=work, env=env, writable=(work,), readonly=(work / "dist",))
        hermetic = sandbox.SandboxSpec(cwd=work, env=env, writable=(work,), network=False)
        bare = runner.command(spec, [true])
        plain, sandboxed, raw, offline = alternate(
            args.runs,
            timed(lambda: subprocess.run([true], cwd=work, env=env, stdin=subprocess.DEVNULL, check=True)),
            timed(lambda: runner.run(spec, [true])),
            timed(lambda: subprocess.run(bare, env=env, stdin=subprocess.DEVNULL, check=True)),
            timed(lambda: runner.run(hermetic, [true])),
        )
    base = statistics.median(plain)
    print(f"{found.sandbox}, {args.runs} runs each, median per process:")
    for name, times in (
        ("plain subprocess", plain),
        ("sandbox runner", sandboxed),
        ("bare bwrap, same command line", raw),
        ("sandbox runner, network=False", offline),
    ):
        median = statistics.median(times)
        print(f"  {name:32} {median * 1000:6.2f} ms  ratio {median / base:5.1f}")
    overhead = (statistics.median(sandboxed) - base) * 1000
    python = (statistics.median(sandboxed) - statistics.median(raw)) * 1000
    verdict = "ok" if overhead <= _TARGET_MS else f"OVER the {_TARGET_MS} ms target"
    print(f"sandbox overhead: {overhead:.2f} ms per process (of which Python {python:.2f} ms)  {verdict}")


if __name__ == "__main__":
    main()
