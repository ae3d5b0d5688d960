"""Progress events a build reports while it runs (the library never prints)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pyprov.record import DistributionKind

Step = Literal["environment", "requirements", "backend", "output", "built"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildEvent:
    """One step of a build.

    ``step`` is ``environment`` (creating the isolated environment), ``requirements``
    (installing build requirements), ``backend`` (the backend hook runs), ``output`` (one
    line the backend printed, in ``message``) or ``built`` (``message`` is the file name).
    """

    distribution: DistributionKind
    step: Step
    message: str


EventHandler = Callable[[BuildEvent], None]


def ignore_event(event: BuildEvent) -> None:
    """Drop an event (the default handler)."""
