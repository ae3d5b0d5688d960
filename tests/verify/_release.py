"""Signed releases laid out as pyprov writes them, made with the real sigstore client (tests only)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pypi_attestations import Attestation
from sigstore.dsse import DigestSet, StatementBuilder, Subject
from sigstore.models import Bundle
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext

from pyprov.testing.sigstore import GitHubWorkflowIdentity, LocalSigstore

SDIST = "widget-1.0.tar.gz"
WHEEL = "widget-1.0-py3-none-any.whl"
ARTIFACTS = {SDIST: b"an sdist of widget 1.0\n", WHEEL: b"PK\x03\x04 a wheel of widget 1.0\n"}
WORKFLOW = GitHubWorkflowIdentity(repository="acme/widget", workflow="release.yml", ref="refs/tags/v1.0")
BUILDER_ID = f"https://github.com/{WORKFLOW.workflow_ref}"
PYPROV_BUILD_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/build-type-v1.md"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def provenance_predicate(
    *,
    repository: str = "https://github.com/acme/widget",
    ref: str | None = "refs/tags/v1.0",
    builder_id: str = BUILDER_ID,
) -> dict[str, Any]:
    source: dict[str, Any] = {"repository": repository}
    if ref is not None:
        source["ref"] = ref
    return {
        "buildDefinition": {
            "buildType": PYPROV_BUILD_TYPE,
            "externalParameters": {"source": source, "distributions": [{"kind": "sdist", "from": "source"}]},
        },
        "runDetails": {"builder": {"id": builder_id}},
    }


def sbom_predicate(name: str) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"component": {"type": "library", "name": "widget", "version": "1.0"}},
        "components": [],
        "x-file": name,
    }


def statement(subjects: Mapping[str, str], predicate_type: str, predicate: Mapping[str, Any] | None) -> Any:
    builder = StatementBuilder().subjects(
        [Subject(name=name, digest=DigestSet(root={"sha256": digest})) for name, digest in subjects.items()]
    )
    builder = builder.predicate_type(predicate_type)
    if predicate is not None:
        builder = builder.predicate(dict(predicate))
    return builder.build()


class Signer:
    """Signs with one identity token against one instance (a signer cached per token)."""

    def __init__(self, instance: LocalSigstore, token: str) -> None:
        self.instance = instance
        self.context = SigningContext.from_trust_config(instance.client_trust_config())
        self.token = token

    def artifact(self, data: bytes) -> Bundle:
        with self.context.signer(IdentityToken(self.token), cache=True) as signer:
            return signer.sign_artifact(data)

    def dsse(
        self, subjects: Mapping[str, str], predicate_type: str, predicate: Mapping[str, Any] | None
    ) -> Bundle:
        with self.context.signer(IdentityToken(self.token), cache=True) as signer:
            return signer.sign_dsse(statement(subjects, predicate_type, predicate))


def write_release(
    signer: Signer,
    root: Path,
    artifacts: Mapping[str, bytes] = ARTIFACTS,
    *,
    predicate: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``root/dist`` and ``root/evidence`` as pyprov build --sign does; return ``root/dist``."""
    dist, evidence = root / "dist", root / "evidence"
    dist.mkdir(parents=True)
    evidence.mkdir()
    for name, data in artifacts.items():
        (dist / name).write_bytes(data)
        digest = sha256(data)
        (evidence / f"{name}.sigstore.json").write_text(signer.artifact(data).to_json())
        provenance = signer.dsse(
            {name: digest}, "https://slsa.dev/provenance/v1", predicate or provenance_predicate()
        )
        (evidence / f"{name}.intoto.sigstore.json").write_text(provenance.to_json())
        sbom = signer.dsse({name: digest}, "https://cyclonedx.org/bom", sbom_predicate(name))
        (evidence / f"{name}.cdx.sigstore.json").write_text(sbom.to_json())
        (dist / f"{name}.slsa.attestation").write_text(Attestation.from_bundle(provenance).model_dump_json())
        # Unsigned evidence pyprov also writes: never taken for signed evidence.
        (evidence / f"{name}.build.json").write_text(json.dumps({"artifact": name}))
        (evidence / f"{name}.intoto.json").write_text(json.dumps({"unsigned": True}))
        (evidence / f"{name}.cdx.json").write_text(json.dumps(sbom_predicate(name)))
    return dist


def passed_count(stdout: str, check: str) -> int:
    """How many evidence files passed ``check`` in ``pyprov verify``'s plain output.

    Passing checks are grouped per evidence file: ``✓ signature, signer [FILE]``.
    """
    count = 0
    for line in stdout.splitlines():
        text = line.strip()
        if line.startswith("    ✓ "):
            names = text.removeprefix("✓ ").split(" [", 1)[0].split(", ")
            count += check in names
    return count
