"""The errors pyprov raises: each carries the one line a user is shown and an exit code."""

from __future__ import annotations

from typing import ClassVar


class PyprovError(Exception):
    """Base class of every error pyprov reports to its user.

    ``str(error)`` is the one-line message; ``hint`` an optional second line that says
    what to do about it; ``exit_code`` the documented exit status of the command line.
    """

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class BuildFailedError(PyprovError):
    """The build backend (or installing its requirements) failed.

    ``output`` holds what the failing subprocess printed, for the user to read.
    """

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, hint: str | None = None, output: str = "") -> None:
        super().__init__(message, hint=hint)
        self.output = output


class ProjectError(PyprovError):
    """The input is unusable: not a directory, no or malformed ``pyproject.toml``, bad option."""

    exit_code: ClassVar[int] = 2


class OutputError(PyprovError):
    """An output or evidence file could not be written."""

    exit_code: ClassVar[int] = 3


class VerificationError(PyprovError):
    """An artifact failed verification: its evidence does not prove what the policy asks."""

    exit_code: ClassVar[int] = 4


class SigningError(PyprovError):
    """Signing failed; nothing was left looking signed.

    No identity, an unreachable or misbehaving Sigstore service, or a bundle that does
    not verify.
    """

    exit_code: ClassVar[int] = 5
