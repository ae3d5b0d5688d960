"""`LocalSigstore`: Fulcio, Rekor and a GitHub-style OIDC token endpoint on one loopback port."""

from __future__ import annotations

import dataclasses
import hmac
import json
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization

from ._common import RequestRejected, utc_now
from ._faults import Faults
from ._fulcio import Fulcio
from ._oidc import (
    AUDIENCE,
    DEFAULT_EMAIL_ISSUER,
    GitHubWorkflowIdentity,
    decode_jwt,
    email_claims,
    encode_jwt,
)
from ._rekor import Rekor
from ._server import LoopbackServer, RecordedRequest, Request, Response
from ._trust import client_trust_config

if TYPE_CHECKING:
    from sigstore.models import ClientTrustConfig, TrustedRoot
    from sigstore.verify import Verifier

DEFAULT_EMAIL = "signer@example.com"
"""The e-mail identity of tokens minted without an explicit address."""

DEFAULT_TOKEN_LIFETIME = 3600
"""Seconds an identity token minted by a local instance stays valid."""

TRUST_CONFIG_FILE = "trust_config.json"


class LocalSigstore:
    """A throwaway Sigstore instance (Fulcio, CT log key, Rekor v1, OIDC) on 127.0.0.1.

    FOR TESTS ONLY: its keys are generated in memory and thrown away, its identity tokens are
    signed with a shared secret, and anyone who can reach the port gets certificates.

    Use it as a context manager; on entry it serves on an OS-chosen port and writes
    ``trust_config.json`` (a client trust config) into ``directory``::

        with LocalSigstore(tmp_path) as instance:
            config = ClientTrustConfig.from_json(instance.trust_config_path.read_text())
            token = instance.identity_token(email="me@example.com")

    ``faults`` switches failures on and off at any time; ``github_workflow`` is the run that the
    GitHub-style token endpoint describes; ``fulcio_audience`` the audience Fulcio accepts
    (``sigstore``, as the public instances; another value, as a private instance may).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        port: int = 0,
        email_issuer: str = DEFAULT_EMAIL_ISSUER,
        github_workflow: GitHubWorkflowIdentity | None = None,
        fulcio_audience: str = AUDIENCE,
    ) -> None:
        self.directory = Path(directory)
        self.fulcio_audience = fulcio_audience
        """The ``aud`` Fulcio requires: ``sigstore``, or a private instance's own audience."""
        self.faults = Faults()
        self.email_issuer = email_issuer
        self.github_workflow = github_workflow or GitHubWorkflowIdentity()
        self.github_request_token = secrets.token_urlsafe(24)
        self._secret = secrets.token_bytes(32)
        # Validity starts a little in the past so that clock rounding never puts "now" before it.
        self._start = utc_now() - timedelta(minutes=5)
        self.fulcio = Fulcio(faults=self.faults, ca_not_before=self._start, ca_lifetime=timedelta(days=30))
        self.rekor = Rekor(faults=self.faults)
        self._port = port
        self._server: LoopbackServer | None = None
        self._past_requests: list[RecordedRequest] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LocalSigstore:
        """Start serving and write the trust config; return ``self``."""
        if self._server is not None:
            raise RuntimeError("this local Sigstore instance is already running")
        self._server = LoopbackServer(self._handle, self.faults, port=self._port)
        self._server.start()
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomically(self.trust_config_path, json.dumps(self.trust_config(), indent=2) + "\n")
        return self

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._server is not None:
            self._server.stop()
            self._past_requests += self._server.requests
            self._server = None

    def __enter__(self) -> LocalSigstore:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- where things are --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """Return ``http://127.0.0.1:PORT``, the URL of Fulcio and Rekor (raises if stopped)."""
        if self._server is None:
            raise RuntimeError("this local Sigstore instance is not running")
        return self._server.url

    @property
    def oidc_url(self) -> str:
        """Return the URL of the OIDC service (as named in the signing config)."""
        return f"{self.base_url}/oidc"

    @property
    def github_token_url(self) -> str:
        """Return the GitHub-style token endpoint (``ACTIONS_ID_TOKEN_REQUEST_URL``)."""
        return f"{self.base_url}/oidc/token"

    @property
    def trust_config_path(self) -> Path:
        """Return the path of the client trust config file."""
        return self.directory / TRUST_CONFIG_FILE

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return the requests received so far (also after `stop`), oldest first."""
        return self._past_requests + (self._server.requests if self._server else [])

    def github_env(self) -> dict[str, str]:
        """Return the environment variables GitHub Actions sets for a job with ``id-token: write``."""
        return {
            "GITHUB_ACTIONS": "true",
            "ACTIONS_ID_TOKEN_REQUEST_URL": self.github_token_url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": self.github_request_token,
        }

    # -- trust material ----------------------------------------------------------------------

    def trust_config(self) -> dict[str, Any]:
        """Return the client trust config (``clienttrustconfig.v0.1``) as a dict."""
        return client_trust_config(
            fulcio_url=self.base_url,
            rekor_url=self.base_url,
            oidc_url=self.oidc_url,
            ca_certificate_der=self.fulcio.ca_certificate.public_bytes(serialization.Encoding.DER),
            ct_key=self.fulcio.ct_key,
            rekor_key=self.rekor.key,
            start=self._start,
        )

    def client_trust_config(self) -> ClientTrustConfig:
        """Return the trust config as sigstore-python's `ClientTrustConfig` (Rekor v1 forced)."""
        from sigstore.models import ClientTrustConfig  # noqa: PLC0415  (sigstore is heavy)

        config = ClientTrustConfig.from_json(json.dumps(self.trust_config()))
        config.force_tlog_version = 1
        return config

    def trusted_root(self) -> TrustedRoot:
        """Return the trusted root as sigstore-python's `TrustedRoot`."""
        return self.client_trust_config().trusted_root

    def verifier(self) -> Verifier:
        """Return a sigstore-python `Verifier` that trusts this instance only."""
        from sigstore.verify import Verifier  # noqa: PLC0415  (sigstore is heavy)

        return Verifier(trusted_root=self.trusted_root())

    # -- identity tokens ---------------------------------------------------------------------

    def identity_token(
        self,
        email: str = DEFAULT_EMAIL,
        *,
        issuer: str | None = None,
        audience: str = AUDIENCE,
        lifetime: int = DEFAULT_TOKEN_LIFETIME,
    ) -> str:
        """Return an e-mail identity token that this instance's Fulcio accepts."""
        claims = email_claims(email, issuer or self.email_issuer)
        return encode_jwt(claims, self._secret, audience=audience, lifetime=lifetime)

    def github_token(
        self,
        identity: GitHubWorkflowIdentity | None = None,
        *,
        repository: str | None = None,
        workflow: str | None = None,
        ref: str | None = None,
        audience: str = AUDIENCE,
        lifetime: int = DEFAULT_TOKEN_LIFETIME,
    ) -> str:
        """Return a GitHub Actions identity token for ``identity`` (default: ``github_workflow``).

        ``repository``, ``workflow`` (the file name) and ``ref`` override the identity's fields.
        """
        identity = identity or self.github_workflow
        overrides = {"repository": repository, "workflow": workflow, "ref": ref}
        identity = dataclasses.replace(identity, **{k: v for k, v in overrides.items() if v})
        return encode_jwt(identity.claims(), self._secret, audience=audience, lifetime=lifetime)

    # -- HTTP routing ------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:  # noqa: PLR0911  (one return per route)
        route = (request.method, request.path.rstrip("/"))
        if route == ("POST", "/api/v2/signingCert"):
            claims = decode_jwt(_bearer(request), self._secret, audience=self.fulcio_audience)
            return Response.json(self.fulcio.signing_cert(request.json(), claims), 201)
        if route == ("GET", "/api/v2/trustBundle"):
            return Response.json(self.fulcio.trust_bundle())
        if route == ("POST", "/api/v1/log/entries"):
            uuid, entry = self.rekor.create_entry(request.json())
            return Response.json({uuid: entry}, 201)
        if route == ("GET", "/api/v1/log/entries") and "logIndex" in request.query:
            uuid, entry = self.rekor.get_entry_by_index(_int(request.query["logIndex"][0]))
            return Response.json({uuid: entry})
        if request.method == "GET" and request.path.startswith("/api/v1/log/entries/"):
            uuid, entry = self.rekor.get_entry(request.path.rsplit("/", 1)[-1])
            return Response.json({uuid: entry})
        if route == ("POST", "/api/v1/log/entries/retrieve"):
            return Response.json(self.rekor.retrieve(request.json()))
        if route == ("GET", "/api/v1/log"):
            return Response.json(self.rekor.log_info())
        if route == ("GET", "/api/v1/log/publicKey"):
            return Response(200, self.rekor.public_key_pem().encode(), "application/x-pem-file")
        if route == ("GET", "/oidc/token"):
            return Response.json({"value": self._github_token_for(request)})
        raise RequestRejected(404, f"no route for {request.method} {request.path}")

    def _github_token_for(self, request: Request) -> str:
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        valid = hmac.compare_digest(token.strip().encode(), self.github_request_token.encode())
        if scheme.lower() != "bearer" or not valid:
            raise RequestRejected(401, "missing or wrong ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        # GitHub's default audience is the URL of the repository owner.
        default_audience = f"https://github.com/{self.github_workflow.repository_owner}"
        audience = request.query.get("audience", [default_audience])[0]
        return self.github_token(audience=audience)


def _bearer(request: Request) -> str:
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise RequestRejected(401, "an identity token is required (Authorization: Bearer ...)")
    return token.strip()


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise RequestRejected(400, f"not an integer: {text!r}") from exc


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
