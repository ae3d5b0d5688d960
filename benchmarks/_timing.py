"""Shared helpers for the benchmarks: run commands alternately and compare medians."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Sequence


def wall_time(command: Sequence[str], **kwargs: object) -> float:
    """Seconds one run of ``command`` takes; it must succeed."""
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - start


def alternate(runs: int, *contenders: Callable[[], float]) -> list[list[float]]:
    """Run the contenders in turn, ``runs`` rounds, so that drift hits them equally."""
    times: list[list[float]] = [[] for _ in contenders]
    for _ in range(runs):
        for slot, contender in zip(times, contenders, strict=True):
            slot.append(contender())
    return times


def report(
    name: str, ours: list[float], theirs: list[float], their_name: str, limit: float | None = None
) -> None:
    """Print medians and the ratio ours/theirs (lower is better)."""
    mine, other = statistics.median(ours), statistics.median(theirs)
    ratio = mine / other
    verdict = "" if limit is None else ("  ok" if ratio <= limit else f"  OVER the {limit} target")
    print(f"{name}: {mine:.3f}s median vs {their_name} {other:.3f}s -> ratio {ratio:.3f}{verdict}")
