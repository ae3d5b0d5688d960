"""Running the recorded command: without credentials, and with its command line redacted for the record."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyprov._internal import environ
from pyprov.errors import ProjectError

REDACTED = "***"
_SECRET_NAME = re.compile(r"(token|passw(or)?d|secret|api[-_]?key|credential|auth)", re.IGNORECASE)
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@")
"""``user:password@`` in a URL anywhere in an argument (``MIRROR=https://u:p@host/``)."""
_JWT = re.compile(r"^eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_MIN_SECRET_LENGTH = 8
"""Credential values shorter than this are not searched for in the command line (too many false hits)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Completed:
    """How the command ended."""

    exit_status: int
    credentials_withheld: tuple[str, ...]


def redact_command(argv: Sequence[str], environment: Mapping[str, str]) -> tuple[str, ...]:
    """The command line as it may be recorded: secrets replaced by ``***``.

    Hidden: the value of an option whose name says it is secret (``--token X``,
    ``--password=X``, ``-p`` is not guessed), anything shaped like a JWT, the value of
    any credential variable of ``environment`` wherever it appears (a shell expanded
    ``$SIGSTORE_ID_TOKEN``), and user names and passwords in URLs.
    """
    secrets = sorted(
        (
            value
            for name, value in environment.items()
            if environ.is_credential(name) and len(value) >= _MIN_SECRET_LENGTH
        ),
        key=len,
        reverse=True,
    )
    redacted: list[str] = []
    hide_next = False
    for index, arg in enumerate(argv):
        if hide_next:
            redacted.append(REDACTED)
            hide_next = False
            continue
        name, eq, _ = arg.partition("=")
        if index > 0 and name.startswith("-") and _SECRET_NAME.search(name):
            redacted.append(f"{name}={REDACTED}" if eq else arg)
            hide_next = not eq
            continue
        if eq and not name.startswith("-") and _SECRET_NAME.search(name):  # make TOKEN=x target
            redacted.append(f"{name}={REDACTED}")
            continue
        if _JWT.match(arg):
            redacted.append(REDACTED)
            continue
        text = arg
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        redacted.append(_USERINFO.sub(r"\1", text))
    return tuple(redacted)


def run_command(
    argv: Sequence[str],
    *,
    cwd: Path,
    stdout: IO[bytes] | None = None,
    stderr: IO[bytes] | None = None,
) -> Completed:
    """Run ``argv`` in ``cwd`` with every credential variable removed from its environment.

    The command is untrusted build code, like a PEP 517 backend: it gets neither the
    signing identity nor upload tokens (``environ.is_credential``). They are taken out
    of ``os.environ`` too, for anything started in-process meanwhile, and put back
    afterwards. Output goes to ``stdout``/``stderr`` (default: pyprov's own). Raises
    :class:`ProjectError` when the command cannot be started.
    """
    if not argv:
        raise ProjectError(
            "no command to run", hint="give it after '--': pyprov run --product GLOB -- make dist"
        )
    withheld = tuple(sorted(name for name in os.environ if environ.is_credential(name)))
    with environ.credentials_withheld():
        child_env = environ.without_credentials(os.environ)
        try:
            process = subprocess.Popen(list(argv), cwd=cwd, env=child_env, stdout=stdout, stderr=stderr)
        except OSError as error:
            raise ProjectError(
                f"cannot run {argv[0]}: {error.strerror or error}",
                hint="is it installed and on PATH?",
            ) from error
        try:
            status = process.wait()
        except KeyboardInterrupt:
            # The terminal sent SIGINT to the command too: let it finish cleaning up.
            process.wait()
            raise
    # Killed by signal N: report it as a shell does (128 + N), so that pyprov exits the same way.
    return Completed(exit_status=status if status >= 0 else 128 - status, credentials_withheld=withheld)
