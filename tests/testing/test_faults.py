"""Every fault switch makes the real client's sign-then-verify fail, at the step it should."""

from __future__ import annotations

import hashlib
import threading
import time

import id as id_package
import pytest
import requests
from sigstore._internal.fulcio.client import FulcioClientError
from sigstore._internal.rekor import RekorClientError
from sigstore.dsse import DigestSet, StatementBuilder, Subject
from sigstore.errors import VerificationError
from sigstore.models import Bundle
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext
from sigstore.verify import Verifier
from sigstore.verify.policy import Identity

from pyprov.testing.sigstore import DEFAULT_EMAIL, DEFAULT_EMAIL_ISSUER, Faults, LocalSigstore

ARTIFACT = b"artifact"
POLICY = Identity(identity=DEFAULT_EMAIL, issuer=DEFAULT_EMAIL_ISSUER)


def _sign(context: SigningContext, token: str, kind: str) -> Bundle:
    with context.signer(IdentityToken(token)) as signer:
        if kind == "hashedrekord":
            return signer.sign_artifact(ARTIFACT)
        subject = Subject(name="a", digest=DigestSet(root={"sha256": hashlib.sha256(ARTIFACT).hexdigest()}))
        statement = StatementBuilder().subjects([subject]).predicate_type("https://example.com/p").build()
        return signer.sign_dsse(statement)


def _verify(verifier: Verifier, bundle: Bundle) -> None:
    if bundle._dsse_envelope is None:
        verifier.verify_artifact(ARTIFACT, bundle, POLICY)
    else:
        verifier.verify_dsse(bundle, POLICY)


@pytest.mark.parametrize("kind", ["hashedrekord", "dsse"])
def test_no_fault_signs_and_verifies(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier, kind: str
) -> None:
    _verify(verifier, _sign(signing_context, local_sigstore.identity_token(), kind))


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ("bad_sct", VerificationError, "SCT verify failed"),
        ("chain_too_short", FulcioClientError, "Certificate chain is too short: 1 < 2"),
    ],
)
def test_fulcio_faults_fail_signing(
    local_sigstore: LocalSigstore,
    signing_context: SigningContext,
    fault: str,
    error: type[Exception],
    message: str,
) -> None:
    setattr(local_sigstore.faults, fault, True)
    with pytest.raises(error, match=message):
        _sign(signing_context, local_sigstore.identity_token(), "hashedrekord")


@pytest.mark.parametrize("kind", ["hashedrekord", "dsse"])
@pytest.mark.parametrize(
    "fault_and_message",
    [
        ("wrong_checkpoint_key_hint", "checkpoint: Signature not found for log ID"),
        ("inclusion_proof_for_other_root", "inclusion proof contains invalid root hash"),
        ("integrated_time_outside_validity", "failed to build timestamp certificate chain"),
    ],
    ids=lambda case: case[0],
)
def test_rekor_faults_fail_verification(
    local_sigstore: LocalSigstore,
    signing_context: SigningContext,
    verifier: Verifier,
    fault_and_message: tuple[str, str],
    kind: str,
) -> None:
    fault, message = fault_and_message
    setattr(local_sigstore.faults, fault, True)
    bundle = _sign(signing_context, local_sigstore.identity_token(), kind)  # signing does not check
    with pytest.raises(VerificationError, match=message):
        _verify(verifier, bundle)


def test_faults_switch_off_at_runtime(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier
) -> None:
    local_sigstore.faults.wrong_checkpoint_key_hint = True
    local_sigstore.faults.http_500.add("oidc")
    local_sigstore.faults.reset()
    assert local_sigstore.faults == Faults()
    _verify(verifier, _sign(signing_context, local_sigstore.identity_token(), "hashedrekord"))


@pytest.mark.parametrize(
    ("service", "error", "message"),
    [
        ("fulcio", FulcioClientError, None),
        ("rekor", RekorClientError, "500: injected fault: HTTP 500"),
    ],
)
def test_http_500_fails_signing(
    local_sigstore: LocalSigstore,
    signing_context: SigningContext,
    service: str,
    error: type[Exception],
    message: str | None,
) -> None:
    local_sigstore.faults.http_500 = {service}  # type: ignore[arg-type]
    with pytest.raises(error, match=message):
        _sign(signing_context, local_sigstore.identity_token(), "hashedrekord")


def test_http_500_from_the_token_endpoint(
    local_sigstore: LocalSigstore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in local_sigstore.github_env().items():
        monkeypatch.setenv(name, value)
    local_sigstore.faults.http_500 = {"oidc"}
    with pytest.raises(id_package.AmbientCredentialError, match="code=500"):
        id_package.detect_credential(audience="sigstore")


@pytest.mark.parametrize("service", ["fulcio", "rekor"])
def test_timeout_fails_signing(
    local_sigstore: LocalSigstore, signing_context: SigningContext, service: str
) -> None:
    local_sigstore.faults.timeout = {service: 0.2}  # type: ignore[dict-item]
    started = time.monotonic()
    with pytest.raises(requests.ConnectionError):
        _sign(signing_context, local_sigstore.identity_token(), "hashedrekord")
    assert time.monotonic() - started >= 0.2


def test_timeout_from_the_token_endpoint(
    local_sigstore: LocalSigstore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in local_sigstore.github_env().items():
        monkeypatch.setenv(name, value)
    local_sigstore.faults.timeout = {"oidc": 0.05}
    with pytest.raises(id_package.AmbientCredentialError, match="timed out"):
        id_package.detect_credential(audience="sigstore")


def test_delay_beyond_a_client_timeout(local_sigstore: LocalSigstore) -> None:
    local_sigstore.faults.delay = {"oidc": 1.0}
    headers = {"Authorization": f"bearer {local_sigstore.github_request_token}"}
    with pytest.raises(requests.ReadTimeout):
        requests.get(local_sigstore.github_token_url, headers=headers, timeout=0.2)


def test_short_delay_only_slows_the_client_down(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier
) -> None:
    local_sigstore.faults.delay = {"fulcio": 0.1, "rekor": 0.1}
    started = time.monotonic()
    _verify(verifier, _sign(signing_context, local_sigstore.identity_token(), "hashedrekord"))
    assert time.monotonic() - started >= 0.2


def test_stopping_cuts_injected_waits_short(local_sigstore: LocalSigstore) -> None:
    local_sigstore.faults.delay = {"oidc": 60.0}
    url = local_sigstore.github_token_url
    statuses: list[int] = []
    thread = threading.Thread(target=lambda: statuses.append(requests.get(url, timeout=30).status_code))
    thread.start()
    time.sleep(0.1)
    started = time.monotonic()
    local_sigstore.stop()
    thread.join(10)
    assert time.monotonic() - started < 5
    assert statuses == [401]  # the request in flight is still answered (it has no request token)
