"""Per-process cost of the build sandbox: `true` run by the sandbox runner against a plain subprocess.

Measured in the same run, alternately, median of many runs. Target: at most ~5 ms per process.
Also shown: bare bwrap with the same command line (the Python overhead is the difference) and
the hermetic variant (``--unshare-net`` sets up a network namespace).

Usage: python benchmarks/bench_sandbox.py [--runs N]
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

from _timing import alternate

from pyprov._internal import sandbox

_TARGET_MS = 5.0


def timed(call: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
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
