"""Sigstore signing: artifacts, their provenance and SBOMs, and PEP 740 attestations.

Signing happens after the build, with one ephemeral key and certificate for the whole
run, and every bundle is verified against the instance's trust root before anything is
written. See ``docs/signing.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyprov._internal.lazy import lazy_exports

if TYPE_CHECKING:
    from pyprov.evidence.layout import (
        BUNDLE_SUFFIX,
        PROVENANCE_BUNDLE_SUFFIX,
        PUBLISH_ATTESTATION_SUFFIX,
        SBOM_BUNDLE_SUFFIX,
        SLSA_ATTESTATION_SUFFIX,
    )
    from pyprov.signing.files import SignedArtifact, SigstoreSigner, sign_files
    from pyprov.signing.identity import IdentityKind, IdentitySource, identity_source
    from pyprov.signing.instance import Instance
    from pyprov.signing.sigstore import (
        CYCLONEDX_PREDICATE_TYPE,
        SigningPolicy,
        SigningResult,
        SigningSubject,
        sign_subjects,
    )

# Imported on first use: `pyprov --help` and builds that do not need a module do not pay for it.
_EXPORTS = {
    "SignedArtifact": "pyprov.signing.files",
    "SigstoreSigner": "pyprov.signing.files",
    "sign_files": "pyprov.signing.files",
    "IdentityKind": "pyprov.signing.identity",
    "IdentitySource": "pyprov.signing.identity",
    "identity_source": "pyprov.signing.identity",
    "Instance": "pyprov.signing.instance",
    "BUNDLE_SUFFIX": "pyprov.evidence.layout",
    "CYCLONEDX_PREDICATE_TYPE": "pyprov.signing.sigstore",
    "PROVENANCE_BUNDLE_SUFFIX": "pyprov.evidence.layout",
    "PUBLISH_ATTESTATION_SUFFIX": "pyprov.evidence.layout",
    "SBOM_BUNDLE_SUFFIX": "pyprov.evidence.layout",
    "SLSA_ATTESTATION_SUFFIX": "pyprov.evidence.layout",
    "SigningPolicy": "pyprov.signing.sigstore",
    "SigningResult": "pyprov.signing.sigstore",
    "SigningSubject": "pyprov.signing.sigstore",
    "sign_subjects": "pyprov.signing.sigstore",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)


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
