"""Signing artifacts and their statements with Sigstore, and checking every bundle at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from pyprov._internal.der import utf8_string
from pyprov.errors import ProjectError, SigningError
from pyprov.evidence import SignedFile
from pyprov.evidence.layout import (
    BUNDLE_SUFFIX,
    PROVENANCE_BUNDLE_SUFFIX,
    PUBLISH_ATTESTATION_SUFFIX,
    SBOM_BUNDLE_SUFFIX,
    SLSA_ATTESTATION_SUFFIX,
)
from pyprov.evidence.statement import STATEMENT_TYPE, in_toto_statement
from pyprov.signing.identity import IdentitySource
from pyprov.signing.instance import Instance
from pyprov.signing.requests import retrying

if TYPE_CHECKING:
    from sigstore.models import Bundle
    from sigstore.oidc import IdentityToken
    from sigstore.sign import Signer, SigningContext
    from sigstore.verify import Verifier
    from sigstore.verify.policy import VerificationPolicy

CYCLONEDX_PREDICATE_TYPE = "https://cyclonedx.org/bom"
PUBLISH_PREDICATE_TYPE = "https://docs.pypi.org/attestations/publish/v1"

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class SigningSubject:
    """An artifact to sign, with the statements about it that are signed too."""

    name: str
    """The artifact's file name (the subject name of its statements)."""
    sha256: str
    provenance: bytes | None = None
    """The artifact's in-toto provenance statement (``<artifact>.intoto.json``), signed as DSSE."""
    sbom: bytes | None = None
    """The artifact's CycloneDX SBOM (``<artifact>.cdx.json``), signed as a CycloneDX attestation."""
    attestations: tuple[tuple[str, str, object], ...] = ()
    """Other statements about the artifact: ``(suffix, predicate type, predicate)``, each signed as
    DSSE into ``<artifact><suffix>`` in the evidence directory (``pyprov attest``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SigningResult:
    """What a signing run made, and who signed."""

    identity: str
    """The identity in the signing certificate (its SAN: an email or a URI)."""
    issuer: str
    """The OIDC issuer in the signing certificate."""
    instance: str
    files: tuple[tuple[SignedFile, ...], ...]
    """Per subject, in order: its signed files."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SigningPolicy:
    """How signing behaves: the instance, the identity, what to expect, and network patience."""

    instance: Instance
    identity: IdentitySource
    pep740_publish: bool = False
    """Also write a PEP 740 publish/v1 attestation (the PyPA publish action makes its own)."""
    expect_identity: str | None = None
    """Refuse to sign unless the token names exactly this identity."""
    expect_issuer: str | None = None
    attempts: int = 3
    backoff: float = 1.0
    """Seconds before the second attempt; doubled before each further one."""
    timeout: float = 30.0
    """Seconds any one network read or connect may take."""


def sign_subjects(subjects: Sequence[SigningSubject], policy: SigningPolicy) -> SigningResult:
    """Sign every subject with one ephemeral key and certificate, and verify each bundle.

    Each subject gets a message-signature bundle of the artifact, a DSSE bundle of its
    provenance statement and a PEP 740 SLSA attestation of it (when it has one), a
    CycloneDX attestation of its SBOM (when it has one), and with ``pep740_publish`` a
    publish/v1 attestation. Every bundle is verified against the instance's trust root
    and the signer's identity before it is returned: a service that answered wrongly
    makes signing fail. Nothing is written here; the caller publishes the files.
    """
    for subject in subjects:
        if subject.provenance is not None:
            check_describes(subject.provenance, subject.name, subject.sha256)
    from sigstore.sign import SigningContext  # noqa: PLC0415 - sigstore is slow to import
    from sigstore.verify import Verifier  # noqa: PLC0415

    config = policy.instance.client_trust_config()
    token = policy.identity.fetch(policy.instance)
    _check_expected_identity(token, policy)
    context = SigningContext.from_trust_config(config)
    signer = _retrying(policy, "get a signing certificate from Fulcio", lambda: _make_signer(context, token))
    signed = [_sign_one(signer, subject, policy) for subject in subjects]
    identity, issuer = (
        _certificate_identity(signed[0][0]) if signed else (token.identity, token.federated_issuer)
    )
    if policy.expect_identity is not None and identity != policy.expect_identity:
        raise SigningError(
            f"the signing certificate names {identity}, not the expected {policy.expect_identity}; "
            "nothing was written"
        )
    verifier = Verifier(trusted_root=config.trusted_root)
    verification = _identity_policy(identity, issuer)
    files = []
    for subject, (bundle, statements) in zip(subjects, signed, strict=True):
        _verify(verifier, verification, subject, bundle, statements)
        files.append(_files(subject, bundle, statements))
    return SigningResult(
        identity=identity, issuer=issuer, instance=policy.instance.description, files=tuple(files)
    )


_Signed = tuple["Bundle", dict[str, tuple["Bundle", bytes]]]


def _make_signer(context: SigningContext, token: IdentityToken) -> Signer:
    from sigstore.sign import Signer  # noqa: PLC0415

    # One ephemeral key and one certificate for the whole run (cache=True also keeps the
    # key that is in the certificate: sigstore 4.5's cache=False signs with another one).
    return Signer(token, context, cache=True)


def _sign_one(signer: Signer, subject: SigningSubject, policy: SigningPolicy) -> _Signed:
    from sigstore.hashes import Hashed  # noqa: PLC0415
    from sigstore_models.common.v1 import HashAlgorithm  # noqa: PLC0415

    hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(subject.sha256))
    bundle = _retrying(policy, "sign with Rekor", lambda: signer.sign_artifact(hashed))
    statements: dict[str, tuple[Bundle, bytes]] = {}
    if subject.provenance is not None:
        payload = subject.provenance
        statements[PROVENANCE_BUNDLE_SUFFIX] = (
            _retrying(policy, "sign the provenance with Rekor", _dsse(signer, payload)),
            payload,
        )
    if subject.sbom is not None:
        try:
            document = json.loads(subject.sbom)
        except ValueError as error:
            raise SigningError(f"the SBOM of {subject.name} is not JSON: {error}") from error
        sbom_statement = _statement(subject, CYCLONEDX_PREDICATE_TYPE, document)
        statements[SBOM_BUNDLE_SUFFIX] = (
            _retrying(policy, "sign the SBOM with Rekor", _dsse(signer, sbom_statement)),
            sbom_statement,
        )
    for suffix, predicate_type, predicate in subject.attestations:
        payload_bytes = _statement(subject, predicate_type, predicate)
        statements[suffix] = (
            _retrying(
                policy,
                "sign the attestation with Rekor",
                _dsse(signer, payload_bytes),
            ),
            payload_bytes,
        )
    if policy.pep740_publish and is_distribution(subject.name):
        publish = _statement(subject, PUBLISH_PREDICATE_TYPE, None)
        statements[PUBLISH_ATTESTATION_SUFFIX] = (
            _retrying(policy, "sign the publish attestation", _dsse(signer, publish)),
            publish,
        )
    return bundle, statements


def check_describes(statement: bytes, name: str, sha256: str) -> None:
    """Raise :class:`~pyprov.errors.ProjectError` unless ``statement`` is about this artifact alone.

    An in-toto Statement v1 whose one subject has the artifact's name and SHA-256: a
    statement about other files, or about this one and others, is never signed for it.
    """
    try:
        data = json.loads(statement)
    except (ValueError, RecursionError) as error:
        raise ProjectError(f"the provenance statement of {name} is not JSON; nothing was signed") from error
    subjects = data.get("subject") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("_type") != STATEMENT_TYPE:
        problem = "is not an in-toto Statement v1"
    elif not isinstance(subjects, list) or len(subjects) != 1:
        count = len(subjects) if isinstance(subjects, list) else 0
        problem = f"has {count} subjects, not exactly this artifact"
    else:
        (only,) = subjects
        digest = only.get("digest") if isinstance(only, dict) else None
        found = (
            only.get("name") if isinstance(only, dict) else None,
            digest.get("sha256") if isinstance(digest, dict) else None,
        )
        # repr(): the values come from a file and must not reach a terminal as they are.
        problem = (
            ""
            if found == (name, sha256.lower())
            else f"is about {ascii(found[0])[:80]} (sha256 {ascii(found[1])[:20]}), not this artifact"
        )
    if problem:
        raise ProjectError(
            f"the provenance statement of {name} {problem}; nothing was signed",
            hint="sign a statement whose one subject is the artifact's name and SHA-256",
        )


def _dsse(signer: Signer, payload: bytes) -> Callable[[], Bundle]:
    """The request that signs ``payload`` (an in-toto statement) as a DSSE envelope."""
    from sigstore.dsse import Statement  # noqa: PLC0415

    return lambda: signer.sign_dsse(Statement(payload))


def _statement(subject: SigningSubject, predicate_type: str, predicate: object) -> bytes:
    """An in-toto Statement v1 about the subject alone, as the bytes that get signed."""
    statement = in_toto_statement([(subject.name, subject.sha256)], predicate_type, predicate)
    return json.dumps(statement, separators=(",", ":"), sort_keys=True).encode()


def _verify(
    verifier: Verifier,
    policy: VerificationPolicy,
    subject: SigningSubject,
    bundle: Bundle,
    statements: dict[str, tuple[Bundle, bytes]],
) -> None:
    """Check each bundle as a consumer would; Sigstore's signing path checks none of it."""
    from sigstore.errors import VerificationError  # noqa: PLC0415
    from sigstore.hashes import Hashed  # noqa: PLC0415
    from sigstore_models.common.v1 import HashAlgorithm  # noqa: PLC0415

    hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(subject.sha256))
    try:
        verifier.verify_artifact(hashed, bundle, policy)
        verified = {
            suffix: verifier.verify_dsse(signed, policy)[1] for suffix, (signed, _) in statements.items()
        }
    except VerificationError as error:
        raise SigningError(
            f"the signature of {subject.name} does not verify against the trust root: {error}; "
            "nothing was written"
        ) from error
    for suffix, (_, payload) in statements.items():
        if verified[suffix] != payload:
            raise SigningError(
                f"the {suffix} bundle of {subject.name} holds another statement than the one signed"
            )


def _files(
    subject: SigningSubject, bundle: Bundle, statements: dict[str, tuple[Bundle, bytes]]
) -> tuple[SignedFile, ...]:
    from pypi_attestations import Attestation, ConversionError  # noqa: PLC0415

    files = [SignedFile(location="evidence", filename=subject.name + BUNDLE_SUFFIX, content=_json(bundle))]
    for suffix, (dsse_bundle, _) in statements.items():
        if suffix == PUBLISH_ATTESTATION_SUFFIX:
            continue
        files.append(
            SignedFile(location="evidence", filename=subject.name + suffix, content=_json(dsse_bundle))
        )
    attestations = {
        SLSA_ATTESTATION_SUFFIX: statements.get(PROVENANCE_BUNDLE_SUFFIX),
        PUBLISH_ATTESTATION_SUFFIX: statements.get(PUBLISH_ATTESTATION_SUFFIX),
    }
    for suffix, signed in attestations.items():
        # PEP 740 attestations are for Python distributions (PyPI takes nothing else).
        if signed is None or not is_distribution(subject.name):
            continue
        try:
            attestation = Attestation.from_bundle(signed[0])
        except ConversionError as error:
            raise SigningError(f"cannot make a PEP 740 attestation for {subject.name}: {error}") from error
        content = attestation.model_dump_json().encode()
        files.append(SignedFile(location="output", filename=subject.name + suffix, content=content))
    return tuple(files)


def is_distribution(filename: str) -> bool:
    """Whether ``filename`` is a wheel or sdist file name (what PEP 740 attestations are for)."""
    from packaging.utils import (  # noqa: PLC0415
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if filename.endswith(".whl"):
            parse_wheel_filename(filename)
        else:
            parse_sdist_filename(filename)
    except (InvalidSdistFilename, InvalidWheelFilename):
        return False
    return True


def _json(bundle: Bundle) -> bytes:
    return bundle.to_json().encode()


def _check_expected_identity(token: IdentityToken, policy: SigningPolicy) -> None:
    """Refuse before anything is logged when the token is not the identity the user expects."""
    if policy.expect_identity is not None and token.identity != policy.expect_identity:
        claims = getattr(token, "_unverified_claims", {})
        # GitHub tokens carry the workflow in job_workflow_ref; the certificate's SAN is its URL.
        workflow = claims.get("job_workflow_ref")
        if workflow is None or policy.expect_identity != f"https://github.com/{workflow}":
            raise SigningError(
                f"the identity token is for {token.identity}, not the expected {policy.expect_identity}; "
                "nothing was signed",
                hint="sign in with the expected account, or correct --expect-identity",
            )
    if policy.expect_issuer is not None and token.federated_issuer != policy.expect_issuer:
        raise SigningError(
            f"the identity token was issued by {token.federated_issuer}, not the expected "
            f"{policy.expect_issuer}; nothing was signed"
        )


def _certificate_identity(bundle: Bundle) -> tuple[str, str]:
    from cryptography import x509  # noqa: PLC0415
    from cryptography.x509.oid import ObjectIdentifier  # noqa: PLC0415

    certificate = bundle.signing_certificate
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    values = [
        *names.get_values_for_type(x509.RFC822Name),
        *names.get_values_for_type(x509.UniformResourceIdentifier),
    ]
    issuer_v2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
    try:
        raw = certificate.extensions.get_extension_for_oid(issuer_v2).value
        issuer = utf8_string(raw.value) if isinstance(raw, x509.UnrecognizedExtension) else ""
    except (x509.ExtensionNotFound, ValueError):
        issuer = ""
    if not values or not issuer:
        raise SigningError("the signing certificate names no identity or no issuer")
    return values[0], issuer


def _identity_policy(identity: str, issuer: str) -> VerificationPolicy:
    from sigstore.verify.policy import Identity  # noqa: PLC0415

    return Identity(identity=identity, issuer=issuer)


def _retrying(policy: SigningPolicy, what: str, call: Callable[[], _T]) -> _T:
    """Run one Sigstore request as ``policy`` says (timeout, attempts, backoff)."""
    return retrying(
        call,
        what=what,
        where=policy.instance.description,
        attempts=policy.attempts,
        backoff=policy.backoff,
        timeout=policy.timeout,
    )
