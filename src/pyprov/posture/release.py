"""Facts about one artifact of a release, from the evidence pyprov wrote beside it.

Signatures are checked with :func:`pyprov.verify.verify_artifacts` against an
`~pyprov.verify.policy.ObservedSigner` (every check but "is it the signer you expect",
which the report answers by naming the signer). Every other fact is read from the
evidence files through the bounded reader; a file that cannot be read or parsed makes its
facts ``unknown`` with the reason, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pyprov._internal.untrusted import UntrustedInputError, load_json, read_untrusted
from pyprov.evidence.layout import (
    ATTESTATION_SUFFIX,
    BUNDLE_SUFFIX,
    CPYTHON_BUNDLE_SUFFIX,
    CYCLONEDX_SUFFIX,
    PROVENANCE_BUNDLE_SUFFIX,
    PROVENANCE_SUFFIX,
    REBUILD_BUNDLE_SUFFIX,
    RECORD_SUFFIX,
    SPDX3_SUFFIX,
    SPDX_SUFFIX,
    default_evidence_directory,
    is_listed_artifact,
    split_artifacts,
)
from pyprov.posture.model import Fact, Item, PostureReport, ReleasePosture
from pyprov.posture.properties import RELEASE_PROPERTIES
from pyprov.posture.summary import summarize
from pyprov.verify import Trust, TrustSource, VerifyOptions, verify_artifacts
from pyprov.verify.policy import CertificateIdentity, ObservedSigner
from pyprov.verify.result import ArtifactResult
from pyprov.verify.trust import TrustLoader

MAX_EVIDENCE_BYTES = 32 << 20
"""The largest evidence file read (an SBOM of a large environment is a few MiB)."""
GOOD_VERDICTS = frozenset({"identical", "equivalent"})


def release_posture(
    paths: Sequence[Path], trust: TrustSource | Trust, *, evidence_dir: Path | None = None
) -> PostureReport:
    """The posture of the artifacts in ``paths`` (files, or directories listed as ``pyprov verify`` does).

    Evidence is looked for in ``evidence_dir`` (default: ``evidence/`` beside each artifact's
    directory) and PEP 740 attestations beside the artifact. The trust root is loaded once,
    only when there is a bundle to verify. Raises :class:`~pyprov.errors.ProjectError` when a
    path does not exist, no artifact is found, or the trust root cannot be loaded.
    """
    loader = TrustLoader(trust)
    items = _release_items(paths, loader, evidence_dir)
    return PostureReport(
        subject="release",
        items=items,
        summary=summarize(items, RELEASE_PROPERTIES),
        trust=loader.description("(not loaded: no Sigstore bundle to verify)"),
        notes=loader.notes(),
    )


def release_trend(releases: Sequence[Path], trust: TrustSource | Trust) -> PostureReport:
    """The posture of several releases, each a directory of artifacts, in the order given.

    Each release's evidence is looked for in ``evidence/`` beside its directory. A release
    is named by the version its artifacts' file names share, else by its directory. The
    report's ``items`` and ``summary`` are the last release's; ``releases`` holds them all.
    The trust root is loaded once. Raises :class:`~pyprov.errors.ProjectError` as
    :func:`release_posture` does.
    """
    from pyprov.errors import ProjectError  # noqa: PLC0415

    if len(releases) < 2:  # noqa: PLR2004 - a trend compares
        raise ProjectError("a trend needs at least two releases (dist directories)")
    loader = TrustLoader(trust)
    measured = [(path, _release_items([path], loader, None)) for path in releases]
    versions = [_version_of(items) for _, items in measured]
    unique = len(set(versions)) == len(versions) and None not in versions
    per_release = tuple(
        ReleasePosture(
            name=version if unique and version else str(path),
            items=items,
            summary=summarize(items, RELEASE_PROPERTIES),
        )
        for (path, items), version in zip(measured, versions, strict=True)
    )
    return PostureReport(
        subject="release",
        items=per_release[-1].items,
        summary=per_release[-1].summary,
        trust=loader.description("(not loaded: no Sigstore bundle to verify)"),
        notes=loader.notes(),
        releases=per_release,
    )


def _version_of(items: Sequence[Item]) -> str | None:
    """The version every artifact's file name gives, if they agree."""
    from packaging.utils import (  # noqa: PLC0415
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )
    from packaging.version import InvalidVersion  # noqa: PLC0415

    found = set()
    for item in items:
        try:
            if item.name.endswith(".whl"):
                found.add(str(parse_wheel_filename(item.name)[1]))
            else:
                found.add(str(parse_sdist_filename(item.name)[1]))
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            return None
    return found.pop() if len(found) == 1 else None


def _release_items(paths: Sequence[Path], loader: TrustLoader, evidence_dir: Path | None) -> tuple[Item, ...]:
    from pyprov.errors import ProjectError  # noqa: PLC0415

    artifacts = _artifacts(paths)
    if not artifacts:
        where = f" in {paths[0]}" if len(paths) == 1 else ""
        raise ProjectError(f"no artifact found{where}: name a dist/ directory or the files of a release")
    directories = {path: evidence_dir or default_evidence_directory(path.parent) for path in artifacts}
    bundles = [
        path
        for path in artifacts
        if signature_bundle(path, directories[path]).exists()
        or any((directories[path] / f"{path.name}{suffix}").exists() for suffix in _BUNDLES)
    ]
    loaded: Trust | None = None
    results: dict[Path, ArtifactResult] = {}
    if bundles:
        loaded = loader.get()
        for path in bundles:
            options = VerifyOptions(evidence_dir=directories[path])
            report = verify_artifacts([path], ObservedSigner(), loaded, options)
            results[path] = report.artifacts[0]
    return tuple(artifact_posture(path, directories[path], results.get(path), loaded) for path in artifacts)


_BUNDLES = (PROVENANCE_BUNDLE_SUFFIX, REBUILD_BUNDLE_SUFFIX)


def signature_bundle(artifact: Path, evidence_dir: Path) -> Path:
    """The artifact's signature bundle, found where ``pyprov verify`` finds one.

    pyprov's ``A.sigstore.json`` or CPython's ``A.sigstore`` (a release manager's signature
    published beside the tarball), in ``evidence_dir`` or beside the artifact: the first of
    these that exists, else ``A.sigstore.json`` in ``evidence_dir``.
    """
    candidates = [
        directory / f"{artifact.name}{suffix}"
        for suffix in (BUNDLE_SUFFIX, CPYTHON_BUNDLE_SUFFIX)
        for directory in (evidence_dir, artifact.parent)
    ]
    return next((path for path in candidates if path.is_file()), candidates[0])


def _artifacts(paths: Sequence[Path]) -> list[Path]:
    from pyprov.errors import ProjectError  # noqa: PLC0415

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.is_file() and is_listed_artifact(p.name))
        elif path.exists():
            found += split_artifacts([path])[0]
        else:
            raise ProjectError(f"no such file or directory: {path}")
    return found


def artifact_posture(
    artifact: Path, evidence_dir: Path, verified: ArtifactResult | None, trust: Trust | None
) -> Item:
    """Every fact about one artifact; ``verified`` is its verification result, if it had bundles."""
    name = artifact.name
    record = _document(evidence_dir / f"{name}{RECORD_SUFFIX}")
    statement = _document(evidence_dir / f"{name}{PROVENANCE_SUFFIX}")
    facts = [
        _signed(signature_bundle(artifact, evidence_dir), verified, trust),
        _provenance(evidence_dir / f"{name}{PROVENANCE_BUNDLE_SUFFIX}", statement, verified),
        *_isolation(record),
        _pinned(record),
        *_source(record),
        _sbom(
            evidence_dir / f"{name}{CYCLONEDX_SUFFIX}",
            evidence_dir / f"{name}{SPDX_SUFFIX}",
            evidence_dir / f"{name}{SPDX3_SUFFIX}",
        ),
        _reproducible(evidence_dir / f"{name}{REBUILD_BUNDLE_SUFFIX}", verified, trust),
        _pep740(artifact),
    ]
    return Item(name=name, sha256=verified.sha256 if verified else None, facts=tuple(facts))


class _Unreadable:
    """A file that exists but could not be read as JSON: why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _document(path: Path) -> dict[str, Any] | _Unreadable | None:
    """The JSON object in ``path``; ``None`` when there is no such file."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        document = load_json(read_untrusted(path, limit=MAX_EVIDENCE_BYTES, what="evidence"), path)
    except UntrustedInputError as error:
        return _Unreadable(f"{path.name}: {error.reason}")
    if not isinstance(document, dict):
        return _Unreadable(f"{path.name}: not a JSON object")
    return document


def _get(document: Mapping[str, Any], *keys: str) -> object:
    value: object = document
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _checks_of(verified: ArtifactResult | None, path: Path) -> list[Any]:
    if verified is None:
        return []
    return [check for check in verified.checks if check.source and Path(check.source).name == path.name]


def _bundle_verified(verified: ArtifactResult | None, path: Path) -> tuple[bool, str]:
    """Whether every check of the bundle ``path`` passed, and the first failure's reason."""
    checks = _checks_of(verified, path)
    failures = [check for check in checks if not check.ok]
    if failures:
        return False, failures[0].reason or failures[0].name
    return bool(checks), "" if checks else "not verified"


def _signed(bundle: Path, verified: ArtifactResult | None, trust: Trust | None) -> Fact:
    if not bundle.exists():
        name = bundle.name.removesuffix(BUNDLE_SUFFIX)
        return Fact(
            property="signed", status="no", value=f"no {bundle.name} or {name}{CPYTHON_BUNDLE_SUFFIX}"
        )
    ok, reason = _bundle_verified(verified, bundle)
    if not ok:
        return Fact(property="signed", status="no", value=f"{bundle.name} does not verify: {reason}")
    identity, log_id = _signer(bundle)
    signer = identity.describe() if identity else "verified"
    where = trust.log_of(log_id) if trust is not None else ""
    return Fact(property="signed", status="yes", value=f"{signer}; logged in {where}" if where else signer)


def _signer(bundle: Path) -> tuple[CertificateIdentity | None, object]:
    """The signer of a bundle that verified, from its certificate, and its log entry's log ID."""
    from sigstore.models import Bundle  # noqa: PLC0415 - slow import, only with a bundle

    try:
        data = read_untrusted(bundle, limit=MAX_EVIDENCE_BYTES, what="a Sigstore bundle")
        identity = CertificateIdentity.from_certificate(Bundle.from_json(data).signing_certificate)
        entries = _get(load_json(data, bundle), "verificationMaterial", "tlogEntries")
    except Exception:  # noqa: BLE001 - it verified a moment ago; a changed file names no one
        return None, None
    entry = entries[0] if isinstance(entries, list) and entries else None
    return identity, _get(entry, "logId", "keyId") if isinstance(entry, Mapping) else None


def _provenance(
    bundle: Path, statement: dict[str, Any] | _Unreadable | None, verified: ArtifactResult | None
) -> Fact:
    level = "no level claimed"
    if isinstance(statement, dict):
        claimed = _get(statement, "predicate", "buildDefinition", "internalParameters", "slsaBuildLevel")
        number = claimed.get("level") if isinstance(claimed, Mapping) else None
        if isinstance(number, int) and not isinstance(number, bool):
            signing = claimed.get("signing") if isinstance(claimed, Mapping) else None
            level = f"SLSA Build L{number} claimed" + (f" ({signing})" if isinstance(signing, str) else "")
        builder = _get(statement, "predicate", "runDetails", "builder", "id")
        if isinstance(builder, str):
            level += f", builder {_builder(builder)}"
    elif isinstance(statement, _Unreadable):
        level = f"unreadable: {statement.reason}"
    if not bundle.exists():
        return Fact(property="provenance", status="no", value=f"{level}; no {bundle.name}")
    ok, reason = _bundle_verified(verified, bundle)
    if not ok:
        return Fact(
            property="provenance", status="no", value=f"{level}; {bundle.name} does not verify: {reason}"
        )
    return Fact(property="provenance", status="yes", value=f"{level}; signed and verified")


LOCAL_BUILDER = "https://github.com/pyprov/pyprov/blob/main/docs/build-type-v1.md#builder-local-unverified"
"""pyprov's ``builder.id`` outside a hosted CI (docs/build-type-v1.md)."""


def _builder(builder_id: str) -> str:
    """``local (unverified)`` for pyprov's local builder, else the id (a CI workflow identity)."""
    return "local (unverified)" if builder_id == LOCAL_BUILDER else builder_id


def _isolation(record: dict[str, Any] | _Unreadable | None) -> list[Fact]:
    if not isinstance(record, dict):
        why = record.reason if isinstance(record, _Unreadable) else "no build record"
        return [Fact(property=name, status="unknown", value=why) for name in ("sandboxed", "hermetic")]
    isolation = _get(record, "environment", "isolation")
    if not isinstance(isolation, Mapping):
        why = "the build record does not say how build code was isolated"
        return [Fact(property=name, status="unknown", value=why) for name in ("sandboxed", "hermetic")]
    sandbox = isolation.get("sandbox")
    if isinstance(sandbox, str) and sandbox:
        sandboxed = Fact(property="sandboxed", status="yes", value=sandbox)
    else:
        reason = isolation.get("reason")
        why = f"no sandbox: {reason}" if isinstance(reason, str) and reason else "no sandbox"
        sandboxed = Fact(property="sandboxed", status="no", value=why)
    network = isolation.get("network")
    if network == "none":
        hermetic = Fact(property="hermetic", status="yes", value="network: none")
    elif isinstance(network, str):
        hermetic = Fact(property="hermetic", status="no", value=f"network: {network}")
    else:
        hermetic = Fact(property="hermetic", status="unknown", value="the build record names no network")
    return [sandboxed, hermetic]


def _pinned(record: dict[str, Any] | _Unreadable | None) -> Fact:
    if not isinstance(record, dict):
        why = record.reason if isinstance(record, _Unreadable) else "no build record"
        return Fact(property="pinned", status="unknown", value=why)
    installed = _get(record, "environment", "installed")
    if not isinstance(installed, list):
        return Fact(property="pinned", status="unknown", value="the build record lists no installed[]")
    entries = [entry for entry in installed if isinstance(entry, Mapping)]
    unpinned = [entry for entry in entries if not isinstance(entry.get("wheelSha256"), str)]
    if not entries or len(entries) != len(installed):
        return Fact(property="pinned", status="unknown", value="installed[] holds no distributions")
    if unpinned:
        names = ", ".join(str(entry.get("name")) for entry in unpinned[:3])
        more = f" and {len(unpinned) - 3} more" if len(unpinned) > 3 else ""  # noqa: PLR2004
        return Fact(
            property="pinned",
            status="no",
            value=f"{len(unpinned)} of {len(entries)} without a wheel SHA-256: {names}{more}",
        )
    return Fact(
        property="pinned", status="yes", value=f"{len(entries)} of {len(entries)} with a wheel SHA-256"
    )


def _source(record: dict[str, Any] | _Unreadable | None) -> list[Fact]:
    if not isinstance(record, dict):
        why = record.reason if isinstance(record, _Unreadable) else "no build record"
        return [Fact(property=name, status="unknown", value=why) for name in ("tagged", "clean")]
    git = _get(record, "source", "git")
    if not isinstance(git, Mapping):
        why = "not built from a git checkout"
        return [
            Fact(property="tagged", status="no", value=why),
            Fact(property="clean", status="unknown", value=why),
        ]
    tags = git.get("tags")
    if isinstance(tags, list) and tags:
        tagged = Fact(property="tagged", status="yes", value=", ".join(str(tag) for tag in tags[:5]))
    elif isinstance(tags, list):
        tagged = Fact(
            property="tagged", status="no", value=f"commit {str(git.get('commit'))[:12]} has no tag"
        )
    else:
        tagged = Fact(property="tagged", status="unknown", value="the build record names no tags")
    dirty = git.get("dirty")
    if dirty is False:
        clean = Fact(property="clean", status="yes", value="no modified files")
    elif dirty is True:
        modified = git.get("modified")
        count = f"{len(modified)} modified files" if isinstance(modified, list) else "modified files"
        clean = Fact(property="clean", status="no", value=count)
    else:
        clean = Fact(property="clean", status="unknown", value="the build record does not say")
    return [tagged, clean]


def _sbom(cyclonedx: Path, spdx: Path, spdx3: Path) -> Fact:
    from pyprov.sbom.quality import minimum_element_gaps  # noqa: PLC0415

    document = _document(cyclonedx)
    if document is None:
        for other in (spdx, spdx3):
            if other.exists():
                return Fact(
                    property="sbom", status="unknown", value=f"{other.name} only: NTIA checked on CycloneDX"
                )
        return Fact(property="sbom", status="no", value=f"no {cyclonedx.name}")
    if isinstance(document, _Unreadable):
        return Fact(property="sbom", status="no", value=f"unreadable: {document.reason}")
    gaps = minimum_element_gaps(document, "ntia")
    if gaps:
        return Fact(
            property="sbom",
            status="no",
            value=f"{len(gaps)} NTIA minimum elements missing, e.g. {gaps[0].message}",
        )
    return Fact(property="sbom", status="yes", value="NTIA minimum elements present")


def _reproducible(bundle: Path, verified: ArtifactResult | None, trust: Trust | None) -> Fact:
    if not bundle.exists():
        return Fact(property="reproducible", status="unknown", value="no rebuild statement")
    if trust is None or verified is None or verified.sha256 is None:
        return Fact(property="reproducible", status="unknown", value="the rebuild statement was not verified")
    try:
        predicate = _verified_predicate(bundle, verified.sha256, trust)
    except _NotVerified as error:
        return Fact(
            property="reproducible", status="unknown", value=f"{bundle.name} does not verify: {error}"
        )
    verdict = predicate.get("verdict")
    if verdict in GOOD_VERDICTS:
        return Fact(property="reproducible", status="yes", value=f"rebuild verdict: {verdict}")
    return Fact(property="reproducible", status="no", value=f"rebuild verdict: {verdict}")


class _NotVerified(Exception):  # noqa: N818 - an answer, caught in this module
    pass


def _verified_predicate(bundle: Path, sha256: str, trust: Trust) -> Mapping[str, Any]:
    """The predicate of a DSSE bundle whose signature verifies and whose subject is ``sha256``."""
    from sigstore.models import Bundle  # noqa: PLC0415

    try:
        data = read_untrusted(bundle, limit=MAX_EVIDENCE_BYTES, what="a Sigstore bundle")
        load_json(data, bundle)  # depth and syntax, with pyprov's messages
        payload_type, payload = trust.verifier.verify_dsse(Bundle.from_json(data), ObservedSigner())
    except UntrustedInputError as error:
        raise _NotVerified(error.reason) from error
    except Exception as error:  # sigstore raises many kinds on hostile input
        raise _NotVerified(str(error).splitlines()[0] if str(error) else type(error).__name__) from error
    if payload_type != "application/vnd.in-toto+json":
        raise _NotVerified(f"payload type {payload_type}")
    try:
        statement = load_json(payload, bundle)
    except UntrustedInputError as error:
        raise _NotVerified(error.reason) from error
    subjects = statement.get("subject") if isinstance(statement, dict) else None
    digests = [
        _get(subject, "digest", "sha256") for subject in subjects or [] if isinstance(subject, Mapping)
    ]
    if sha256 not in digests:
        raise _NotVerified("its subject is not this artifact")
    predicate = statement.get("predicate")
    if not isinstance(predicate, Mapping):
        raise _NotVerified("no predicate")
    return predicate


def _pep740(artifact: Path) -> Fact:
    directory = artifact.parent
    prefix = artifact.name + "."
    try:
        names = sorted(
            entry.name
            for entry in directory.iterdir()
            if entry.name.startswith(prefix) and entry.name.endswith(ATTESTATION_SUFFIX)
        )
    except OSError as error:
        return Fact(property="pep740", status="unknown", value=f"cannot list {directory}: {error.strerror}")
    if not names:
        return Fact(property="pep740", status="no", value="no .attestation beside the artifact")
    kinds = [name[len(prefix) : -len(ATTESTATION_SUFFIX)] or "attestation" for name in names]
    return Fact(property="pep740", status="yes", value=", ".join(kinds))
