"""Sigstore signing: artifacts, their provenance and SBOMs, and PEP 740 attestations.

Signing happens after the build, with one ephemeral key and certificate for the whole
run, and every bundle is verified against the instance's trust root before anything is
written. See ``docs/signing.md``.
"""

from __future__ import annotations

from pyprov.signing._adapters import SignedArtifact, SigstoreSigner, sign_files
from pyprov.signing._identity import IdentityKind, IdentitySource, identity_source
from pyprov.signing._instance import Instance
from pyprov.signing._sigstore import (
    BUNDLE_SUFFIX,
    CYCLONEDX_PREDICATE_TYPE,
    PROVENANCE_BUNDLE_SUFFIX,
    PUBLISH_ATTESTATION_SUFFIX,
    SBOM_BUNDLE_SUFFIX,
    SLSA_ATTESTATION_SUFFIX,
    SigningPolicy,
    SigningResult,
    SigningSubject,
    sign_subjects,
)

__all__ = [
    "BUNDLE_SUFFIX",
    "CYCLONEDX_PREDICATE_TYPE",
    "PROVENANCE_BUNDLE_SUFFIX",
    "PUBLISH_ATTESTATION_SUFFIX",
    "SBOM_BUNDLE_SUFFIX",
    "SLSA_ATTESTATION_SUFFIX",
    "IdentityKind",
    "IdentitySource",
    "Instance",
    "SignedArtifact",
    "SigningPolicy",
    "SigningResult",
    "SigningSubject",
    "SigstoreSigner",
    "identity_source",
    "sign_files",
    "sign_subjects",
]
