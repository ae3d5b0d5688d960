"""Where a dependency report verifies provenance: a worker process beside the fetching threads.

Importing sigstore, loading the trust root and verifying are Python work: in the process that
fetches, they hold the GIL its fetching threads need, so fetching and verifying take turns on
one core. :class:`WorkerVerification` does them in one worker process
(``python -m pyprov.posture._worker``: a new interpreter, not a fork of a threaded one, and
not the caller's main module again) on another core, started before the lock is read. A
fetching thread hands it a downloaded file (its provenance saved beside it) and goes on
fetching; the answer, one JSON line each way, completes a future. A trust root that must be
refreshed from a TUF repository, or one given already loaded, is used in this process
(:class:`LocalVerification`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections import deque
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Protocol, cast

from pyprov.errors import ProjectError
from pyprov.posture.model import Fact, Status
from pyprov.posture.provenance import provenance_facts
from pyprov.verify.trust import OFFLINE_NOTE, Trust, TrustLoader, TrustSource


class TrustRootError(ProjectError):
    """The trust root could not be loaded, and a provenance needed it."""


class Verification(Protocol):
    """Verifies files' provenance into facts, with one trust root per run."""

    elsewhere: bool
    """Whether it verifies in another process than the fetching threads'."""

    def submit(self, path: Path, provenance: bytes) -> Future[list[Fact]]:
        """``provenance_facts`` of ``path``, whose provenance is saved beside it as ``PATH.provenance``.

        The future fails with :class:`TrustRootError` if the trust root is unusable, with a
        :class:`~pyprov.errors.ProjectError` if the file could not be verified at all.
        """
        ...

    def description(self, unused: str) -> str:
        """The trust root's description if it was used, else ``unused``."""
        ...

    def notes(self) -> tuple[str, ...]:
        """The report's notes about the trust root (offline)."""
        ...

    def close(self) -> None:
        """Stop what verifies (a worker process); nothing can be verified afterwards."""
        ...


def start_verification(trust: TrustSource | Trust) -> Verification:
    """Begin importing sigstore and loading ``trust`` now, in a worker process where that helps."""
    if isinstance(trust, TrustSource) and (trust.path is not None or trust.offline):
        return WorkerVerification(trust)
    return LocalVerification(trust)


class LocalVerification:
    """Provenance verified in this process, by the thread that submits it.

    The trust root is loaded on a thread of its own meanwhile.
    """

    elsewhere = False

    def __init__(self, trust: TrustSource | Trust) -> None:
        self._loader = TrustLoader(trust)
        self._loader.start()

    def submit(self, path: Path, provenance: bytes) -> Future[list[Fact]]:  # noqa: D102 - the protocol's
        done: Future[list[Fact]] = Future()
        try:
            done.set_result(provenance_facts(path, provenance, self._trust))
        except ProjectError as error:
            done.set_exception(error)
        return done

    def _trust(self) -> Trust:
        try:
            return self._loader.get()
        except ProjectError as error:
            raise TrustRootError(error.message, hint=error.hint) from error

    def description(self, unused: str) -> str:  # noqa: D102 - the protocol's
        return self._loader.description(unused)

    def notes(self) -> tuple[str, ...]:  # noqa: D102 - the protocol's
        return self._loader.notes()

    def close(self) -> None:  # noqa: D102 - the protocol's
        pass


class WorkerVerification:
    """Provenance verified in one worker process, which imports sigstore and loads the trust root first.

    Requests are written as soon as they are made and answered in order, so the worker
    always has the next file waiting; a reader thread hands each answer to its future.
    """

    elsewhere = True

    def __init__(self, trust: TrustSource) -> None:
        self._source = trust
        self._used = False
        self._description: str | None = None
        self._lock = threading.Lock()  # a request is written and its answer awaited together
        self._waiting: deque[Future[dict[str, object]]] = deque()
        self._stopped: str | None = None
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        # The worker imports this very pyprov, wherever it was imported from.
        here = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(filter(None, (here, os.environ.get("PYTHONPATH"))))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pyprov.posture._worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, "PYTHONPATH": path},
        )
        self._reader = threading.Thread(target=self._read_answers, name="pyprov-posture-answers", daemon=True)
        self._reader.start()
        trust_path = str(trust.path) if trust.path is not None else None
        self._try_send({"kind": trust.kind, "path": trust_path, "offline": trust.offline})

    def submit(self, path: Path, provenance: bytes) -> Future[list[Fact]]:  # noqa: D102 - the protocol's
        del provenance  # the worker reads it from beside the file: no copy through the pipe
        self._used = True
        done: Future[list[Fact]] = Future()

        def answered(answer: Future[dict[str, object]]) -> None:
            try:
                facts = cast("list[tuple[str, Status, str]]", answer.result()["facts"])
            except ProjectError as error:
                done.set_exception(error)
                return
            done.set_result(
                [Fact(property=name, status=status, value=value) for name, status, value in facts]
            )

        self._request({"path": str(path)}).add_done_callback(answered)
        return done

    def description(self, unused: str) -> str:  # noqa: D102 - the protocol's
        if not self._used:
            return unused
        if self._description is None:
            try:
                self._description = str(self._request({"describe": True}).result()["description"])
            except ProjectError:
                self._description = unused
        return self._description

    def notes(self) -> tuple[str, ...]:  # noqa: D102 - the protocol's
        if self._used and self._source.offline:
            return (OFFLINE_NOTE,)
        return ()

    def close(self) -> None:  # noqa: D102 - the protocol's
        stdin = cast("IO[bytes]", self._process.stdin)
        try:
            with self._lock:
                stdin.close()
            self._process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            self._reader.join()
            cast("IO[bytes]", self._process.stdout).close()
            self._stderr.close()

    def _request(self, request: dict[str, object]) -> Future[dict[str, object]]:
        """Write ``request`` now; its future is the answer, or the error the worker answered."""
        answer: Future[dict[str, object]] = Future()
        with self._lock:
            sent = self._stopped is None and self._try_send(request)
            if sent:
                self._waiting.append(answer)
        if not sent:
            self._reader.join()  # the worker is gone: its reader knows why
            answer.set_exception(ProjectError(f"the verifying process stopped: {self._stopped}"))
        return answer

    def _try_send(self, request: dict[str, object]) -> bool:
        stdin = cast("IO[bytes]", self._process.stdin)
        try:
            stdin.write(json.dumps(request).encode() + b"\n")
            stdin.flush()
        except (OSError, ValueError):  # a broken pipe, or closed
            return False
        return True

    def _read_answers(self) -> None:
        """Complete each request's future with its answer line; when there are none left, fail the rest."""
        stdout = cast("IO[bytes]", self._process.stdout)
        for line in iter(stdout.readline, b""):
            with self._lock:
                answer = self._waiting.popleft() if self._waiting else None
            if answer is not None:
                _complete(answer, line)
        self._process.wait()
        with self._lock:
            self._stopped = self._last_words()
            waiting, self._waiting = list(self._waiting), deque()
        for answer in waiting:
            answer.set_exception(ProjectError(f"the verifying process stopped: {self._stopped}"))

    def _last_words(self) -> str:
        self._stderr.seek(0)
        lines = self._stderr.read()[-4096:].decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self._process.poll()}"


def _complete(answer: Future[dict[str, object]], line: bytes) -> None:
    """Complete ``answer`` with the worker's answer line: a result, or the error it describes."""
    try:
        parsed = json.loads(line)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        answer.set_exception(ProjectError("the verifying process answered something unreadable"))
        return
    error = parsed.get("error")
    if not isinstance(error, dict):
        answer.set_result(parsed)
        return
    kind = TrustRootError if error.get("trust") else ProjectError
    hint = error.get("hint")
    answer.set_exception(kind(str(error.get("message")), hint=hint if isinstance(hint, str) else None))
