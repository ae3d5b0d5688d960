"""The source repository and commit of a distribution, from its verified PEP 740 attestations.

A PEP 740 attestation made by a Trusted Publisher is signed with a Fulcio certificate
whose extensions name the repository and commit the release workflow ran on (Source
Repository URI and Source Repository Digest). :func:`attested_source` verifies each
attestation first, exactly as ``pyprov verify`` does (signature and transparency-log
proof under the trust root, exactly one subject with the artifact's SHA-256 and
distribution name, a PEP 740 predicate type), and reads the certificate's claims
(``pypi_attestations.Attestation.certificate_claims``) only once it verified. Any signer
is accepted: the attestation says where the source is, not that the signer is the one
expected (that is ``pyprov verify``'s question); the signer is reported with the source.

Attestations are found beside the artifact under the names PyPI's tools use
(``A.attestation``, ``A.<kind>.attestation``, ``A.provenance``), named explicitly, or
fetched from a package index (the provenance object PEP 740 serves for the file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pyprov._internal.untrusted import UntrustedInputError, check_depth
from pyprov.errors import ProjectError
from pyprov.verify.checks import CheckContext, check_dsse
from pyprov.verify.discovery import Artifact, UnreadableEvidenceError, discover, read_bounded, sha256_file
from pyprov.verify.policy import ObservedSigner
from pyprov.verify.trust import Trust, TrustSource, load_trust

if TYPE_CHECKING:
    from pypi_attestations import Attestation

# Fulcio's certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md),
# as pypi-attestations' certificate_claims names them.
SOURCE_REPOSITORY_URI = "1.3.6.1.4.1.57264.1.12"
SOURCE_REPOSITORY_DIGEST = "1.3.6.1.4.1.57264.1.13"
SOURCE_REPOSITORY_REF = "1.3.6.1.4.1.57264.1.14"

OFFLINE_PRODUCTION = TrustSource(kind="production", offline=True)
"""Sigstore's production instance, with the trusted root cached or embedded in sigstore-python."""

_REASON_LIMIT = 300
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REPOSITORY = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9_.~-]+)+")


@dataclass(frozen=True, slots=True, kw_only=True)
class AttestedSource:
    """Where a distribution was built from, as its verified attestations' certificates say."""

    repository: str
    """The Source Repository URI (``https://github.com/OWNER/NAME``)."""
    commit: str
    """The Source Repository Digest: the commit the publishing workflow ran on."""
    ref: str | None
    """The Source Repository Ref (``refs/tags/v1.0``), when the certificate has one."""
    signer: str
    """Who signed: the certificate's identity and issuer (and its build config)."""
    attestations: tuple[str, ...]
    """Each attestation that verified and named this source (a file, ``file#...`` in a provenance object)."""
    predicate_types: tuple[str, ...]
    """The predicate types of those attestations."""
    trust: str
    """The trust root they verified against."""


def find_attestations(artifact: Path) -> tuple[Path, ...]:
    """The PEP 740 attestations and provenance objects beside ``artifact``, by their usual names."""
    return tuple(item.path for item in discover(artifact) if item.format in ("attestation", "provenance"))


def attested_source(
    artifact: Path,
    attestations: Sequence[tuple[str, bytes]],
    trust: TrustSource | Trust = OFFLINE_PRODUCTION,
) -> AttestedSource:
    """Verify every attestation about ``artifact`` and return the source their certificates name.

    ``attestations`` are ``(label, JSON text)`` pairs: PEP 740 attestations or PyPI
    provenance objects (several attestations each). Every one must verify and name the
    same repository and commit. Raises :class:`~pyprov.errors.ProjectError` when none is
    given, one does not verify (its first failing check is the message), or they name no
    source or disagree; nothing of an attestation is used before it verified.
    """
    if not attestations:
        raise ProjectError(f"no PEP 740 attestation of {artifact.name}")
    subject = Artifact(label=str(artifact), sha256=sha256_file(artifact), path=artifact)
    loaded = trust if isinstance(trust, Trust) else load_trust(trust)
    context = CheckContext(verifier=loaded.verifier, policy=ObservedSigner(), trust=loaded.description)
    found: list[_Verified] = []
    for label, data in attestations:
        found += [
            _verify(attestation, subject, context, where) for where, attestation in _attestations(label, data)
        ]
    first = found[0]
    if any(item.source != first.source for item in found):
        named = "; ".join(f"{item.where}: {item.source[0]}@{item.source[1]}" for item in found)
        raise ProjectError(f"the attestations of {artifact.name} name different sources: {named}")
    repository, commit = first.source
    if repository is None or commit is None:
        raise ProjectError(
            f"the attestation {first.where} verified, but its signer, {first.signer}, "
            "names no source repository and commit",
            hint="only attestations signed by a CI workflow (a Trusted Publisher) name them; "
            "give --source GIT-URL@REV",
        )
    if not _REPOSITORY.fullmatch(repository) or not _COMMIT.fullmatch(commit):
        raise ProjectError(
            f"the attestation {first.where} names a source that is not an https URL and a commit: "
            f"{repository}@{commit}"
        )
    return AttestedSource(
        repository=repository,
        commit=commit,
        ref=first.claims.get(SOURCE_REPOSITORY_REF),
        signer=first.signer,
        attestations=tuple(item.where for item in found),
        predicate_types=tuple(dict.fromkeys(item.predicate_type for item in found)),
        trust=loaded.description,
    )


@dataclass(frozen=True, slots=True)
class _Verified:
    where: str
    claims: dict[str, str]
    signer: str
    predicate_type: str

    @property
    def source(self) -> tuple[str | None, str | None]:
        return self.claims.get(SOURCE_REPOSITORY_URI), self.claims.get(SOURCE_REPOSITORY_DIGEST)


def read_attestation_files(paths: Sequence[Path]) -> list[tuple[str, bytes]]:
    """Read attestation files (bounded, regular files only) as :func:`attested_source` takes them."""
    read = []
    for path in paths:
        try:
            read.append((str(path), read_bounded(path)))
        except UnreadableEvidenceError as error:
            raise ProjectError(f"cannot read the attestation {path}: {error}") from error
    return read


def attestations_from_index(artifact: Path, index_url: str) -> list[tuple[str, bytes]]:
    """The PEP 740 provenance object the index at ``index_url`` serves for ``artifact``.

    The artifact is looked up by its file name and must be listed with the same SHA-256.
    Returns an empty list when the index has no provenance for it. Raises
    :class:`~pyprov.errors.ProjectError` when the index cannot be read or does not list the file.
    """
    from pyprov.verify.index import fetch_provenance, project_files  # noqa: PLC0415 - urllib, only here

    try:
        name = (
            parse_wheel_filename(artifact.name)[0]
            if artifact.name.endswith(".whl")
            else parse_sdist_filename(artifact.name)[0]
        )
    except (InvalidWheelFilename, InvalidSdistFilename) as error:
        raise ProjectError(f"{artifact.name} is not a distribution file name: {error}") from error
    digest = sha256_file(artifact)
    listed = [item for item in project_files(index_url, name) if item.filename == artifact.name]
    if not listed:
        raise ProjectError(f"{index_url} does not list {artifact.name}")
    if all(item.sha256 != digest for item in listed):
        raise ProjectError(
            f"{index_url} lists another {artifact.name} (sha256 {listed[0].sha256[:12]}…, "
            f"this one has {digest[:12]}…)"
        )
    item = next(item for item in listed if item.sha256 == digest)
    data = fetch_provenance(item)
    return [] if data is None or item.provenance is None else [(item.provenance, data)]


def _attestations(label: str, data: bytes) -> list[tuple[str, Attestation]]:
    """The attestations of one file: itself, or each one of a provenance object."""
    from pypi_attestations import Attestation, Provenance  # noqa: PLC0415 - slow to import

    try:
        document: Any = json.loads(data)
        check_depth(document, label)
    except UntrustedInputError as error:
        raise ProjectError(f"cannot read the attestation {label}: {error.reason}") from error
    except (ValueError, RecursionError) as error:
        raise ProjectError(f"the attestation {label} is not JSON: {_first_line(error)}") from error
    if not isinstance(document, dict):
        raise ProjectError(f"the attestation {label} is not a JSON object")
    try:
        if "attestation_bundles" in document:
            provenance = Provenance.model_validate(document)
            found = [
                (f"{label}#attestation_bundles[{index}].attestations[{position}]", attestation)
                for index, bundle in enumerate(provenance.attestation_bundles)
                for position, attestation in enumerate(bundle.attestations)
            ]
        else:
            found = [(label, Attestation.model_validate(document))]
    except Exception as error:
        raise ProjectError(f"{label} is not a PEP 740 attestation: {_first_line(error)}") from error
    if not found:
        raise ProjectError(f"the provenance object {label} holds no attestation")
    return found


def _verify(attestation: Attestation, subject: Artifact, context: CheckContext, where: str) -> _Verified:
    """Verify one attestation as ``pyprov verify`` does; only then read its certificate's claims."""
    try:
        bundle = attestation.to_bundle()
    except Exception as error:
        raise ProjectError(f"{where} is not a PEP 740 attestation: {_first_line(error)}") from error
    outcome = check_dsse(bundle, subject, context, where, pep740=True)
    failure = next((check for check in outcome.checks if not check.ok), None)
    signer = next((check.found for check in outcome.checks if check.name == "signer" and check.ok), None)
    if failure is not None or signer is None:
        name, reason = (
            (failure.name, failure.reason) if failure is not None else ("signer", "not established")
        )
        raise ProjectError(
            f"the attestation {where} does not verify ({name}): {reason}",
            hint=f"it is not about {subject.name} (sha256 {subject.sha256[:12]}…)"
            if name == "subject"
            else f"attestations are verified against {context.trust}"
            if name == "signature"
            else None,
        )
    try:
        claims = attestation.certificate_claims
    except Exception as error:
        raise ProjectError(f"cannot read the certificate claims of {where}: {_first_line(error)}") from error
    return _Verified(where=where, claims=claims, signer=signer, predicate_type=_predicate(attestation))


def _predicate(attestation: Attestation) -> str:
    try:
        value = attestation.statement.get("predicateType")
    except (ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 1] + "…"
