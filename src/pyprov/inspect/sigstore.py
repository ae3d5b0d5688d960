"""Signed evidence for people: Sigstore bundles, PEP 740 attestations and PyPI provenance objects.

Nothing here verifies anything: the signer is what the certificate *claims* until
``pyprov verify`` checks it against a trust root, and every title says so. Signed
in-toto statements inside are decoded and shown like ``.intoto.json`` files.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography import x509

from pyprov._internal.untrusted import UntrustedInputError, load_json
from pyprov.inspect.model import Inspection, Section, as_list, as_object, pairs
from pyprov.inspect.statement import statement_sections, statement_title
from pyprov.verify.policy import CertificateIdentity

BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle"
"""The prefix of every Sigstore bundle's ``mediaType`` (v0.1 to v0.3)."""
_UNVERIFIED = "(not verified: `pyprov verify` checks the signature and the signer)"


def inspect_bundle(document: dict[str, Any]) -> Inspection:
    """A Sigstore bundle: its signer (as claimed), log entries, and what it signs."""
    material = as_object(document.get("verificationMaterial"))
    certificate = as_object(material.get("certificate")).get("rawBytes") or next(
        (
            as_object(item).get("rawBytes")
            for item in as_list(as_object(material.get("x509CertificateChain")).get("certificates"))
        ),
        None,
    )
    media_type = str(document.get("mediaType"))
    version = media_type.removeprefix(BUNDLE_MEDIA_TYPE).strip(".;+").removesuffix("+json") or "?"
    sections = [Section("signer (claimed by the certificate)", tuple(_signer(certificate)))]
    log = [
        f"log index {entry.get('logIndex')}  integrated {entry.get('integratedTime')}  "
        f"{as_object(entry.get('kindVersion')).get('kind', '?')}"
        for entry in (as_object(item) for item in as_list(material.get("tlogEntries")))
    ]
    sections.append(Section(f"transparency log entries: {len(log)}", tuple(log)))
    data: dict[str, Any] = {"media_type": media_type, "tlog_entries": len(log)}
    message = as_object(document.get("messageSignature"))
    envelope = as_object(document.get("dsseEnvelope"))
    statement: dict[str, Any] | None = None
    if message:
        digest = as_object(message.get("messageDigest"))
        hex_digest = _hex(digest.get("digest"))
        sections.append(
            Section("signs a file", (f"{str(digest.get('algorithm', '?')).lower()}:{hex_digest}",))
        )
        data["message_digest"] = hex_digest
    elif envelope:
        payload_type = str(envelope.get("payloadType"))
        sections.append(Section("signs a DSSE envelope", (f"payload type {payload_type}",)))
        statement = _statement(envelope.get("payload"))
        data["payload_type"] = payload_type
    return _with_statement(
        Inspection(
            kind="Sigstore bundle",
            title=f"Sigstore bundle {version}  {_UNVERIFIED}",
            sections=tuple(sections),
            data=data,
        ),
        statement,
    )


def inspect_attestation(document: dict[str, Any]) -> Inspection:
    """A PEP 740 attestation: its signer (as claimed), log entries, and the statement it signs."""
    material = as_object(document.get("verification_material"))
    envelope = as_object(document.get("envelope"))
    entries = [as_object(item) for item in as_list(material.get("transparency_entries"))]
    log = [
        f"log index {entry.get('logIndex')}  integrated {entry.get('integratedTime')}" for entry in entries
    ]
    statement = _statement(envelope.get("statement"))
    inspection = Inspection(
        kind="PEP 740 attestation",
        title=f"PEP 740 attestation v{document.get('version')}  {_UNVERIFIED}",
        sections=(
            Section("signer (claimed by the certificate)", tuple(_signer(material.get("certificate")))),
            Section(f"transparency log entries: {len(log)}", tuple(log)),
        ),
        data={"version": document.get("version"), "tlog_entries": len(log)},
    )
    return _with_statement(inspection, statement)


def inspect_provenance(document: dict[str, Any]) -> Inspection:
    """A PyPI provenance object: each publisher and the attestations it signed."""
    sections: list[Section] = []
    bundles = [as_object(item) for item in as_list(document.get("attestation_bundles"))]
    summary = []
    for number, bundle in enumerate(bundles, 1):
        publisher = as_object(bundle.get("publisher"))
        rows = [(str(key), str(value)) for key, value in publisher.items() if value not in (None, "", {})]
        sections.append(Section(f"publisher {number} (as PyPI recorded it)", tuple(pairs(rows))))
        for attestation in (as_object(item) for item in as_list(bundle.get("attestations"))):
            inner = inspect_attestation(attestation)
            statement = as_object(inner.data.get("statement"))
            subjects = [as_object(item) for item in as_list(statement.get("subject"))]
            names = ", ".join(str(item.get("name")) for item in subjects) or "(no subject)"
            sections.append(
                Section(
                    f"attestation {statement.get('predicateType', '?')}",
                    (f"subject {names}", *inner.sections[0].lines),
                )
            )
        summary.append({"publisher": publisher, "attestations": len(as_list(bundle.get("attestations")))})
    return Inspection(
        kind="PyPI provenance",
        title=f"PyPI provenance v{document.get('version')}: {len(bundles)} bundle(s)  {_UNVERIFIED}",
        sections=tuple(sections),
        data={"version": document.get("version"), "attestation_bundles": summary},
    )


def _with_statement(inspection: Inspection, statement: dict[str, Any] | None) -> Inspection:
    if statement is None:
        return inspection
    return Inspection(
        kind=inspection.kind,
        title=inspection.title,
        sections=(
            *inspection.sections,
            Section(f"signed {statement_title(statement)}"),
            *statement_sections(statement),
        ),
        data={**inspection.data, "statement": statement},
    )


def _statement(payload: object) -> dict[str, Any] | None:
    if not isinstance(payload, str):
        return None
    try:
        document = load_json(base64.b64decode(payload, validate=True), "the signed payload")
    except (binascii.Error, ValueError, UntrustedInputError):
        return None
    return document if isinstance(document, dict) else None


def _signer(certificate: object) -> list[str]:
    """What the certificate claims; one line when it cannot be decoded (cryptography parses lazily)."""
    if not isinstance(certificate, str):
        return ["no certificate (a public key, or none)"]
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(certificate, validate=True))
        identity = CertificateIdentity.from_certificate(cert)
        valid = f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M:%S} to {cert.not_valid_after_utc:%H:%M:%S} UTC"
    except Exception:  # noqa: BLE001 - hostile DER raises ValueError, InvalidVersion, DuplicateExtension...
        # Showing the claimed signer is informational: an undecodable certificate is one line.
        return ["unreadable certificate"]
    rows = [
        ("identity", ", ".join(identity.sans) or "none"),
        ("issuer", identity.issuer or "none"),
        ("repository", identity.source_repository_uri or ""),
        ("ref", identity.source_repository_ref or ""),
        ("commit", identity.source_repository_digest or ""),
        ("workflow", identity.build_config_uri or ""),
        ("valid", valid),
    ]
    return pairs([(label, value) for label, value in rows if value])


def _hex(value: object) -> str:
    if not isinstance(value, str):
        return "?"
    try:
        return base64.b64decode(value, validate=True).hex()
    except (binascii.Error, ValueError):
        return "?"
