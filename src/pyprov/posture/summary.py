"""The summary: for each property, how many items have it, lack it, or could not be checked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyprov.posture.model import Count, Item


def summarize(items: Sequence[Item], properties: Mapping[str, str]) -> tuple[Count, ...]:
    """One `Count` per property of ``properties`` (name → what it measures), in that order.

    An item without a fact about a property counts as ``unknown`` for it.
    """
    counts = []
    for name, description in properties.items():
        statuses = [item.fact(name) for item in items]
        have = sum(1 for fact in statuses if fact is not None and fact.status == "yes")
        lack = sum(1 for fact in statuses if fact is not None and fact.status == "no")
        counts.append(
            Count(name=name, description=description, have=have, lack=lack, unknown=len(items) - have - lack)
        )
    return tuple(counts)
