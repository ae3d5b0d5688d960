"""Facts about each file of a dependency set (a PEP 751 lock or a hashed requirements file), from an index.

For every pinned file the index lists, pyprov downloads it, compares its SHA-256 with the
index's and the lock's, fetches the PEP 740 provenance the index serves for it
(:mod:`pyprov.verify.index`), and verifies that provenance with
:func:`pyprov.verify.verify_artifacts` against the publisher it names (as
``pypi-attestations verify pypi`` does): the report says *who* published, the reader
judges whether that is the project's own repository.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pyprov._internal.untrusted import UntrustedInputError, load_json, read_untrusted_text
from pyprov.errors import ProjectError
from pyprov.posture.model import Fact, Item, PostureReport
from pyprov.posture.summary import summarize
from pyprov.verify import Trust, TrustSource, VerifyOptions, load_trust, verify_artifacts
from pyprov.verify.index import IndexFile, check_index_url, download, fetch_provenance, project_files
from pyprov.verify.policy import SignerPolicy, any_of, policy_from_publisher

MAX_REQUIREMENTS_BYTES = 16 << 20

DEPENDENCY_PROPERTIES = {
    "attested": "the index serves PEP 740 provenance for the file",
    "verified": "that provenance verifies (signature, transparency log, subject) for the publisher it names",
    "publisher": "the publisher of a verified attestation (kind, repository, workflow)",
    "hash": "the downloaded file's SHA-256 is the one the lock or requirements file pins",
    "not-yanked": "the index does not mark the file as yanked (PEP 592)",
}
"""Each property of a dependency file and what it measures, in report order."""

_HASH = re.compile(r"--hash[=\s]+sha256:([0-9a-fA-F]{64})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Pinned:
    """What a lock or requirements file pins: a project, a version or a file name, and SHA-256s."""

    project: str
    version: Version | None
    filename: str | None
    sha256: frozenset[str]
    where: str


def read_requirements(path: Path) -> list[Pinned]:
    """The ``NAME==VERSION`` lines of a requirements file with their ``--hash=sha256:`` values.

    Raises :class:`~pyprov.errors.ProjectError` for a line that is not pinned with ``==``,
    naming the line. Option lines (``--index-url``, ``-c``) are skipped.
    """
    try:
        text = read_untrusted_text(path, limit=MAX_REQUIREMENTS_BYTES, what="a requirements file")
    except UntrustedInputError as error:
        raise ProjectError(error.message) from error
    pinned = []
    for number, line in _logical_lines(text):
        hashes = frozenset(digest.lower() for digest in _HASH.findall(line))
        spec = _HASH.sub("", line).strip()
        if not spec or spec.startswith("-"):
            continue
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as error:
            raise ProjectError(f"{path}:{number}: not a requirement: {error}") from error
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
            raise ProjectError(f"{path}:{number}: {requirement.name} is not pinned as NAME==VERSION")
        try:
            version = Version(specifiers[0].version)
        except InvalidVersion as error:
            raise ProjectError(f"{path}:{number}: {specifiers[0].version!r} is not a version") from error
        pinned.append(
            Pinned(
                project=requirement.name,
                version=version,
                filename=None,
                sha256=hashes,
                where=f"{path}:{number}",
            )
        )
    return pinned


def _logical_lines(text: str) -> list[tuple[int, str]]:
    r"""Lines with ``\`` continuations joined and comments removed, with their first line number."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        lines.append((start, pending + line))
        pending = ""
    if pending:
        lines.append((start, pending))
    return lines


def read_lock_files(lock: Path) -> list[Pinned]:
    """The files a PEP 751 lock names, with their SHA-256s (:func:`pyprov.verify.lock.read_lock`)."""
    from pyprov.verify.lock import read_lock  # noqa: PLC0415

    locked, _ = read_lock(lock)
    return [
        Pinned(
            project=item.package,
            version=None,
            filename=item.name,
            sha256=frozenset({item.hashes["sha256"].lower()} if "sha256" in item.hashes else set()),
            where=f"{lock}: {item.where}",
        )
        for item in locked
    ]


def dependency_posture(
    pinned: Sequence[Pinned], trust: TrustSource | Trust, *, index_url: str
) -> PostureReport:
    """The posture of every file ``pinned`` names, as served by the index at ``index_url``.

    Raises :class:`~pyprov.errors.ProjectError` when the index cannot be read, a project is
    not on it, or the trust root cannot be loaded.
    """
    if not pinned:
        raise ProjectError("nothing pinned: the file names no NAME==VERSION and no file")
    check_index_url(index_url)
    loaded: list[Trust] = []

    def verifier() -> Trust:
        if not loaded:
            try:
                loaded.append(trust if isinstance(trust, Trust) else load_trust(trust))
            except ProjectError as error:
                raise _NoTrustRootError(error) from error
        return loaded[0]

    try:
        items = _measure(pinned, index_url, verifier)
    except _NoTrustRootError as error:
        raise error.error from None
    notes: tuple[str, ...] = ()
    if isinstance(trust, TrustSource) and trust.offline and loaded:
        notes = ("offline: the trusted root was not refreshed from Sigstore's TUF repository",)
    return PostureReport(
        subject="dependencies",
        items=tuple(items),
        summary=summarize(items, DEPENDENCY_PROPERTIES),
        trust=loaded[0].description if loaded else "(not loaded: no provenance to verify)",
        notes=notes,
    )


class _NoTrustRootError(Exception):
    """The trust root could not be loaded: the run stops (exit 2), no item is "unknown" for it."""

    def __init__(self, error: ProjectError) -> None:
        super().__init__(error.message)
        self.error = error


def _measure(pinned: Sequence[Pinned], index_url: str, verifier: Callable[[], Trust]) -> list[Item]:
    listings: dict[str, list[IndexFile]] = {}
    items: list[Item] = []
    with tempfile.TemporaryDirectory(prefix="pyprov-posture-") as temporary:
        directory = Path(temporary)
        for entry in pinned:
            key = canonicalize_name(entry.project)
            try:
                if key not in listings:
                    listings[key] = project_files(index_url, entry.project)
                chosen = _select(entry, listings[key])
                if not chosen:
                    items.append(_unknown(entry, f"the index does not list it ({entry.where})"))
                    continue
                items += [_file_posture(entry, item, directory, verifier) for item in chosen]
            except ProjectError as error:
                # The index could not answer (no such project, unreachable, malformed page):
                # nothing about this entry was measured, so every fact is unknown.
                items.append(_unknown(entry, error.message))
    return items


def _select(entry: Pinned, files: list[IndexFile]) -> list[IndexFile]:
    if entry.filename is not None:
        return [item for item in files if item.filename == entry.filename]
    of_version = [item for item in files if _version(item.filename, entry.project) == entry.version]
    if entry.sha256:
        return [item for item in of_version if item.sha256 in entry.sha256] or (
            of_version[:1] if of_version else []
        )
    return of_version


def _version(filename: str, project: str) -> Version | None:
    from pyprov.verify.index import _version as index_version  # noqa: PLC0415 - one parser of file names

    return index_version(filename, project)


def _unknown(entry: Pinned, why: str) -> Item:
    label = entry.filename or f"{entry.project}=={entry.version}"
    facts = [Fact(property=name, status="unknown", value=why) for name in DEPENDENCY_PROPERTIES]
    return Item(name=label, sha256=None, facts=tuple(facts))


def _file_posture(entry: Pinned, item: IndexFile, directory: Path, verifier: Callable[[], Trust]) -> Item:
    from pyprov.verify.index import _safe_filename  # noqa: PLC0415 - the index's file-name rule

    path = directory / _safe_filename(item.filename)
    digest = download(item.url, path)
    if not entry.sha256:
        hashed = Fact(property="hash", status="unknown", value=f"no sha256 hash pinned ({entry.where})")
    elif digest in entry.sha256 and digest == item.sha256:
        hashed = Fact(property="hash", status="yes", value=f"sha256:{digest}")
    else:
        hashed = Fact(
            property="hash",
            status="no",
            value=f"downloaded sha256:{digest}; pinned {', '.join(sorted(entry.sha256))}",
        )
    yanked = (
        Fact(property="not-yanked", status="yes", value="not yanked")
        if item.yanked is None
        else Fact(property="not-yanked", status="no", value=f"yanked: {item.yanked or 'no reason given'}")
    )
    provenance = fetch_provenance(item)
    if provenance is None:
        why = "the index serves no provenance"
        facts = [
            Fact(property="attested", status="no", value=why),
            Fact(property="verified", status="unknown", value=why),
            Fact(property="publisher", status="unknown", value=why),
        ]
    elif digest != item.sha256:
        why = "the downloaded file is not the one the index lists"
        facts = [
            Fact(property="attested", status="yes", value="PEP 740 provenance served"),
            Fact(property="verified", status="no", value=why),
            Fact(property="publisher", status="unknown", value=why),
        ]
    else:
        (directory / f"{path.name}.provenance").write_bytes(provenance)
        facts = [
            Fact(property="attested", status="yes", value="PEP 740 provenance served"),
            *_verified(path, provenance, verifier),
        ]
    return Item(name=item.filename, sha256=digest, facts=(*facts, hashed, yanked))


def _verified(path: Path, provenance: bytes, verifier: Callable[[], Trust]) -> list[Fact]:
    try:
        policy, publisher = _publisher_policy(load_json(provenance, f"{path.name}.provenance"))
    except (UntrustedInputError, ValueError) as error:
        reason = error.reason if isinstance(error, UntrustedInputError) else str(error)
        return [
            Fact(property="verified", status="no", value=f"unusable provenance: {reason}"),
            Fact(property="publisher", status="unknown", value="no publisher pyprov can check"),
        ]
    result = verify_artifacts([path], policy, verifier(), VerifyOptions(evidence_dir=path.parent)).artifacts[
        0
    ]
    if not result.ok:
        failure = result.failures[0]
        return [
            Fact(property="verified", status="no", value=f"{failure.name}: {failure.reason}"),
            Fact(property="publisher", status="unknown", value=f"claimed, not verified: {publisher}"),
        ]
    return [
        Fact(property="verified", status="yes", value="signature, transparency log and subject verified"),
        Fact(property="publisher", status="yes", value=publisher),
    ]


def _publisher_policy(document: object) -> tuple[SignerPolicy, str]:
    """The policy accepting any publisher the provenance names, and their description."""
    bundles = document.get("attestation_bundles") if isinstance(document, Mapping) else None
    publishers: list[dict[str, object]] = [
        bundle["publisher"]
        for bundle in bundles or []
        if isinstance(bundle, Mapping) and isinstance(bundle.get("publisher"), dict)
    ]
    if not publishers:
        raise ValueError("no publisher named")
    policies = [policy_from_publisher(publisher) for publisher in publishers]
    return any_of(policies), "; ".join(_describe(publisher) for publisher in publishers)


def _describe(publisher: Mapping[str, object]) -> str:
    kind = publisher.get("kind")
    where = publisher.get("repository") or publisher.get("email")
    workflow = publisher.get("workflow") or publisher.get("workflow_filepath")
    text = f"{kind} {where}"
    return f"{text} ({workflow})" if workflow else text
