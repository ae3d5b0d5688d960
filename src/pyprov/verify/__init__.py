"""Verification: an artifact's signature, signer, provenance and SBOM, in one call.

``verify_artifacts(artifacts, policy, trust, options)`` loads the trust root once,
finds each artifact's evidence (or takes the files named in ``options``), checks every
file (in parallel with ``options.jobs``), and returns a `VerificationReport` with one
`Check` per line. It never prints and never exits; it raises
:class:`~pyprov.errors.ProjectError` only when it cannot run (no trust root, an
unreadable artifact, bad options). An artifact that fails verification is a report
whose ``ok`` is false, not an exception.

The names below are imported on first use: sigstore is slow to import, and reading a trust
source, a lock file or an index page needs none of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyprov.verify.artifacts import REQUIREMENTS, Requirement, VerifyOptions, verify_artifacts, verify_one
    from pyprov.verify.discovery import Artifact
    from pyprov.verify.lock import verify_lock
    from pyprov.verify.policy import (
        AnyOfPolicy,
        CertificateIdentity,
        IdentityPolicy,
        RepositoryPolicy,
        SignerPolicy,
        policy_from_publisher,
    )
    from pyprov.verify.result import ArtifactResult, Check, VerificationReport
    from pyprov.verify.trust import Trust, TrustSource, load_trust

_EXPORTS = {
    "REQUIREMENTS": "pyprov.verify.artifacts",
    "Requirement": "pyprov.verify.artifacts",
    "VerifyOptions": "pyprov.verify.artifacts",
    "verify_artifacts": "pyprov.verify.artifacts",
    "verify_one": "pyprov.verify.artifacts",
    "AnyOfPolicy": "pyprov.verify.policy",
    "CertificateIdentity": "pyprov.verify.policy",
    "IdentityPolicy": "pyprov.verify.policy",
    "RepositoryPolicy": "pyprov.verify.policy",
    "SignerPolicy": "pyprov.verify.policy",
    "policy_from_publisher": "pyprov.verify.policy",
    "Artifact": "pyprov.verify.discovery",
    "ArtifactResult": "pyprov.verify.result",
    "Check": "pyprov.verify.result",
    "VerificationReport": "pyprov.verify.result",
    "Trust": "pyprov.verify.trust",
    "TrustSource": "pyprov.verify.trust",
    "load_trust": "pyprov.verify.trust",
    "verify_lock": "pyprov.verify.lock",
}

__all__ = [
    "REQUIREMENTS",
    "AnyOfPolicy",
    "Artifact",
    "ArtifactResult",
    "CertificateIdentity",
    "Check",
    "IdentityPolicy",
    "RepositoryPolicy",
    "Requirement",
    "SignerPolicy",
    "Trust",
    "TrustSource",
    "VerificationReport",
    "VerifyOptions",
    "load_trust",
    "policy_from_publisher",
    "verify_artifacts",
    "verify_lock",
    "verify_one",
]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - module attributes are of any type
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pyprov.verify' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
