"""The checks of one evidence file against one artifact, each reported as a `Check`.

A Sigstore bundle (message signature or DSSE), a PEP 740 attestation, or a PyPI
provenance object (several attestations) goes through the same steps: read (bounded),
parse, verify the signature and transparency-log proof under the trust root, apply the
signer policy, and, for a DSSE statement, check what sigstore-python leaves to its
caller: the payload type, exactly one subject naming this artifact's SHA-256 and file
name, a known predicate type, and for SLSA provenance the builder and source.

Nothing here raises for a hostile file: every problem becomes a failed check whose
reason says what was wrong. Statement contents are only read once their signature
verified.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from cryptography import x509
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pyprov._internal.untrusted import UntrustedInputError, check_depth
from pyprov._internal.urls import normal_repository_url
from pyprov.evidence.statement import STATEMENT_TYPE
from pyprov.verify.discovery import Artifact, Evidence, UnreadableEvidenceError, read_bounded
from pyprov.verify.policy import GITHUB_ISSUER, CertificateIdentity, RepositoryPolicy, SignerPolicy
from pyprov.verify.result import Check, failed, passed, warned

if TYPE_CHECKING:
    from sigstore.models import Bundle
    from sigstore.verify import Verifier

EvidenceKind = Literal["signature", "provenance", "sbom", "publish", "rebuild"]
"""What a verified evidence file proves: a signature over the file, or a statement about it."""

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
CYCLONEDX_BOM = "https://cyclonedx.org/bom"
PYPI_PUBLISH_V1 = "https://docs.pypi.org/attestations/publish/v1"
PREDICATE_KINDS: dict[str, EvidenceKind] = {
    SLSA_PROVENANCE_V1: "provenance",
    CYCLONEDX_BOM: "sbom",
    PYPI_PUBLISH_V1: "publish",
}
REBUILD_V1 = "https://github.com/pyprov/pyprov/blob/main/docs/rebuild.md#predicate-v1"
"""The predicate of ``pyprov rebuild --sign``'s statement, checked with the rebuilder policy."""
GOOD_REBUILD_VERDICTS = frozenset({"identical", "equivalent"})
PEP740_PREDICATES = frozenset({SLSA_PROVENANCE_V1, PYPI_PUBLISH_V1})
"""The predicate types PyPI accepts in attestations."""

_REASON_LIMIT = 400


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext:
    """What every evidence file of a call is checked against (shared by threads, read-only)."""

    verifier: Verifier
    policy: SignerPolicy
    trust: str
    builder_ids: tuple[str, ...] = ()
    rebuild_verdicts: frozenset[str] | None = None
    """Set in the rebuilder's context only: the rebuild verdicts accepted. Then ``policy`` is the
    rebuilder policy and the only statement accepted is a rebuild statement."""


@dataclass(slots=True)
class Outcome:
    """The checks of one evidence file, and what it proved when they all passed."""

    checks: list[Check] = field(default_factory=list)
    proved: set[EvidenceKind] = field(default_factory=set)

    def add(self, check: Check) -> bool:
        """Append ``check``; return whether it passed (so callers can stop at a failure)."""
        self.checks.append(check)
        return check.ok

    def extend(self, other: Outcome) -> None:
        """Append another outcome's checks and proofs."""
        self.checks += other.checks
        self.proved |= other.proved


def check_evidence(evidence: Evidence, artifact: Artifact, context: CheckContext) -> Outcome:
    """Run every check of ``evidence`` against ``artifact``; never raises for bad input."""
    source = str(evidence.path)
    outcome = Outcome()
    try:
        data = read_bounded(evidence.path)
    except UnreadableEvidenceError as error:
        outcome.add(failed("read", str(error), source=source))
        return outcome
    document = _parse_json(data, outcome, source)
    if document is None:
        return outcome
    try:
        check_depth(document, source)
    except UntrustedInputError as error:
        outcome.add(failed("parse", error.reason, source=source))
        return outcome
    if evidence.format in ("bundle", "rebuild"):
        check = check_rebuild_document if evidence.format == "rebuild" else check_bundle_document
        return check(document, artifact, context, source, raw=data)
    if evidence.format == "attestation":
        return check_attestation_document(document, artifact, context, source)
    return check_provenance_document(document, artifact, context, source)


def _parse_json(data: bytes, outcome: Outcome, source: str) -> dict[str, Any] | None:
    if not data.strip():
        outcome.add(failed("parse", "empty file", source=source))
        return None
    try:
        document = json.loads(data)
    except UnicodeDecodeError as error:
        outcome.add(failed("parse", f"not UTF-8 text: {error.reason} at byte {error.start}", source=source))
        return None
    except json.JSONDecodeError as error:
        ended = error.pos >= len(data.rstrip()) or error.msg.startswith("Unterminated string")
        truncated = "truncated JSON: " if ended else "malformed JSON: "
        reason = f"{truncated}{error.msg} at line {error.lineno} column {error.colno}"
        outcome.add(failed("parse", reason, source=source))
        return None
    except (ValueError, RecursionError) as error:
        outcome.add(failed("parse", f"malformed JSON: {_short(error)}", source=source))
        return None
    if not isinstance(document, dict):
        outcome.add(failed("parse", f"expected a JSON object, found {_json_type(document)}", source=source))
        return None
    return document


def check_bundle_document(
    document: dict[str, Any],
    artifact: Artifact,
    context: CheckContext,
    source: str,
    *,
    raw: bytes | None = None,
) -> Outcome:
    """Check a Sigstore bundle's JSON: a message signature over the artifact, or a DSSE statement.

    ``raw`` is the file's text that ``document`` was parsed from, if at hand (saves a round trip).
    """
    from sigstore.models import Bundle  # noqa: PLC0415 - sigstore is slow to import

    outcome = Outcome()
    if not document:
        outcome.add(failed("bundle", "empty bundle: no verification material and no content", source=source))
        return outcome
    envelope = document.get("dsseEnvelope")
    if envelope is not None:
        signatures = envelope.get("signatures") if isinstance(envelope, dict) else None
        if not isinstance(signatures, list) or len(signatures) != 1:
            count = len(signatures) if isinstance(signatures, list) else "no"
            reason = f"DSSE envelope has {count} signatures: exactly one is allowed"
            outcome.add(failed("bundle", reason, expected="1 signature", source=source))
            return outcome
    elif "messageSignature" not in document:
        outcome.add(failed("bundle", "no content: neither messageSignature nor dsseEnvelope", source=source))
        return outcome
    try:
        bundle = Bundle.from_json(raw if raw is not None else json.dumps(document))
    except Exception as error:  # noqa: BLE001 - any failure to parse hostile input is a failed check
        outcome.add(failed("bundle", f"not a valid Sigstore bundle: {_short(error)}", source=source))
        return outcome
    if envelope is not None:
        return check_dsse(bundle, artifact, context, source, pep740=False)
    return check_message_signature(bundle, artifact, context, source)


def check_rebuild_document(
    document: dict[str, Any],
    artifact: Artifact,
    context: CheckContext,
    source: str,
    *,
    raw: bytes | None = None,
) -> Outcome:
    """Check a rebuild statement (``A.rebuild.sigstore.json``) with the rebuilder's context.

    It must be a DSSE bundle (a plain signature would prove nothing about a rebuild), signed by
    whom the rebuilder policy names (its line is ``rebuilder``, not ``signer``: the publisher is
    someone else), whose statement has exactly this artifact as its subject, the rebuild
    predicate type and an accepted verdict.
    """
    outcome = Outcome()
    if context.rebuild_verdicts is None:
        outcome.add(
            failed("rebuilder", "no rebuilder policy: a rebuild statement is not checked", source=source)
        )
        return outcome
    if "dsseEnvelope" not in document:
        reason = "not a signed statement (no DSSE envelope): it says nothing about a rebuild"
        outcome.add(failed("rebuild", reason, expected="a signed in-toto statement", source=source))
        return outcome
    checked = check_bundle_document(document, artifact, context, source, raw=raw)
    checked.checks = [
        dataclasses.replace(check, name="rebuilder") if check.name == "signer" else check
        for check in checked.checks
    ]
    return checked


def check_attestation_document(
    document: dict[str, Any], artifact: Artifact, context: CheckContext, source: str
) -> Outcome:
    """Check a PEP 740 attestation (converted to a bundle as pypi-attestations does)."""
    from pypi_attestations import Attestation  # noqa: PLC0415

    outcome = Outcome()
    try:
        attestation = Attestation.model_validate(document)
        bundle = attestation.to_bundle()
    except Exception as error:  # noqa: BLE001 - any failure to parse hostile input is a failed check
        outcome.add(failed("attestation", f"not a valid PEP 740 attestation: {_short(error)}", source=source))
        return outcome
    return check_dsse(bundle, artifact, context, source, pep740=True)


def check_provenance_document(
    document: dict[str, Any], artifact: Artifact, context: CheckContext, source: str
) -> Outcome:
    """Check each attestation of a PyPI integrity-API provenance object.

    The publisher each bundle names is the index's claim, shown for information; every
    attestation is checked against the caller's policy, not against that claim.
    """
    from pypi_attestations import Provenance  # noqa: PLC0415

    outcome = Outcome()
    try:
        provenance = Provenance.model_validate(document)
    except Exception as error:  # noqa: BLE001 - any failure to parse hostile input is a failed check
        outcome.add(
            failed("provenance", f"not a valid PyPI provenance object: {_short(error)}", source=source)
        )
        return outcome
    attestations = [
        (index, position, bundle.publisher, attestation)
        for index, bundle in enumerate(provenance.attestation_bundles)
        for position, attestation in enumerate(bundle.attestations)
    ]
    if not attestations:
        outcome.add(failed("provenance", "no attestations in the provenance object", source=source))
        return outcome
    for index, position, publisher, attestation in attestations:
        where = f"{source}#attestation_bundles[{index}].attestations[{position}]"
        claimed = publisher.model_dump(mode="json", exclude_none=True)
        outcome.add(
            passed("publisher (as the index claims)", found=json.dumps(claimed, sort_keys=True), source=where)
        )
        try:
            bundle = attestation.to_bundle()
        except Exception as error:  # noqa: BLE001 - hostile input
            outcome.add(
                failed("attestation", f"not a valid PEP 740 attestation: {_short(error)}", source=where)
            )
            continue
        outcome.extend(check_dsse(bundle, artifact, context, where, pep740=True))
    return outcome


class _RecordingPolicy:
    """Runs the signer policy inside sigstore's verification and keeps its result.

    sigstore-python applies the policy half-way through verification (after the
    certificate chain and SCT, before the log entry and signature). Recording instead
    of raising lets the report show the signature and the signer as two lines; the
    artifact still fails when either fails, and the signer is only reported as matched
    when the whole verification succeeded.
    """

    def __init__(self, policy: SignerPolicy) -> None:
        self.policy = policy
        self.identity: CertificateIdentity | None = None
        self.problem: str | None = None

    def verify(self, cert: x509.Certificate) -> None:
        self.identity = CertificateIdentity.from_certificate(cert)
        try:
            problems = self.policy.mismatches(self.identity)
            if not problems:
                self.policy.cross_check(cert)  # sigstore-python's own check, where it has one
        except Exception as error:  # noqa: BLE001 - a malformed certificate fails the policy, no more
            problems = [_short(error)]
        self.problem = "; ".join(problems) if problems else None


def _verify_signature(
    run: Any,  # noqa: ANN401 - a closure calling the verifier with the recording policy
    outcome: Outcome,
    context: CheckContext,
    source: str,
    what: str,
) -> tuple[Any, _RecordingPolicy] | None:
    recorder = _RecordingPolicy(context.policy)
    expected = f"{what}, logged and proven in the transparency log"
    try:
        value = run(recorder)
    except Exception as error:  # noqa: BLE001 - sigstore raises more than VerificationError on hostile input
        outcome.add(failed("signature", _short(error), expected=expected, source=source))
        if recorder.problem is not None and recorder.identity is not None:
            # The certificate names someone else: that mismatch is the signer's line.
            claimed, mismatch = recorder.identity.describe(), recorder.problem
            expected_signer = context.policy.describe()
            outcome.add(failed("signer", mismatch, expected=expected_signer, found=claimed, source=source))
        else:
            # Without a valid signature nobody is established: showing the certificate's
            # identity next to an equal "expected" would read as a contradiction.
            outcome.add(failed("signer", "not established: the signature did not verify", source=source))
        return None
    outcome.add(passed("signature", expected=expected, found="valid", source=source))
    found = recorder.identity.describe() if recorder.identity else None
    if recorder.problem is not None or recorder.identity is None:
        reason = recorder.problem or "the policy was not applied"
        outcome.add(failed("signer", reason, expected=context.policy.describe(), found=found, source=source))
        return None
    outcome.add(passed("signer", expected=context.policy.describe(), found=found, source=source))
    return value, recorder


def check_message_signature(
    bundle: Bundle, artifact: Artifact, context: CheckContext, source: str
) -> Outcome:
    """Verify a message-signature bundle over the artifact's SHA-256 (no need to read it again)."""
    from sigstore.hashes import Hashed  # noqa: PLC0415
    from sigstore_models.common.v1 import HashAlgorithm  # noqa: PLC0415

    outcome = Outcome()
    hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(artifact.sha256))

    def run(policy: _RecordingPolicy) -> None:
        context.verifier.verify_artifact(hashed, bundle, policy)

    what = f"a signature over sha256:{artifact.sha256}"
    if _verify_signature(run, outcome, context, source, what) is not None:
        outcome.proved.add("signature")
    return outcome


def check_dsse(
    bundle: Bundle, artifact: Artifact, context: CheckContext, source: str, *, pep740: bool
) -> Outcome:
    """Verify a DSSE bundle, then the in-toto statement it carries against the artifact."""
    outcome = Outcome()

    def run(policy: _RecordingPolicy) -> tuple[str, bytes]:
        return context.verifier.verify_dsse(bundle, policy)

    verified = _verify_signature(run, outcome, context, source, "a signed in-toto statement")
    if verified is None:
        return outcome
    (payload_type, payload), recorder = verified
    statement = _statement(payload_type, payload, outcome, source)
    if statement is None:
        return outcome
    if not outcome.add(_subject_check(statement, artifact, source, pep740=pep740)):
        return outcome
    predicate_type = statement.get("predicateType")
    rebuild = context.rebuild_verdicts is not None
    known = (
        frozenset({REBUILD_V1}) if rebuild else PEP740_PREDICATES if pep740 else frozenset(PREDICATE_KINDS)
    )
    expected = " or ".join(sorted(known))
    if predicate_type not in known:
        reason = f"unknown predicate type {predicate_type!r}"
        outcome.add(
            failed("predicate type", reason, expected=expected, found=str(predicate_type), source=source)
        )
        return outcome
    outcome.add(passed("predicate type", expected=expected, found=predicate_type, source=source))
    kind: EvidenceKind = "rebuild" if rebuild else PREDICATE_KINDS[predicate_type]
    predicate = statement.get("predicate")
    if kind == "rebuild":
        checks = [_rebuild_check(predicate, context.rebuild_verdicts or GOOD_REBUILD_VERDICTS, source)]
    elif kind == "provenance":
        checks = _provenance_checks(predicate, context, recorder.identity, source)
    elif kind == "sbom":
        checks = [_sbom_check(predicate, source)]
    else:
        checks = []
    outcome.checks += checks
    if all(check.ok for check in outcome.checks):
        outcome.proved.add(kind)
    return outcome


def _statement(payload_type: str, payload: bytes, outcome: Outcome, source: str) -> dict[str, Any] | None:
    if payload_type != IN_TOTO_PAYLOAD_TYPE:
        outcome.add(
            failed(
                "statement",
                "not an in-toto payload",
                expected=IN_TOTO_PAYLOAD_TYPE,
                found=payload_type,
                source=source,
            )
        )
        return None
    try:
        statement = json.loads(payload)
        check_depth(statement, source)
    except UntrustedInputError as error:
        outcome.add(failed("statement", f"signed payload: {error.reason}", source=source))
        return None
    except (ValueError, RecursionError) as error:
        outcome.add(failed("statement", f"signed payload is not JSON: {_short(error)}", source=source))
        return None
    if not isinstance(statement, dict):
        found = _json_type(statement)
        outcome.add(failed("statement", f"expected a JSON object, found {found}", source=source))
        return None
    if statement.get("_type") != STATEMENT_TYPE:
        found = str(statement.get("_type"))
        reason = "not an in-toto Statement v1"
        outcome.add(failed("statement", reason, expected=STATEMENT_TYPE, found=found, source=source))
        return None
    outcome.add(passed("statement", expected=STATEMENT_TYPE, found=STATEMENT_TYPE, source=source))
    return statement


def _subject_check(statement: Mapping[str, Any], artifact: Artifact, source: str, *, pep740: bool) -> Check:
    """Exactly one subject, with this artifact's SHA-256 and file name (sigstore-python leaves it to us)."""
    name = artifact.name
    expected = f"{name or '(any name: artifact given by digest)'} sha256:{artifact.sha256}"
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1:
        count = len(subjects) if isinstance(subjects, list) else "no"
        reason = f"statement has {count} subjects: exactly one is allowed"
        return failed("subject", reason, expected=expected, source=source)
    subject = subjects[0]
    if not isinstance(subject, dict):
        return failed("subject", "the subject is not a JSON object", expected=expected, source=source)
    subject_name, digests = subject.get("name"), subject.get("digest")
    digest = digests.get("sha256") if isinstance(digests, dict) else None
    found = f"{subject_name} sha256:{digest}"
    if not isinstance(digest, str) or digest.lower() != artifact.sha256:
        reason = "the statement is about another file: SHA-256 differs"
        return failed("subject", reason, expected=expected, found=found, source=source)
    if name is not None:
        same = _same_distribution(subject_name, name) if pep740 else subject_name == name
        if not same:
            reason = f"the statement names another file: {subject_name!r}"
            if pep740 and not _is_distribution_name(name):
                reason = f"a PEP 740 attestation is for a Python distribution, and {name} is not one"
            return failed("subject", reason, expected=expected, found=found, source=source)
    return passed("subject", expected=expected, found=found, source=source)


def _same_distribution(subject_name: object, file_name: str) -> bool:
    """PEP 740's rule (as pypi-attestations): both parse as distribution file names, to the same parts."""
    if not isinstance(subject_name, str):
        return False
    try:
        return _parse_distribution(subject_name) == _parse_distribution(file_name)
    except (InvalidSdistFilename, InvalidWheelFilename, ValueError):
        return False


def _is_distribution_name(name: str) -> bool:
    try:
        _parse_distribution(name)
    except (InvalidSdistFilename, InvalidWheelFilename, ValueError):
        return False
    return True


def _parse_distribution(name: str) -> tuple[object, ...]:
    if name.endswith(".whl"):
        return tuple(parse_wheel_filename(name))
    if name.endswith((".tar.gz", ".zip")):
        return tuple(parse_sdist_filename(name))
    raise ValueError(f"not a distribution file name: {name}")


def _provenance_checks(
    predicate: object, context: CheckContext, signer: CertificateIdentity | None, source: str
) -> list[Check]:
    if not isinstance(predicate, dict):
        return [failed("provenance", "the SLSA predicate is not a JSON object", source=source)]
    details = predicate.get("runDetails")
    builder = details.get("builder") if isinstance(details, dict) else None
    builder_id = builder.get("id") if isinstance(builder, dict) else None
    checks: list[Check] = []
    allowed = " or ".join(context.builder_ids) if context.builder_ids else "any (no --builder-id given)"
    if not isinstance(builder_id, str) or not builder_id:
        checks.append(
            failed("builder id", "runDetails.builder.id is missing", expected=allowed, source=source)
        )
    elif context.builder_ids and builder_id not in context.builder_ids:
        reason = "builder not in the allow-list"
        checks.append(failed("builder id", reason, expected=allowed, found=builder_id, source=source))
    elif context.builder_ids and (unvouched := _builder_not_vouched_for(builder_id, signer)) is not None:
        checks.append(failed("builder id", unvouched, expected=allowed, found=builder_id, source=source))
    else:
        checks.append(passed("builder id", expected=allowed, found=builder_id, source=source))
    checks += _source_checks(predicate, context.policy, signer, source)
    return checks


def _builder_not_vouched_for(builder_id: str, signer: CertificateIdentity | None) -> str | None:
    """Why the signature does not vouch for ``builder_id``, or ``None`` when it does.

    A statement can claim any builder: an allow-list of builders means something only when
    the builder is the one that signed. For a GitHub Actions signer that is the workflow in
    the certificate (its Build Signer URI, also its SAN): an L2 workflow that wrote the id
    of an L3 reusable workflow into its statement is caught here.
    """
    if signer is None:
        return "the statement's signer is unknown, so nothing vouches for its builder"
    if signer.issuer != GITHUB_ISSUER:
        return (
            f"signed by {signer.describe()}, not by a build platform's workflow identity: "
            "the builder id is only claimed"
        )
    signing_workflow = signer.build_signer_uri or (signer.sans[0] if signer.sans else None)
    if signing_workflow != builder_id:
        return f"the statement claims builder {builder_id}, but it was signed by workflow {signing_workflow}"
    return None


def _source_checks(
    predicate: Mapping[str, Any], policy: SignerPolicy, signer: CertificateIdentity | None, source: str
) -> list[Check]:
    """The provenance's source repository and ref agree with the (verified) signing certificate.

    pyprov's buildType names them in ``externalParameters.source``; GitHub's workflow
    buildType in ``externalParameters.workflow``.
    """
    definition = predicate.get("buildDefinition")
    parameters = definition.get("externalParameters") if isinstance(definition, dict) else None
    where: Mapping[str, Any] = {}
    if isinstance(parameters, dict):
        for key in ("source", "workflow"):
            candidate = parameters.get(key)
            if isinstance(candidate, dict) and "repository" in candidate:
                where = candidate
                break
    repository, ref = where.get("repository"), where.get("ref")
    cert_repository = signer.source_repository_uri if signer else None
    if cert_repository is None:
        found = str(repository) if repository else "(none)"
        return [
            passed(
                "source repository",
                expected="any (the signer names no repository)",
                found=found,
                source=source,
            )
        ]
    checks = []
    if repository is None:
        # Absence of a claim is no contradiction: the signer's repository stands, and is shown.
        reason = "the provenance names no source repository: not compared with the signer's"
        checks.append(warned("source repository", reason, expected=cert_repository, source=source))
    elif not isinstance(repository, str) or normal_repository_url(repository) != normal_repository_url(
        cert_repository
    ):
        found = str(repository) if repository else "(none)"
        reason = "the provenance names another source repository than the signer's"
        checks.append(
            failed("source repository", reason, expected=cert_repository, found=found, source=source)
        )
    else:
        checks.append(passed("source repository", expected=cert_repository, found=repository, source=source))
    wanted = policy.accepted_refs() if isinstance(policy, RepositoryPolicy) else ()
    cert_ref = signer.source_repository_ref if signer else None
    if not isinstance(ref, str) or not ref:
        if wanted:
            reason = "the provenance names no ref, and the policy requires one"
            checks.append(
                failed("source ref", reason, expected=" or ".join(wanted), found="(none)", source=source)
            )
        else:
            checks.append(passed("source ref", expected=cert_ref or "any", found="(none)", source=source))
    elif cert_ref is not None and ref != cert_ref:
        reason = "the provenance names another ref than the signer's"
        checks.append(failed("source ref", reason, expected=cert_ref, found=ref, source=source))
    else:
        checks.append(passed("source ref", expected=cert_ref or "any", found=ref, source=source))
    return checks


def _rebuild_check(predicate: object, accepted: frozenset[str], source: str) -> Check:
    """The rebuild's verdict is one of ``accepted``; what it was rebuilt from is shown."""
    expected = " or ".join(sorted(accepted, reverse=True))
    if not isinstance(predicate, dict):
        return failed(
            "rebuild verdict", "the predicate is not a JSON object", expected=expected, source=source
        )
    verdict = predicate.get("verdict")
    origin = predicate.get("source")
    where = ""
    if isinstance(origin, dict) and isinstance(origin.get("location"), str):
        revision = origin.get("revision")
        where = f" (rebuilt from {origin['location']}{'@' + revision if isinstance(revision, str) else ''})"
    found = f"{verdict}{where}" if isinstance(verdict, str) else _json_type(verdict)
    if verdict in accepted:
        return passed("rebuild verdict", expected=expected, found=found, source=source)
    reason = (
        "the rebuild differs: the artifact holds something its source does not produce"
        if verdict == "differs"
        else f"the rebuild is {verdict}, not {expected}"
        if isinstance(verdict, str)
        else "the statement has no verdict"
    )
    return failed("rebuild verdict", reason, expected=expected, found=found, source=source)


def _sbom_check(predicate: object, source: str) -> Check:
    expected = "a CycloneDX document"
    if not isinstance(predicate, dict) or predicate.get("bomFormat") != "CycloneDX":
        found = predicate.get("bomFormat") if isinstance(predicate, dict) else _json_type(predicate)
        return failed(
            "sbom",
            "the predicate is not a CycloneDX SBOM",
            expected=expected,
            found=str(found),
            source=source,
        )
    version = predicate.get("specVersion")
    return passed("sbom", expected=expected, found=f"CycloneDX {version}", source=source)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number"}
    return names.get(type(value), "a number")


def _short(error: BaseException) -> str:
    """The first line of an error's message, bounded (messages may quote hostile input)."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    if "validation error" in text and len(lines) > 1:  # pydantic: the count, then where and why
        text = f"{text}: {' '.join(line.strip() for line in lines[1:3])}"
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 1] + "…"
