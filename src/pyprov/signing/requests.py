"""Requests to Sigstore services that cannot hang: a timeout on each, retries with backoff."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from pyprov.errors import SigningError

_T = TypeVar("_T")


def retrying(
    call: Callable[[], _T], *, what: str, where: str, attempts: int, backoff: float, timeout: float
) -> _T:
    """Run one request within ``timeout`` seconds, retrying failures with exponential backoff.

    A :class:`SigningError` is final; after ``attempts`` failures the last one becomes a
    :class:`SigningError` that says ``what`` failed ``where``.
    """
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            return within(timeout, call)
        except SigningError:
            raise
        except Exception as error:
            if attempt == attempts:
                raise SigningError(
                    f"could not {what} at {where} after {attempt} attempts: "
                    f"{type(error).__name__}: {error}; nothing was written"
                ) from error
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def within(seconds: float, call: Callable[[], _T]) -> _T:
    """Run ``call`` on a daemon thread and give up on it after ``seconds``.

    sigstore's HTTP clients set no timeout (they pass ``timeout=None`` to requests, which
    overrides any socket default), so a hung service would hang signing forever. An
    abandoned request finishes or dies with the process; its result is never used.
    """
    outcome: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
            failure.append(error)

    worker = threading.Thread(target=run, name="pyprov-sigstore-request", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {seconds:g} s")
    if failure:
        raise failure[0]
    return outcome[0]
