"""The trust-root options of the commands that verify Sigstore signatures, and their one rule.

``@trust_options()`` adds ``--trust-config``, ``--trusted-root``, ``--staging`` and
``--offline`` (values ``trust_config``, ``trusted_root``, ``staging``, ``offline``);
:func:`trust_source` turns them into a `~pyprov.verify.TrustSource` with the precedence of
``[tool.pyprov]`` (the command line and environment win over it). ``pyprov verify``
refreshes the production or staging trusted root from Sigstore's TUF repository unless
``--offline``; ``pyprov posture`` (``offline_by_default=True``) does not, unless
``--refresh-trust``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pyprov._cli import from_project_config

if TYPE_CHECKING:
    from pyprov.verify import TrustSource

F = TypeVar("F", bound=Callable[..., Any])

_OFFLINE_HELP = (
    "Do not refresh the trusted root (use the cached or the one embedded in sigstore-python); "
    "a trust file is never refreshed."
)
_OFFLINE_BY_DEFAULT_HELP = (
    "--offline (the default): the production or staging trusted root in the local TUF cache, or the "
    "one embedded in sigstore-python, not refreshed; --refresh-trust: refresh it from Sigstore's TUF "
    "repository first. A trust file is never refreshed."
)


def trust_options(*, offline_by_default: bool = False) -> Callable[[F], F]:
    """The trust-root options, in the order ``pyprov verify --help`` shows them.

    ``offline_by_default`` makes ``--offline`` the default and adds ``--refresh-trust`` as
    its opposite (``PYPROV_OFFLINE=0`` too).
    """
    offline = (
        click.option(
            "--offline/--refresh-trust",
            default=True,
            envvar="PYPROV_OFFLINE",
            show_envvar=True,
            help=_OFFLINE_BY_DEFAULT_HELP,
        )
        if offline_by_default
        else click.option(
            "--offline", is_flag=True, envvar="PYPROV_OFFLINE", show_envvar=True, help=_OFFLINE_HELP
        )
    )
    options = [
        click.option(
            "--trust-config",
            type=click.Path(path_type=Path),
            envvar="PYPROV_TRUST_CONFIG",
            show_envvar=True,
            help="Trust a client trust config file.",
        ),
        click.option(
            "--trusted-root",
            type=click.Path(path_type=Path),
            envvar="PYPROV_TRUSTED_ROOT",
            show_envvar=True,
            help="Trust a trusted root file.",
        ),
        click.option(
            "--staging",
            is_flag=True,
            envvar="PYPROV_STAGING",
            show_envvar=True,
            help="Trust Sigstore's staging instance.",
        ),
        offline,
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def trust_source(
    trust_config: Path | None, trusted_root: Path | None, *, staging: bool, offline: bool
) -> TrustSource:
    """The trust root the options choose; ``ProjectError`` (exit 2) when they name two."""
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.verify import TrustSource  # noqa: PLC0415

    # The command line and environment choose the trust root over [tool.pyprov].
    if staging and from_project_config("staging") and (trust_config or trusted_root):
        staging = False
    if trust_config and from_project_config("trust_config") and (staging or trusted_root):
        trust_config = None
    chosen = [
        name
        for name, given in (
            ("--trust-config", trust_config),
            ("--trusted-root", trusted_root),
            ("--staging", staging),
        )
        if given
    ]
    if len(chosen) > 1:
        raise ProjectError(f"{' and '.join(chosen)}: choose one trust root")
    # --offline with a trust file is accepted, as `sigstore verify` accepts it: a trust file
    # is never refreshed, so there is nothing to leave out (scripts pass --offline always).
    if trust_config is not None:
        return TrustSource(kind="trust-config", path=trust_config)
    if trusted_root is not None:
        return TrustSource(kind="trusted-root", path=trusted_root)
    return TrustSource(kind="staging" if staging else "production", offline=offline)
