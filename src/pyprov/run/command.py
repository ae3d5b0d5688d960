"""Running the recorded command: without credentials, and with its command line redacted for the record."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyprov._internal import environ
from pyprov._internal.redaction import redact_argv
from pyprov.errors import ProjectError
from pyprov.producers.policy import BuildPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class Completed:
    """How the command ended."""

    exit_status: int
    credentials_withheld: tuple[str, ...]


def run_command(
    argv: Sequence[str],
    *,
    cwd: Path,
    policy: BuildPolicy,
    stdout: IO[bytes] | None = None,
    stderr: IO[bytes] | None = None,
) -> Completed:
    """Run ``argv`` in ``cwd`` as build code: in the sandbox of ``policy``, without credentials.

    The command is untrusted, like a PEP 517 backend: it gets neither the signing
    identity nor upload tokens, may write only ``cwd`` (the evidence directory stays
    read-only), and every process it starts is dead when this returns. Output goes to
    ``stdout``/``stderr`` (default: pyprov's own). Raises :class:`ProjectError` when
    the command cannot be started.
    """
    if not argv:
        raise ProjectError(
            "no command to run", hint="give it after '--': pyprov run --product GLOB -- make dist"
        )
    withheld = tuple(sorted(name for name in os.environ if environ.is_credential(name)))
    spec = policy.command_spec(cwd.resolve(), (cwd.resolve(),), policy.env, argv)
    try:
        # A killed command reports 128 + N, as a shell does, so that pyprov exits the same way.
        status = policy.runner.run(spec, list(argv), stdout=stdout, stderr=stderr)
    except FileNotFoundError as error:
        raise ProjectError(f"cannot run {argv[0]}: not found", hint="is it installed and on PATH?") from error
    except OSError as error:
        raise ProjectError(f"cannot run {argv[0]}: {error.strerror or error}") from error
    return Completed(exit_status=status, credentials_withheld=withheld)


redact_command = redact_argv
"""The command line as ``pyprov run`` records it; see :func:`pyprov._internal.redaction.redact_argv`."""
