"""Identity tokens: HS256 JWTs minted and checked with the instance's secret.

Two kinds of identity are modelled: an e-mail identity (claims ``email`` and ``iss``, as issued by
Google or Sigstore's Dex) and a GitHub Actions workflow identity (claims of
``https://token.actions.githubusercontent.com``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from ._common import RequestRejected, b64url, b64url_decode

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
"""The issuer of GitHub Actions identity tokens; Fulcio maps its claims to GitHub extensions."""

DEFAULT_EMAIL_ISSUER = "https://oidc.local-sigstore.invalid"
"""The issuer of e-mail identity tokens minted by a local instance (a name that cannot resolve)."""

AUDIENCE = "sigstore"
"""The audience Fulcio requires."""

_GITHUB_SERVER = "https://github.com"

Claims = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class GitHubWorkflowIdentity:
    """The GitHub Actions run that a GitHub-style identity token describes.

    ``workflow`` is the workflow's file name under ``.github/workflows`` (as PyPI's trusted
    publishers name it); ``workflow_name`` is its display name (the token's ``workflow`` claim).
    ``job_workflow_ref`` defaults to the workflow itself; set it to name a reusable workflow.
    """

    repository: str = "octo-org/octo-repo"
    workflow: str = "release.yml"
    ref: str = "refs/heads/main"
    sha: str = "a" * 40
    workflow_name: str = "Release"
    event_name: str = "push"
    environment: str | None = None
    repository_id: str = "1000"
    repository_owner_id: str = "2000"
    repository_visibility: str = "public"
    runner_environment: str = "github-hosted"
    actor: str = "octocat"
    run_id: str = "3000"
    run_attempt: str = "1"
    job_workflow_ref: str | None = None
    job_workflow_sha: str | None = None

    @property
    def repository_owner(self) -> str:
        """Return the owner part of ``repository``."""
        return self.repository.split("/", 1)[0]

    @property
    def workflow_ref(self) -> str:
        """Return the ``workflow_ref`` claim: ``OWNER/REPO/.github/workflows/FILE@REF``."""
        return f"{self.repository}/.github/workflows/{self.workflow}@{self.ref}"

    @property
    def build_config_uri(self) -> str:
        """Return the certificate's build config URI (OID 1.3.6.1.4.1.57264.1.18)."""
        return f"{_GITHUB_SERVER}/{self.workflow_ref}"

    @property
    def build_signer_uri(self) -> str:
        """Return the certificate's build signer URI (1.9), which is also its SAN."""
        return f"{_GITHUB_SERVER}/{self.job_workflow_ref or self.workflow_ref}"

    @property
    def source_repository_uri(self) -> str:
        """Return the certificate's source repository URI (OID 1.3.6.1.4.1.57264.1.12)."""
        return f"{_GITHUB_SERVER}/{self.repository}"

    def claims(self) -> Claims:
        """Return the claims GitHub puts in an identity token for this run (no time claims)."""
        subject = (
            f"repo:{self.repository}:environment:{self.environment}"
            if self.environment
            else f"repo:{self.repository}:ref:{self.ref}"
        )
        claims: Claims = {
            "iss": GITHUB_ISSUER,
            "sub": subject,
            "repository": self.repository,
            "repository_id": self.repository_id,
            "repository_owner": self.repository_owner,
            "repository_owner_id": self.repository_owner_id,
            "repository_visibility": self.repository_visibility,
            "actor": self.actor,
            "workflow": self.workflow_name,
            "workflow_ref": self.workflow_ref,
            "workflow_sha": self.sha,
            "job_workflow_ref": self.job_workflow_ref or self.workflow_ref,
            "job_workflow_sha": self.job_workflow_sha or self.sha,
            "ref": self.ref,
            "ref_type": "tag" if self.ref.startswith("refs/tags/") else "branch",
            "sha": self.sha,
            "event_name": self.event_name,
            "run_id": self.run_id,
            "run_number": self.run_id,
            "run_attempt": self.run_attempt,
            "runner_environment": self.runner_environment,
        }
        if self.environment:
            claims["environment"] = self.environment
        return claims


def email_claims(email: str, issuer: str) -> Claims:
    """Return the claims of an e-mail identity token (no time claims)."""
    return {"iss": issuer, "sub": email, "email": email, "email_verified": True}


def encode_jwt(claims: Claims, secret: bytes, *, audience: str, lifetime: int) -> str:
    """Return an HS256 JWT carrying ``claims`` plus ``aud``, ``iat``, ``nbf`` and ``exp``."""
    now = int(time.time())
    payload = {**claims, "aud": audience, "iat": now, "nbf": now, "exp": now + lifetime}
    header = {"alg": "HS256", "typ": "JWT", "kid": "local-sigstore"}
    signing_input = f"{_b64json(header)}.{_b64json(payload)}"
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def decode_jwt(token: str, secret: bytes, *, audience: str = AUDIENCE) -> Claims:
    """Check an HS256 JWT's signature, audience and validity period; return its claims.

    Raises `RequestRejected` (401) on any failure, as Fulcio does.
    """
    try:
        header_part, payload_part, signature_part = token.split(".")
        header = json.loads(b64url_decode(header_part))
        claims = json.loads(b64url_decode(payload_part))
        signature = b64url_decode(signature_part)
    except ValueError as exc:
        raise RequestRejected(401, "malformed identity token") from exc
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        raise RequestRejected(401, "identity token is not an HS256 JWT")
    expected = hmac.new(secret, f"{header_part}.{payload_part}".encode("ascii"), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise RequestRejected(401, "identity token signature does not verify")
    aud = claims.get("aud")
    if audience not in (aud if isinstance(aud, list) else [aud]):
        raise RequestRejected(401, f"identity token audience is not {audience!r}")
    now = time.time()
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
        raise RequestRejected(401, "identity token has expired")
    if isinstance(claims.get("nbf"), int) and claims["nbf"] > now + 5:
        raise RequestRejected(401, "identity token is not valid yet")
    return claims


def _b64json(value: Claims) -> str:
    return b64url(json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8"))
