"""A local Fulcio: a throwaway CA that certifies identity tokens, plus its CT log key.

Certificates follow Fulcio's profile closely enough for sigstore-python: an empty subject, a
critical SAN, code-signing EKU, authority key identifier, Fulcio's OID extensions
(https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md) and one embedded precertificate
SCT (RFC 6962, section 3.3).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from ._common import RequestRejected, der_octet_string, der_utf8_string, utc_now
from ._faults import Faults
from ._oidc import GITHUB_ISSUER, Claims

CERTIFICATE_LIFETIME = timedelta(minutes=10)
"""How long a signing certificate is valid, as on the public Fulcio."""

_SCT_LIST_OID = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
_GITHUB = "https://github.com"


def _fulcio_oid(arc: int) -> ObjectIdentifier:
    return ObjectIdentifier(f"1.3.6.1.4.1.57264.1.{arc}")


def spki_der(key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey) -> bytes:
    """Return the DER SubjectPublicKeyInfo of ``key``."""
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey) -> bytes:
    """Return the RFC 6962 key ID of ``key``: SHA-256 of its DER SubjectPublicKeyInfo."""
    return hashlib.sha256(spki_der(key)).digest()


class Fulcio:
    """The certificate authority and CT log of a local instance (keys live in memory only)."""

    def __init__(self, *, faults: Faults, ca_not_before: datetime, ca_lifetime: timedelta) -> None:
        self._faults = faults
        self._ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ct_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "pyprov-testing (INSECURE)"),
                x509.NameAttribute(NameOID.COMMON_NAME, "local-sigstore-ca"),
            ]
        )
        ca_public = self._ca_key.public_key()
        ski = x509.SubjectKeyIdentifier.from_public_key(ca_public)
        self.ca_certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(ca_public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(ca_not_before)
            .not_valid_after(ca_not_before + ca_lifetime)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
            )
            .sign(self._ca_key, hashes.SHA256())
        )

    @property
    def ca_pem(self) -> str:
        """Return the CA certificate in PEM form."""
        return self.ca_certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def trust_bundle(self) -> dict[str, Any]:
        """Answer ``GET /api/v2/trustBundle``."""
        return {"chains": [{"certificates": [self.ca_pem]}]}

    def signing_cert(self, request: Any, claims: Claims) -> dict[str, Any]:  # noqa: ANN401
        """Answer ``POST /api/v2/signingCert`` for a request whose identity token checked out."""
        try:
            csr_pem = base64.b64decode(request["certificateSigningRequest"], validate=True)
            csr = x509.load_pem_x509_csr(csr_pem)
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise RequestRejected(400, "missing or malformed certificateSigningRequest") from exc
        if not csr.is_signature_valid:
            raise RequestRejected(400, "the CSR's signature does not prove possession of its key")
        public_key = csr.public_key()
        if not isinstance(public_key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
            raise RequestRejected(400, "only ECDSA and RSA keys are certified")
        leaf = self._issue(public_key, claims)
        chain = [leaf.public_bytes(serialization.Encoding.PEM).decode("ascii"), self.ca_pem]
        if self._faults.chain_too_short:
            chain = chain[:1]
        return {"signedCertificateEmbeddedSct": {"chain": {"certificates": chain}}}

    def _issue(
        self, public_key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey, claims: Claims
    ) -> x509.Certificate:
        not_before = utc_now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(self.ca_certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_before + CERTIFICATE_LIFETIME)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._ca_key.public_key()),
                critical=False,
            )
        )
        san, extensions = _identity_extensions(claims)
        # The subject is empty, so the SAN must be critical (RFC 5280, section 4.2.1.6).
        builder = builder.add_extension(x509.SubjectAlternativeName([san]), critical=True)
        for oid, value in extensions:
            builder = builder.add_extension(x509.UnrecognizedExtension(oid, value), critical=False)

        # The SCT signs the TBS certificate without the SCT extension: sign that
        # "precertificate" first, then add the SCT as the last extension of the same TBS.
        precertificate = builder.sign(self._ca_key, hashes.SHA256())
        sct_list = self._sct_list(precertificate.tbs_certificate_bytes, int(not_before.timestamp()))
        certificate = builder.add_extension(
            x509.UnrecognizedExtension(_SCT_LIST_OID, der_octet_string(sct_list)), critical=False
        ).sign(self._ca_key, hashes.SHA256())
        if certificate.tbs_precertificate_bytes != precertificate.tbs_certificate_bytes:
            raise AssertionError("the certificate's TBS differs from the precertificate's")
        return certificate

    def _sct_list(self, tbs_precertificate: bytes, timestamp_seconds: int) -> bytes:
        """Return a TLS-encoded SignedCertificateTimestampList holding one v1 precert SCT."""
        timestamp_ms = timestamp_seconds * 1000
        issuer_key_hash = key_id(self._ca_key.public_key())
        tbs_length = struct.pack("!I", len(tbs_precertificate))[1:]  # opaque <1..2^24-1>
        signed = (
            struct.pack("!BBQH", 0, 0, timestamp_ms, 1)  # v1, certificate_timestamp, ms, precert
            + issuer_key_hash
            + tbs_length
            + tbs_precertificate
            + struct.pack("!H", 0)  # no CT extensions
        )
        if self._faults.bad_sct:
            signed += b"not what the log saw"
        signature = self.ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        sct = (
            struct.pack("!B32sQH", 0, key_id(self.ct_key.public_key()), timestamp_ms, 0)
            + struct.pack("!BBH", 4, 3, len(signature))  # sha256, ecdsa
            + signature
        )
        sct_entry = struct.pack("!H", len(sct)) + sct
        return struct.pack("!H", len(sct_entry)) + sct_entry


def _required(claims: Claims, name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise RequestRejected(400, f"identity token lacks the {name!r} claim")
    return value


def _identity_extensions(
    claims: Claims,
) -> tuple[x509.GeneralName, list[tuple[ObjectIdentifier, bytes]]]:
    """Return the SAN and Fulcio's OID extensions (DER values) that the claims justify."""
    issuer = _required(claims, "iss")
    extensions: list[tuple[ObjectIdentifier, bytes]] = [
        (_fulcio_oid(1), issuer.encode("utf-8")),  # deprecated form: raw bytes
        (_fulcio_oid(8), der_utf8_string(issuer)),
    ]
    if issuer != GITHUB_ISSUER:
        email = _required(claims, "email")
        if claims.get("email_verified") is not True:
            raise RequestRejected(400, "identity token's e-mail address is not verified")
        return x509.RFC822Name(email), extensions

    repository = _required(claims, "repository")
    ref = _required(claims, "ref")
    sha = _required(claims, "sha")
    event = _required(claims, "event_name")
    workflow_ref = _required(claims, "workflow_ref")
    signer_uri = f"{_GITHUB}/{_required(claims, 'job_workflow_ref')}"
    legacy = {2: event, 3: sha, 4: claims.get("workflow"), 5: repository, 6: ref}
    extensions += [(_fulcio_oid(arc), v.encode()) for arc, v in legacy.items() if isinstance(v, str)]
    owner = claims.get("repository_owner")
    run_id, attempt = claims.get("run_id"), claims.get("run_attempt")
    values: dict[int, object] = {
        9: signer_uri,
        10: claims.get("job_workflow_sha"),
        11: claims.get("runner_environment"),
        12: f"{_GITHUB}/{repository}",
        13: sha,
        14: ref,
        15: claims.get("repository_id"),
        16: f"{_GITHUB}/{owner}" if isinstance(owner, str) else None,
        17: claims.get("repository_owner_id"),
        18: f"{_GITHUB}/{workflow_ref}",
        19: claims.get("workflow_sha"),
        20: event,
        21: f"{_GITHUB}/{repository}/actions/runs/{run_id}/attempts/{attempt}" if run_id else None,
        22: claims.get("repository_visibility"),
    }
    extensions += [(_fulcio_oid(arc), der_utf8_string(v)) for arc, v in values.items() if isinstance(v, str)]
    return x509.UniformResourceIdentifier(signer_uri), extensions
