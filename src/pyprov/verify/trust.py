"""Which Sigstore instance to trust: a trust config, a trusted root, staging, or production.

The trust root is loaded once per call and shared by every artifact of the call.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pyprov._internal.untrusted import UntrustedInputError, load_json, read_untrusted_text
from pyprov.errors import ProjectError

if TYPE_CHECKING:
    from sigstore.verify import Verifier

TrustKind = Literal["trust-config", "trusted-root", "staging", "production"]

MAX_TRUST_FILE_BYTES = 4 << 20
"""Trust configs and trusted roots are a few KiB; anything larger is refused unread."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustSource:
    """Where the trust root comes from.

    ``path`` is the file for ``trust-config`` and ``trusted-root``. ``offline`` applies to
    ``staging`` and ``production``: use the trusted root in the local TUF cache, or the
    one embedded in sigstore-python, instead of refreshing it from Sigstore's TUF repository.
    """

    kind: TrustKind = "production"
    path: Path | None = None
    offline: bool = False

    def describe(self) -> str:
        """One line for the report."""
        if self.kind in ("trust-config", "trusted-root"):
            return f"{self.kind} {self.path}"
        if self.offline:
            return (
                f"Sigstore {self.kind} (offline: the trusted root in the local TUF cache, "
                "or the one embedded in sigstore-python; not refreshed)"
            )
        return f"Sigstore {self.kind} (trusted root refreshed from its TUF repository)"


@dataclass(frozen=True, slots=True)
class Trust:
    """A loaded trust root: the sigstore-python `Verifier` and what it trusts, for the report."""

    verifier: Verifier
    description: str
    instance: str = ""
    """The Sigstore instance by name: the public-good instance or staging; empty for a trust file."""
    logs: Mapping[str, str] = field(default_factory=dict)
    """The trust file's transparency logs: log ID (its key ID, base64) → base URL."""

    def log_of(self, log_id: object) -> str:
        """Where an entry with ``log_id`` is logged: the log's URL if known, else the instance."""
        url = self.logs.get(log_id) if isinstance(log_id, str) else None
        return url or self.instance or f"a log of {self.description}"


def load_trust(source: TrustSource) -> Trust:
    """Load the trust root of ``source`` once, as a sigstore-python `Verifier`.

    Raises :class:`~pyprov.errors.ProjectError` when there is no usable trust root:
    a missing, unreadable or malformed file, or a TUF repository that cannot be reached.
    """
    # sigstore is slow to import: only when verifying.
    from sigstore.errors import Error as SigstoreError  # noqa: PLC0415
    from sigstore.models import ClientTrustConfig, TrustedRoot  # noqa: PLC0415
    from sigstore.verify import Verifier  # noqa: PLC0415

    text = ""
    try:
        if source.kind == "trust-config":
            text = _read(source.path)
            verifier = Verifier(trusted_root=ClientTrustConfig.from_json(text).trusted_root)
        elif source.kind == "trusted-root":
            text = _read(source.path)  # size and readability, with pyprov's messages
            verifier = Verifier(trusted_root=TrustedRoot.from_file(str(source.path)))
        elif source.kind == "staging":
            verifier = Verifier.staging(offline=source.offline)
        else:
            verifier = Verifier.production(offline=source.offline)
    except ProjectError:
        raise
    except (SigstoreError, ValueError, OSError, KeyError, TypeError) as error:
        where = source.path if source.path else f"Sigstore {source.kind}"
        hint = None if source.offline or source.path else "use --offline to use the embedded trusted root"
        raise ProjectError(f"no trust root: cannot load {where}: {_one_line(error)}", hint=hint) from error
    if source.kind in ("production", "staging"):
        return Trust(verifier, source.describe(), instance=_INSTANCES[source.kind])
    logs = _transparency_logs(text, config=source.kind == "trust-config")
    return Trust(verifier, source.describe(), logs=logs)


_INSTANCES = {"production": "Sigstore public-good instance", "staging": "Sigstore staging instance"}


def _transparency_logs(text: str, *, config: bool) -> dict[str, str]:
    """Log ID → base URL of each transparency log of a trusted root (inside a trust config)."""
    try:
        document = load_json(text.encode(), "trust root")
    except UntrustedInputError:
        return {}
    root = document.get("trustedRoot") if config and isinstance(document, Mapping) else document
    tlogs = root.get("tlogs") if isinstance(root, Mapping) else None
    logs = {}
    for tlog in tlogs if isinstance(tlogs, list) else []:
        url = tlog.get("baseUrl") if isinstance(tlog, Mapping) else None
        log_id = tlog.get("logId") if isinstance(tlog, Mapping) else None
        key_id = log_id.get("keyId") if isinstance(log_id, Mapping) else None
        if isinstance(url, str) and isinstance(key_id, str):
            logs[key_id] = url
    return logs


OFFLINE_NOTE = "offline: the trusted root was not refreshed from Sigstore's TUF repository"
"""A report's note when a trust root was used without refreshing it (``--offline``)."""


class TrustLoader:
    """A trust root loaded at most once: by the first caller of :meth:`get`, or ahead by :meth:`start`.

    ``start()`` loads it on a thread of its own (sigstore's import included, the slow part),
    so that the caller can fetch what it will verify meanwhile; ``get()``, from any thread,
    waits for it and raises the load's :class:`~pyprov.errors.ProjectError`. A trust root
    no one asked for is not named in a report (:meth:`description`).
    """

    def __init__(self, source: TrustSource | Trust) -> None:
        self.source = source
        self.used = False
        self._future: Future[Trust] | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Begin loading in the background (once)."""
        future, mine = self._claim()
        if mine:
            threading.Thread(target=self._load, args=(future,), name="pyprov-trust-root").start()

    def get(self) -> Trust:
        """The loaded trust root; loaded here and now when :meth:`start` was not called."""
        future, mine = self._claim()
        if mine:
            self._load(future)
        trust = future.result()
        self.used = True
        return trust

    def description(self, unused: str) -> str:
        """The trust root's description if it was used, else ``unused`` (why it was not)."""
        if not self.used or self._future is None:
            return unused
        return self._future.result().description

    def notes(self) -> tuple[str, ...]:
        """A report's note that the trusted root was not refreshed, when it was used offline."""
        if isinstance(self.source, TrustSource) and self.source.offline and self.used:
            return (OFFLINE_NOTE,)
        return ()

    def _claim(self) -> tuple[Future[Trust], bool]:
        with self._lock:
            if self._future is not None:
                return self._future, False
            self._future = Future()
            return self._future, True

    def _load(self, future: Future[Trust]) -> None:
        try:
            future.set_result(self.source if isinstance(self.source, Trust) else load_trust(self.source))
        except BaseException as error:  # noqa: BLE001 - handed to whoever calls get()
            future.set_exception(error)


def _read(path: Path | None) -> str:
    if path is None:
        raise ProjectError("no trust root: a trust file is needed")
    try:
        return read_untrusted_text(path, limit=MAX_TRUST_FILE_BYTES, what="a trust root")
    except UntrustedInputError as error:
        raise ProjectError(f"no trust root: {error.message}") from error


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
