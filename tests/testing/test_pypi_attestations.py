"""A PEP 740 attestation made from a local-instance DSSE bundle converts back and verifies."""

from __future__ import annotations

import hashlib
import json

from pypi_attestations import Attestation
from sigstore.dsse import DigestSet, StatementBuilder, Subject
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext
from sigstore.verify import Verifier
from sigstore.verify.policy import AllOf, OIDCBuildConfigURI, OIDCIssuerV2, OIDCSourceRepositoryURI

from pyprov.testing.sigstore import GITHUB_ISSUER, GitHubWorkflowIdentity, LocalSigstore

WHEEL = "widget-1.0-py3-none-any.whl"
WHEEL_BYTES = b"PK\x03\x04 not really a wheel"


def test_slsa_attestation_round_trip(
    local_sigstore: LocalSigstore, signing_context: SigningContext, verifier: Verifier
) -> None:
    workflow = GitHubWorkflowIdentity(repository="acme/widget", workflow="release.yml", ref="refs/tags/v1.0")
    digest = hashlib.sha256(WHEEL_BYTES).hexdigest()
    statement = (
        StatementBuilder()
        .subjects([Subject(name=WHEEL, digest=DigestSet(root={"sha256": digest}))])
        .predicate_type("https://slsa.dev/provenance/v1")
        .predicate(
            {
                "buildDefinition": {"buildType": "https://example.com/build/v1", "externalParameters": {}},
                "runDetails": {"builder": {"id": "https://example.com/builder"}},
            }
        )
        .build()
    )
    with signing_context.signer(IdentityToken(local_sigstore.github_token(workflow))) as signer:
        bundle = signer.sign_dsse(statement)

    attestation = Attestation.from_bundle(bundle)
    wire = attestation.model_dump_json()
    restored = Attestation.model_validate_json(wire).to_bundle()

    policy = AllOf(
        [
            OIDCIssuerV2(GITHUB_ISSUER),
            OIDCSourceRepositoryURI(workflow.source_repository_uri),
            OIDCBuildConfigURI(workflow.build_config_uri),
        ]
    )
    payload_type, payload = verifier.verify_dsse(restored, policy)
    assert payload_type == "application/vnd.in-toto+json"
    verified = json.loads(payload)
    assert verified["subject"] == [{"name": WHEEL, "digest": {"sha256": digest}}]
    assert verified["predicateType"] == "https://slsa.dev/provenance/v1"
