"""Running the recorded command: without credentials, and with its command line redacted for the record."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyprov._internal import environ
from pyprov._internal.redaction import redact_argv
from pyprov.errors import ProjectError


@dataclass(frozen=True, slots=True, kw_only=True)
class Completed:
    """How the command ended."""

    exit_status: int
    credentials_withheld: tuple[str, ...]


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


redact_command = redact_argv
"""The command line as ``pyprov run`` records it; see :func:`pyprov._internal.redaction.redact_argv`."""
