"""The properties a posture report measures, each with what it measures, in report order."""

from __future__ import annotations

RELEASE_PROPERTIES = {
    "signed": "a Sigstore bundle of the artifact (A.sigstore.json, or CPython's A.sigstore) verifies "
    "(signer and transparency log named, not checked against a policy)",
    "provenance": "signed SLSA provenance verifies; the level is the one the provenance claims",
    "sandboxed": "build code ran in a sandbox (environment.isolation.sandbox of the build record)",
    "hermetic": "build code had no network (environment.isolation.network is none)",
    "pinned": "every installed build requirement is recorded with its wheel's SHA-256",
    "tagged": "the source commit has a git tag (source.git.tags)",
    "clean": "the git checkout had no modified or untracked files (source.git.dirty is false)",
    "sbom": "a CycloneDX SBOM is present and has every NTIA minimum element",
    "reproducible": "a signed rebuild statement says identical or equivalent",
    "pep740": "PEP 740 attestation files are beside the artifact",
}
"""Each property of a release artifact and what it measures, in report order."""


DEPENDENCY_PROPERTIES = {
    "attested": "the index serves PEP 740 provenance for the file",
    "verified": "that provenance verifies (signature, transparency log, subject) for the publisher it names",
    "publisher": "the publisher of a verified attestation (kind, repository, workflow)",
    "own-repository": "the verified publisher is a repository the file's own metadata names (Project-URL, "
    "Home-page): no is a publisher other than the project's repository",
    "hash": "the downloaded file's SHA-256 is the one the lock or requirements file pins (installed: "
    "the installed RECORD's hashes are the downloaded wheel's)",
    "not-yanked": "the index does not mark the file as yanked (PEP 592)",
}
"""Each property of a dependency file and what it measures, in report order."""
