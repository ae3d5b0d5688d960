"""The real sigstore-python client signs against the local instance and verifies the result."""

from __future__ import annotations

import hashlib

import pytest
from sigstore.dsse import DigestSet, Statement, StatementBuilder, Subject
from sigstore.errors import VerificationError
from sigstore.models import Bundle, ClientTrustConfig
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext
from sigstore.verify import Verifier
from sigstore.verify.policy import (
    AllOf,
    GitHubWorkflowRepository,
    Identity,
    OIDCBuildConfigURI,
    OIDCBuildSignerURI,
    OIDCIssuerV2,
    OIDCSourceRepositoryDigest,
    OIDCSourceRepositoryRef,
    OIDCSourceRepositoryURI,
)

from pyprov.testing.sigstore import (
    DEFAULT_EMAIL_ISSUER,
    GITHUB_ISSUER,
    GitHubWorkflowIdentity,
    LocalSigstore,
)

ARTIFACT = b"pyprov-1.0-py3-none-any.whl contents"


def _statement(name: str, data: bytes) -> Statement:
    subject = Subject(name=name, digest=DigestSet(root={"sha256": hashlib.sha256(data).hexdigest()}))
    return (
        StatementBuilder()
        .subjects([subject])
        .predicate_type("https://slsa.dev/provenance/v1")
        .predicate({"buildDefinition": {"buildType": "https://example.com/build/v1"}})
        .build()
    )


def test_email_identity_artifact(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier
) -> None:
    token = IdentityToken(local_sigstore.identity_token(email="alice@example.com"))
    with signing_context.signer(token) as signer:
        bundle = signer.sign_artifact(ARTIFACT)

    bundle = Bundle.from_json(bundle.to_json())
    verifier.verify_artifact(
        ARTIFACT, bundle, Identity(identity="alice@example.com", issuer=DEFAULT_EMAIL_ISSUER)
    )
    entry = bundle.log_entry._inner
    assert entry.kind_version.kind == "hashedrekord"
    assert entry.kind_version.version == "0.0.1"


def test_email_identity_dsse(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier
) -> None:
    token = IdentityToken(local_sigstore.identity_token(email="alice@example.com"))
    with signing_context.signer(token) as signer:
        bundle = signer.sign_dsse(_statement("pkg.whl", ARTIFACT))

    policy = Identity(identity="alice@example.com", issuer=DEFAULT_EMAIL_ISSUER)
    payload_type, payload = verifier.verify_dsse(Bundle.from_json(bundle.to_json()), policy)
    assert payload_type == "application/vnd.in-toto+json"
    assert hashlib.sha256(ARTIFACT).hexdigest().encode() in payload
    assert bundle.log_entry._inner.kind_version.kind == "dsse"


@pytest.mark.parametrize(
    ("identity", "issuer"),
    [
        ("mallory@example.com", DEFAULT_EMAIL_ISSUER),
        ("alice@example.com", "https://accounts.google.com"),
    ],
)
def test_wrong_identity_or_issuer_is_refused(
    local_sigstore: LocalSigstore,
    signing_context: SigningContext,
    verifier: Verifier,
    identity: str,
    issuer: str,
) -> None:
    token = IdentityToken(local_sigstore.identity_token(email="alice@example.com"))
    with signing_context.signer(token) as signer:
        bundle = signer.sign_artifact(ARTIFACT)
    with pytest.raises(VerificationError):
        verifier.verify_artifact(ARTIFACT, bundle, Identity(identity=identity, issuer=issuer))


def test_tampered_artifact_is_refused(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier
) -> None:
    token = IdentityToken(local_sigstore.identity_token())
    with signing_context.signer(token) as signer:
        bundle = signer.sign_artifact(ARTIFACT)
    policy = Identity(identity="signer@example.com", issuer=DEFAULT_EMAIL_ISSUER)
    with pytest.raises(VerificationError, match="Bundle message digest mismatch"):
        verifier.verify_artifact(ARTIFACT + b"!", bundle, policy)


def test_another_instance_does_not_trust_the_bundle(
    local_sigstore: LocalSigstore, signing_context: SigningContext, tmp_path_factory: pytest.TempPathFactory
) -> None:
    token = IdentityToken(local_sigstore.identity_token())
    with signing_context.signer(token) as signer:
        bundle = signer.sign_artifact(ARTIFACT)
    with LocalSigstore(tmp_path_factory.mktemp("other")) as other:
        policy = Identity(identity="signer@example.com", issuer=DEFAULT_EMAIL_ISSUER)
        with pytest.raises(VerificationError, match="certificate chain"):
            other.verifier().verify_artifact(ARTIFACT, bundle, policy)


def test_many_entries_each_verify_against_their_own_tree_head(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier
) -> None:
    token = IdentityToken(local_sigstore.identity_token())
    bundles = []
    for i in range(7):
        # A signer per signature: sigstore 4.5.1's cache=False signs with another key than the
        # one it had certified (the local Rekor, like the real one, refuses such entries).
        with signing_context.signer(token) as signer:
            bundles.append(signer.sign_artifact(bytes([i]) * 10))
    policy = Identity(identity="signer@example.com", issuer=DEFAULT_EMAIL_ISSUER)
    for i, bundle in enumerate(bundles):
        verifier.verify_artifact(bytes([i]) * 10, bundle, policy)
        proof = bundle.log_entry._inner.inclusion_proof
        assert (proof.log_index, proof.tree_size) == (i, i + 1)
    assert len({bundle.signing_certificate.serial_number for bundle in bundles}) == 7


def test_github_identity_with_pypi_style_policy(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier
) -> None:
    workflow = GitHubWorkflowIdentity(repository="acme/widget", workflow="publish.yml", ref="refs/tags/v1.0")
    token = IdentityToken(local_sigstore.github_token(workflow))
    with signing_context.signer(token) as signer:
        bundle = signer.sign_dsse(_statement("widget-1.0.tar.gz", ARTIFACT))

    policy = AllOf(
        [
            OIDCIssuerV2(GITHUB_ISSUER),
            OIDCSourceRepositoryURI("https://github.com/acme/widget"),
            OIDCBuildConfigURI("https://github.com/acme/widget/.github/workflows/publish.yml@refs/tags/v1.0"),
        ]
    )
    verifier.verify_dsse(bundle, policy)
    stricter = AllOf(
        [
            Identity(identity=workflow.build_signer_uri, issuer=GITHUB_ISSUER),
            OIDCBuildSignerURI(workflow.build_signer_uri),
            OIDCSourceRepositoryRef("refs/tags/v1.0"),
            OIDCSourceRepositoryDigest(workflow.sha),
            GitHubWorkflowRepository("acme/widget"),
        ]
    )
    verifier.verify_dsse(bundle, stricter)


def test_github_token_keyword_overrides_and_reusable_workflow(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier
) -> None:
    local_sigstore.github_workflow = GitHubWorkflowIdentity(
        job_workflow_ref="acme/builders/.github/workflows/slsa.yml@refs/tags/v2"
    )
    token = IdentityToken(local_sigstore.github_token(repository="acme/gadget", workflow="ci.yml"))
    with signing_context.signer(token) as signer:
        bundle = signer.sign_artifact(ARTIFACT)

    verifier.verify_artifact(
        ARTIFACT,
        bundle,
        AllOf(
            [
                Identity(
                    identity="https://github.com/acme/builders/.github/workflows/slsa.yml@refs/tags/v2",
                    issuer=GITHUB_ISSUER,
                ),
                OIDCBuildConfigURI("https://github.com/acme/gadget/.github/workflows/ci.yml@refs/heads/main"),
            ]
        ),
    )
    wrong_repository = OIDCSourceRepositoryURI("https://github.com/acme/widget")
    with pytest.raises(VerificationError, match="OIDCSourceRepositoryURI does not match"):
        verifier.verify_artifact(ARTIFACT, bundle, wrong_repository)


def test_client_trust_config_helpers(local_sigstore: LocalSigstore, trust_config: ClientTrustConfig) -> None:
    # The helpers agree with the file.
    helper = local_sigstore.client_trust_config()
    assert helper.force_tlog_version == 1
    assert helper.trusted_root.get_fulcio_certs() == trust_config.trusted_root.get_fulcio_certs()
