"""Signing cost: one certificate plus one log entry per artifact.

1. `pyprov build --sign` minus `pyprov build` on the hatchling fixture (2 artifacts), alternating.
2. `pyprov sign` of N files (one process, one certificate) against a loop of `sigstore sign` CLI
   calls on the same files (one process and one certificate each), for N = 2 and 20.
All against the local Sigstore instance on 127.0.0.1 (pyprov.testing.sigstore).
Target: pyprov >= 3x faster than the sigstore CLI loop for 20 files.

Usage: python benchmarks/bench_sign.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _timing import alternate, report, wall_time

from pyprov.testing.sigstore import LocalSigstore

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, LocalSigstore(Path(scratch) / "sigstore") as instance:
        root = Path(scratch)
        env = {**os.environ, "SIGSTORE_ID_TOKEN": instance.identity_token()}
        trust = str(instance.trust_config_path)
        source = root / "project"
        shutil.copytree(ROOT / "fixtures" / "hatchling-pure", source)

        def build(*extra: str) -> float:
            shutil.rmtree(source / "dist", ignore_errors=True)
            shutil.rmtree(source / "evidence", ignore_errors=True)
            return wall_time([sys.executable, "-m", "pyprov", "build", "-q", *extra, str(source)], env=env)

        build()
        signed, unsigned = alternate(args.runs, lambda: build("--sign", "--trust-config", trust), build)
        extra = statistics.median(signed) - statistics.median(unsigned)
        base = statistics.median(unsigned)
        print(f"pyprov build --sign adds {extra:.3f}s to pyprov build ({base:.3f}s), 2 artifacts")

        for count in (2, 20):
            files = root / f"files-{count}" / "dist"
            files.mkdir(parents=True)
            for index in range(count):
                (files / f"artifact-{index}.bin").write_bytes(os.urandom(100_000))
            paths = sorted(str(p) for p in files.iterdir())

            def pyprov_sign(paths: list[str] = paths) -> float:
                return wall_time(
                    [sys.executable, "-m", "pyprov", "sign", "-q", "--trust-config", trust, *paths], env=env
                )

            def sigstore_loop(paths: list[str] = paths) -> float:
                return sum(
                    wall_time(
                        [
                            sys.executable,
                            "-m",
                            "sigstore",
                            "--trust-config",
                            trust,
                            "sign",
                            "--overwrite",
                            "--rekor-version",
                            "1",
                            "--identity-token",
                            env["SIGSTORE_ID_TOKEN"],
                            path,
                        ],
                        env=env,
                    )
                    for path in paths
                )

            ours, theirs = alternate(args.runs, pyprov_sign, sigstore_loop)
            report(
                f"pyprov sign, {count} files",
                ours,
                theirs,
                f"{count} x sigstore sign",
                limit=1 / 3 if count == 20 else None,
            )


if __name__ == "__main__":
    main()
