"""Where a dependency report verifies provenance: a worker process beside the fetching threads.

Importing sigstore, loading the trust root and verifying are Python work: in the process that
fetches, they hold the GIL its fetching threads need, so fetching and verifying take turns on
one core. :class:`WorkerVerification` does them in one worker process
(``python -m pyprov.posture._worker``: a new interpreter, not a fork of a threaded one, and
not the caller's main module again) on another core, started before the first request; the
threads hand it a downloaded file (its provenance saved beside it) and wait for the facts,
one JSON line each way. A trust root that must be refreshed from a TUF repository, or one
given already loaded, is used in this process (:class:`LocalVerification`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Protocol, cast

from pyprov.errors import ProjectError
from pyprov.posture.model import Fact, Status
from pyprov.posture.provenance import provenance_facts
from pyprov.verify.trust import Trust, TrustLoader, TrustSource


class TrustRootError(ProjectError):
    """The trust root could not be loaded, and a provenance needed it."""


class Verification(Protocol):
    """Verifies a file's provenance into facts, with one trust root per run."""

    def facts(self, path: Path, provenance: bytes) -> list[Fact]:
        """``provenance_facts`` of ``path``; :class:`TrustRootError` if the trust root is unusable."""
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
    """Provenance verified in this process; the trust root loaded on a thread of its own."""

    def __init__(self, trust: TrustSource | Trust) -> None:
        self._loader = TrustLoader(trust)
        self._loader.start()

    def facts(self, path: Path, provenance: bytes) -> list[Fact]:  # noqa: D102 - the protocol's
        return provenance_facts(path, provenance, self._trust)

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
    """Provenance verified in one worker process, which imports sigstore and loads the trust root first."""

    def __init__(self, trust: TrustSource) -> None:
        self._source = trust
        self._used = False
        self._description: str | None = None
        self._lock = threading.Lock()
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
        trust_path = str(trust.path) if trust.path is not None else None
        self._send({"kind": trust.kind, "path": trust_path, "offline": trust.offline})

    def facts(self, path: Path, provenance: bytes) -> list[Fact]:
        """``provenance_facts`` of ``path``, whose provenance must be saved beside it."""
        del provenance  # the worker reads it from beside the file: no copy through the pipe
        self._used = True
        facts = cast("list[tuple[str, Status, str]]", self._ask({"path": str(path)})["facts"])
        return [Fact(property=name, status=status, value=value) for name, status, value in facts]

    def description(self, unused: str) -> str:  # noqa: D102 - the protocol's
        if not self._used:
            return unused
        if self._description is None:
            try:
                self._description = str(self._ask({"describe": True})["description"])
            except ProjectError:
                self._description = unused
        return self._description

    def notes(self) -> tuple[str, ...]:  # noqa: D102 - the protocol's
        if self._used and self._source.offline:
            return ("offline: the trusted root was not refreshed from Sigstore's TUF repository",)
        return ()

    def close(self) -> None:  # noqa: D102 - the protocol's
        stdin = cast("IO[bytes]", self._process.stdin)
        try:
            stdin.close()
            self._process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            cast("IO[bytes]", self._process.stdout).close()
            self._stderr.close()

    def _send(self, request: dict[str, object]) -> None:
        stdin = cast("IO[bytes]", self._process.stdin)
        stdin.write(json.dumps(request).encode() + b"\n")
        stdin.flush()

    def _ask(self, request: dict[str, object]) -> dict[str, object]:
        with self._lock:
            try:
                self._send(request)
                line = cast("IO[bytes]", self._process.stdout).readline()
            except OSError:
                line = b""
        if not line:
            raise ProjectError(f"the verifying process stopped: {self._last_words()}")
        answer: dict[str, object] = json.loads(line)
        error = answer.get("error")
        if isinstance(error, dict):
            kind = TrustRootError if error.get("trust") else ProjectError
            hint = error.get("hint")
            raise kind(str(error.get("message")), hint=hint if isinstance(hint, str) else None)
        return answer

    def _last_words(self) -> str:
        self._stderr.seek(0)
        lines = self._stderr.read()[-4096:].decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self._process.poll()}"
