"""Identity tokens: the GitHub-style endpoint, ambient detection, and what Fulcio refuses."""

from __future__ import annotations

import base64
import json

import id as id_package
import pytest
import requests
from sigstore._internal.fulcio.client import FulcioClientError
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext

from pyprov.testing.sigstore import GITHUB_ISSUER, GitHubWorkflowIdentity, LocalSigstore
from pyprov.testing.sigstore._common import b64url_decode


def _claims(token: str) -> dict[str, object]:
    claims = json.loads(b64url_decode(token.split(".")[1]))
    assert isinstance(claims, dict)
    return claims


def test_ambient_github_detection(local_sigstore: LocalSigstore, monkeypatch: pytest.MonkeyPatch) -> None:
    local_sigstore.github_workflow = GitHubWorkflowIdentity(repository="acme/widget", workflow="release.yml")
    for name, value in local_sigstore.github_env().items():
        monkeypatch.setenv(name, value)

    token = id_package.detect_credential(audience="sigstore")

    assert token is not None
    identity = IdentityToken(token)
    assert identity.issuer == GITHUB_ISSUER
    assert identity.identity == "repo:acme/widget:ref:refs/heads/main"
    claims = _claims(token)
    assert claims["aud"] == "sigstore"
    assert claims["workflow_ref"] == "acme/widget/.github/workflows/release.yml@refs/heads/main"
    assert ("GET", "/oidc/token", "oidc") in [(r.method, r.path, r.service) for r in local_sigstore.requests]


def test_ambient_detection_with_a_wrong_request_token(
    local_sigstore: LocalSigstore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in local_sigstore.github_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "not-the-token")
    with pytest.raises(id_package.AmbientCredentialError, match="code=401"):
        id_package.detect_credential(audience="sigstore")


def test_token_endpoint_audience(local_sigstore: LocalSigstore) -> None:
    headers = {"Authorization": f"bearer {local_sigstore.github_request_token}"}
    url = local_sigstore.github_token_url
    other = requests.get(url, params={"audience": "pypi"}, headers=headers, timeout=10)
    default = requests.get(url, headers=headers, timeout=10)
    assert _claims(other.json()["value"])["aud"] == "pypi"
    assert _claims(default.json()["value"])["aud"] == "https://github.com/octo-org"


def test_email_token_claims(local_sigstore: LocalSigstore) -> None:
    token = IdentityToken(
        local_sigstore.identity_token("bob@example.com", issuer="https://accounts.google.com")
    )
    assert token.identity == "bob@example.com"
    assert token.issuer == "https://accounts.google.com"


@pytest.mark.parametrize(
    "kind",
    ["another instance's token", "wrong audience", "expired", "tampered claims"],
)
def test_fulcio_refuses_tokens_it_did_not_issue_or_cannot_use(
    local_sigstore: LocalSigstore,
    signing_context: SigningContext,
    tmp_path_factory: pytest.TempPathFactory,
    kind: str,
) -> None:
    if kind == "another instance's token":
        with LocalSigstore(tmp_path_factory.mktemp("other")) as other:
            raw = other.identity_token()
    elif kind == "wrong audience":
        raw = local_sigstore.identity_token(audience="not-sigstore")
    elif kind == "expired":
        raw = local_sigstore.identity_token(lifetime=-10)
    else:
        header, _, signature = local_sigstore.identity_token().split(".")
        claims = _claims(local_sigstore.identity_token("mallory@example.com"))
        raw = ".".join([header, _b64url_json(claims), signature])

    # IdentityToken itself checks no signature (by design): Fulcio must refuse.
    response = requests.post(
        f"{local_sigstore.base_url}/api/v2/signingCert",
        json={"certificateSigningRequest": ""},
        headers={"Authorization": f"Bearer {raw}"},
        timeout=10,
    )
    assert response.status_code == 401
    if kind in {"another instance's token", "tampered claims"}:
        with pytest.raises(FulcioClientError), signing_context.signer(IdentityToken(raw)):
            pass


def _b64url_json(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_fulcio_refuses_a_malformed_csr(local_sigstore: LocalSigstore) -> None:
    response = requests.post(
        f"{local_sigstore.base_url}/api/v2/signingCert",
        json={"certificateSigningRequest": "bm90IGEgQ1NS"},
        headers={"Authorization": f"Bearer {local_sigstore.identity_token()}"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": "missing or malformed certificateSigningRequest"}


def test_fulcio_trust_bundle(local_sigstore: LocalSigstore) -> None:
    response = requests.get(f"{local_sigstore.base_url}/api/v2/trustBundle", timeout=10)
    assert response.json() == {"chains": [{"certificates": [local_sigstore.fulcio.ca_pem]}]}
