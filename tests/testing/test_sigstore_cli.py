"""The real ``sigstore`` command line against a local instance (as subprocesses)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext

from pyprov.testing.sigstore import DEFAULT_EMAIL_ISSUER, GITHUB_ISSUER, GitHubWorkflowIdentity, LocalSigstore

_AMBIENT = ("GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")


def _sigstore(
    instance: LocalSigstore, home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in _AMBIENT and not k.startswith("SIGSTORE")}
    environment.update({"HOME": str(home), "NO_COLOR": "1", **(env or {})})
    command = [sys.executable, "-m", "sigstore", "--trust-config", str(instance.trust_config_path), *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60, check=False)


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    path = tmp_path / "widget-1.0.tar.gz"
    path.write_bytes(b"an sdist")
    return path


def test_cli_verifies_a_bundle_made_by_the_library(
    local_sigstore: LocalSigstore, signing_context: SigningContext, artifact: Path, tmp_path: Path
) -> None:
    with signing_context.signer(IdentityToken(local_sigstore.identity_token("alice@example.com"))) as signer:
        bundle = signer.sign_artifact(artifact.read_bytes())
    bundle_path = artifact.with_name(artifact.name + ".sigstore.json")
    bundle_path.write_text(bundle.to_json())

    def verify(identity: str) -> subprocess.CompletedProcess[str]:
        return _sigstore(
            local_sigstore,
            tmp_path,
            "verify",
            "identity",
            "--cert-identity",
            identity,
            "--cert-oidc-issuer",
            DEFAULT_EMAIL_ISSUER,
            "--bundle",
            str(bundle_path),
            str(artifact),
        )

    accepted = verify("alice@example.com")
    assert accepted.returncode == 0, accepted.stderr
    assert f"OK: {artifact}" in accepted.stderr + accepted.stdout
    refused = verify("mallory@example.com")
    assert refused.returncode != 0
    assert "FAIL" in refused.stderr + refused.stdout


def test_cli_signs_with_ambient_github_credentials(
    local_sigstore: LocalSigstore, artifact: Path, tmp_path: Path
) -> None:
    local_sigstore.github_workflow = GitHubWorkflowIdentity(repository="acme/widget", ref="refs/tags/v1.0")
    bundle, signature, certificate = (tmp_path / name for name in ("b.json", "sig", "cert.pem"))
    signed = _sigstore(
        local_sigstore,
        tmp_path,
        "sign",
        "--bundle",
        str(bundle),
        "--signature",
        str(signature),
        "--certificate",
        str(certificate),
        str(artifact),
        env=local_sigstore.github_env(),
    )
    assert signed.returncode == 0, signed.stderr
    assert ("GET", "/oidc/token") in [(r.method, r.path) for r in local_sigstore.requests]

    identity = local_sigstore.github_workflow.build_signer_uri
    with_bundle = ["--bundle", str(bundle)]
    # Detached materials make the CLI look the entry up online (POST .../entries/retrieve).
    detached = ["--signature", str(signature), "--certificate", str(certificate)]
    for materials in (with_bundle, detached):
        verified = _sigstore(
            local_sigstore,
            tmp_path,
            "verify",
            "github",
            "--cert-identity",
            identity,
            "--repository",
            "acme/widget",
            "--ref",
            "refs/tags/v1.0",
            *materials,
            str(artifact),
        )
        assert verified.returncode == 0, verified.stderr
    assert ("POST", "/api/v1/log/entries/retrieve/") in [(r.method, r.path) for r in local_sigstore.requests]
    assert GITHUB_ISSUER  # the CLI's `verify github` pins this issuer itself
