"""Where the signing identity comes from: a token given, the CI's ambient credential, or a browser."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pyprov.errors import SigningError

if TYPE_CHECKING:
    from sigstore.oidc import IdentityToken

    from pyprov.signing.instance import Instance

IdentityKind = Literal["token", "ambient", "interactive", "none"]

SIGSTORE_AUDIENCE = "sigstore"
"""The audience the public Sigstore instances' Fulcio requires of identity tokens."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentitySource:
    """How to get an OIDC identity token when signing starts (never before the build ends).

    Made with :func:`identity_source`, which decides the kind without contacting anyone.
    """

    kind: IdentityKind
    token: str | None = field(default=None, repr=False)
    """An explicit token (``--identity-token`` or ``SIGSTORE_ID_TOKEN``)."""
    audience: str = SIGSTORE_AUDIENCE
    """The ``aud`` the token is requested for and must carry.

    A private instance configured with an audience of its own gets a token that the public
    Fulcio refuses: whoever runs that instance cannot replay it for a public certificate.
    """

    @property
    def is_github_actions(self) -> bool:
        """Whether the identity will be the GitHub Actions workflow's (a hosted build platform)."""
        return self.kind == "ambient" and os.environ.get("GITHUB_ACTIONS") == "true"

    def fetch(self, instance: Instance) -> IdentityToken:
        """Get the token: read it, ask the CI platform, or run the browser flow.

        Raises :class:`~pyprov.errors.SigningError` when there is no identity or it is unusable.
        """
        from sigstore.oidc import IdentityError, IdentityToken  # noqa: PLC0415

        raw = self.token
        if self.kind == "ambient":
            raw = _ambient_token(self.audience)
        elif self.kind == "interactive":
            return _interactive_token(instance)
        elif self.kind == "none":
            raise SigningError(
                "no signing identity: nothing to sign with in a non-interactive session",
                hint="set SIGSTORE_ID_TOKEN or pass --identity-token; in GitHub Actions grant the job "
                "`permissions: id-token: write`",
            )
        if raw is None:
            raise SigningError("no identity token was given")
        try:
            return IdentityToken(raw.strip(), client_id=self.audience)
        except IdentityError as error:
            raise SigningError(f"the identity token is unusable: {error}") from error


def identity_source(
    token: str | None, *, interactive: bool | None = None, audience: str = SIGSTORE_AUDIENCE
) -> IdentitySource:
    """Decide where the identity will come from, in this order.

    An explicit ``token``; else the CI platform's ambient credential when its variables are
    set (GitHub Actions, GitLab, Buildkite, CircleCI, GCP, as the ``id`` package knows
    them); else the browser flow when a terminal is attached (``interactive``, default:
    stdin and stdout are terminals); else none, which fails when signing starts rather
    than hanging. ``audience`` is the ``aud`` a token must carry (``sigstore`` for the
    public instances).
    """
    if token:
        return IdentitySource(kind="token", token=token, audience=audience)
    if _has_ambient_credential():
        return IdentitySource(kind="ambient", audience=audience)
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
    return IdentitySource(kind="interactive" if interactive else "none", audience=audience)


def _has_ambient_credential() -> bool:
    environ = os.environ
    return (
        (environ.get("GITHUB_ACTIONS") == "true" and "ACTIONS_ID_TOKEN_REQUEST_URL" in environ)
        or "SIGSTORE_ID_TOKEN" in environ  # GitLab CI's id_tokens convention
        or "BUILDKITE_AGENT_ACCESS_TOKEN" in environ
        or "CIRCLECI" in environ
        or "GOOGLE_SERVICE_ACCOUNT_NAME" in environ
    )


def _ambient_token(audience: str) -> str:
    import id as oidc_id  # noqa: PLC0415

    try:
        token = oidc_id.detect_credential(audience=audience)
    except oidc_id.IdentityError as error:
        raise SigningError(f"cannot get the CI platform's identity token: {error}") from error
    if token is None:
        raise SigningError("the CI platform gave no identity token")
    return token


def _interactive_token(instance: Instance) -> IdentityToken:
    from sigstore.oidc import Issuer, IssuerError  # noqa: PLC0415

    try:
        issuer = Issuer(instance.client_trust_config().signing_config.get_oidc_url())
        return issuer.identity_token()
    except IssuerError as error:
        raise SigningError(f"the browser sign-in failed: {error}") from error
