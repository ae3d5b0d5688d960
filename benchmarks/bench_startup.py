"""`pyprov --help` wall time against `python -c pass` (imports must stay lazy).

Usage: python benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys

from _timing import alternate, report, wall_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ours, theirs = alternate(
        args.runs,
        lambda: wall_time([sys.executable, "-m", "pyprov", "--help"]),
        lambda: wall_time([sys.executable, "-c", "pass"]),
    )
    report("pyprov --help", ours, theirs, "python -c pass")
    ours, theirs = alternate(
        args.runs,
        lambda: wall_time([sys.executable, "-m", "pyprov", "build", "--help"]),
        lambda: wall_time([sys.executable, "-c", "pass"]),
    )
    report("pyprov build --help", ours, theirs, "python -c pass")


if __name__ == "__main__":
    main()
