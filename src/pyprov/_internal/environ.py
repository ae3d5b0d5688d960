"""The process environment: which variables are credentials, and ``SOURCE_DATE_EPOCH``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

CREDENTIAL_VARIABLES = frozenset(
    {
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_RUNTIME_TOKEN",
        "SIGSTORE_ID_TOKEN",
        "SIGSTORE_IDENTITY_TOKEN",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "CI_JOB_JWT",
        "CI_JOB_JWT_V1",
        "CI_JOB_JWT_V2",
        "CIRCLE_OIDC_TOKEN",
        "CIRCLE_OIDC_TOKEN_V2",
        "BUILDKITE_OIDC_TOKEN",
        "TWINE_PASSWORD",
        "PYPI_API_TOKEN",
    }
)
"""Variables that grant a signing identity or upload rights; build code never sees them."""


def is_credential(name: str) -> bool:
    """Whether an environment variable holds a signing or publishing credential."""
    upper = name.upper()
    return upper in CREDENTIAL_VARIABLES or upper.endswith("_ID_TOKEN") or "OIDC" in upper


def without_credentials(environ: Mapping[str, str]) -> dict[str, str]:
    """Return a copy of ``environ`` with every credential variable removed."""
    return {name: value for name, value in environ.items() if not is_credential(name)}


@contextlib.contextmanager
def credentials_withheld() -> Iterator[None]:
    """Remove credential variables from ``os.environ`` for the duration of the block.

    Build backends, the installer of their requirements and the setup scripts of any
    sdist it builds are untrusted code started as subprocesses that inherit
    ``os.environ``; taking the credentials out of it is the one place that covers all
    of them. They are restored afterwards, for signing, which starts after the build.
    """
    withheld = {name: os.environ.pop(name) for name in list(os.environ) if is_credential(name)}
    try:
        yield
    finally:
        os.environ.update(withheld)


@contextlib.contextmanager
def environ_set(name: str, value: str) -> Iterator[None]:
    """Set one environment variable for the duration of the block."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def source_date_epoch(environ: Mapping[str, str]) -> int | None:
    """``SOURCE_DATE_EPOCH`` as an integer, or ``None`` when unset or not a number."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None
