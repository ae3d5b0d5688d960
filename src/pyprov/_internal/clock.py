"""Time as pyprov records it: UTC, RFC 3339, whole seconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]
"""Where "now" comes from: a parameter, so that tests can pass a fixed clock."""


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(timezone.utc)


def rfc3339(moment: datetime) -> str:
    """``2026-11-22T03:04:05Z``: UTC, whole seconds."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
