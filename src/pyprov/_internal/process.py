"""The one runner of the tools pyprov itself uses (git, an interpreter it inventories).

Build code never runs through here: it runs in :mod:`pyprov._internal.sandbox`. A tool
gets no stdin, a time limit, and its output captured; failing to start and running out of
time are one error, :class:`ToolError`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


class ToolError(OSError):
    """A tool could not be started or did not finish in time."""


@dataclass(frozen=True, slots=True)
class Finished:
    """A tool's exit status and captured output."""

    status: int
    stdout: bytes
    stderr: bytes

    @property
    def ok(self) -> bool:
        """Whether the tool exited with status 0."""
        return self.status == 0

    def text(self) -> str:
        """Standard output as text (UTF-8, undecodable bytes replaced)."""
        return self.stdout.decode("utf-8", errors="replace")

    def last_error_line(self) -> str:
        """The last line the tool wrote on stderr, for a one-line error message."""
        lines = self.stderr.decode("utf-8", errors="replace").strip().splitlines()
        return lines[-1] if lines else "(no output)"


def run_tool(
    argv: Sequence[str], *, timeout: float, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Finished:
    """Run ``argv`` to completion; raises :class:`ToolError` when it cannot start or times out."""
    try:
        done = subprocess.run(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ToolError(f"{argv[0]} did not finish within {timeout:g} s") from error
    except OSError as error:
        raise ToolError(f"cannot run {argv[0]}: {error.strerror or error}") from error
    return Finished(status=done.returncode, stdout=done.stdout, stderr=done.stderr)
