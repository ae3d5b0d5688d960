"""PEP 751 lock files: every file the lock names that is in a directory, by hash and attestation.

``verify_lock(lock, files, trust)`` reads ``pylock.toml``, and for each package file
(sdist, wheel, or archive) found under its file name in ``files``: checks its size and
every hash the lock lists (with an algorithm hashlib knows; at least one), and when the
package has ``attestation-identities``, that an attestation beside the file verifies
against one of those identities (PEP 740 publishers: GitHub, GitLab, Google). Files of
the lock that are not in the directory (wheels for other platforms) are not checked; a
package none of whose files is there gets a warning. VCS and directory packages have no
file to check and get a warning too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from pyprov._internal.untrusted import load_toml, open_untrusted, read_untrusted_text
from pyprov.errors import ProjectError
from pyprov.verify.discovery import Artifact, discover, sha256_file
from pyprov.verify.result import ArtifactResult, Check, VerificationReport, failed, passed, warned
from pyprov.verify.trust import Trust, TrustSource, load_trust

if TYPE_CHECKING:
    from pyprov.verify import VerifyOptions
    from pyprov.verify.checks import Outcome
    from pyprov.verify.policy import SignerPolicy

MAX_LOCK_BYTES = 32 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class LockedFile:
    """One file a lock names: which package, its file name, hashes and size, and who may sign it."""

    package: str
    where: str
    name: str
    hashes: Mapping[str, str]
    size: int | None
    identities: tuple[Mapping[str, Any], ...] | None


def read_lock(lock: Path) -> tuple[list[LockedFile], list[Check]]:
    """Return the files ``lock`` names, and warnings for packages that have none.

    Raises :class:`~pyprov.errors.ProjectError` for an unreadable or malformed lock,
    saying where (``packages[3].wheels[0].hashes``).
    """
    data = load_toml(read_untrusted_text(lock, limit=MAX_LOCK_BYTES, what="a lock file"), lock)
    version = data.get("lock-version")
    if not isinstance(version, str) or version.split(".")[0] != "1":
        raise ProjectError(f"{lock}: unsupported lock-version {version!r} (pyprov reads 1.x)")
    packages = data.get("packages", [])
    if not isinstance(packages, list):
        raise ProjectError(f"{lock}: packages: expected an array of tables")
    files: list[LockedFile] = []
    warnings: list[Check] = []
    for index, package in enumerate(packages):
        where = f"packages[{index}]"
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            raise ProjectError(f"{lock}: {where}: expected a table with a name")
        identities = package.get("attestation-identities")
        if identities is not None and (
            not isinstance(identities, list) or not all(isinstance(item, dict) for item in identities)
        ):
            raise ProjectError(f"{lock}: {where}.attestation-identities: expected an array of tables")
        found = list(_package_files(lock, package, where, identities))
        if not found:
            kind = (
                "a VCS or directory package" if ("vcs" in package or "directory" in package) else "no files"
            )
            warnings.append(
                warned("lock", f"{package['name']} ({where}): {kind}, nothing to check", source=str(lock))
            )
        files += found
    return files, warnings


def _package_files(
    lock: Path, package: Mapping[str, Any], where: str, identities: list[Mapping[str, Any]] | None
) -> list[LockedFile]:
    entries: list[tuple[str, object]] = []
    if "sdist" in package:
        entries.append((f"{where}.sdist", package["sdist"]))
    if "archive" in package:
        entries.append((f"{where}.archive", package["archive"]))
    wheels = package.get("wheels", [])
    if not isinstance(wheels, list):
        raise ProjectError(f"{lock}: {where}.wheels: expected an array of tables")
    entries += [(f"{where}.wheels[{number}]", wheel) for number, wheel in enumerate(wheels)]
    files = []
    for path, entry in entries:
        if not isinstance(entry, dict):
            raise ProjectError(f"{lock}: {path}: expected a table")
        hashes = entry.get("hashes")
        if not isinstance(hashes, dict) or not hashes or not all(isinstance(v, str) for v in hashes.values()):
            raise ProjectError(f"{lock}: {path}.hashes: expected a table of algorithm = hex digest")
        size = entry.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
            raise ProjectError(f"{lock}: {path}.size: expected an integer")
        files.append(
            LockedFile(
                package=str(package["name"]),
                where=path,
                name=_file_name(lock, entry, path),
                hashes=hashes,
                size=size,
                identities=tuple(identities) if identities is not None else None,
            )
        )
    return files


def _file_name(lock: Path, entry: Mapping[str, Any], where: str) -> str:
    """The file name: ``name``, else the last part of ``url`` or ``path``; never a path."""
    name = entry.get("name")
    if not isinstance(name, str):
        url, path = entry.get("url"), entry.get("path")
        if isinstance(url, str):
            name = PurePosixPath(unquote(urlsplit(url).path)).name
        elif isinstance(path, str):
            name = PurePosixPath(path.replace("\\", "/")).name
    if not isinstance(name, str) or not name or name in {".", ".."} or any(c in name for c in "/\\\0"):
        raise ProjectError(f"{lock}: {where}: no usable file name (name, url or path)")
    return name


def verify_lock(
    lock: Path,
    files: Path,
    trust: TrustSource | Trust,
    options: VerifyOptions | None = None,
) -> VerificationReport:
    """Verify every file of ``lock`` that is in the directory ``files``.

    Raises :class:`~pyprov.errors.ProjectError` when the lock or directory is unusable.
    """
    from pyprov.verify import VerifyOptions  # noqa: PLC0415 - a cycle otherwise

    options = options or VerifyOptions()
    if not files.is_dir():
        raise ProjectError(f"--files: not a directory: {files}")
    locked, warnings = read_lock(lock)
    present = [item for item in locked if (files / item.name).is_file()]
    if not present:
        raise ProjectError(f"none of the {len(locked)} files {lock} names is in {files}")
    needs_trust = any(item.identities for item in present)
    loaded = (trust if isinstance(trust, Trust) else load_trust(trust)) if needs_trust else None

    def one(item: LockedFile) -> ArtifactResult:
        return _verify_locked(item, files, loaded, options)

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        results = list(pool.map(one, present))
    if warnings:
        results.append(ArtifactResult(artifact=str(lock), sha256=None, checks=tuple(warnings)))
    return VerificationReport(
        trust=loaded.description if loaded else "(not needed: no attestation-identities)",
        policy=f"per package: the attestation-identities of {lock}",
        artifacts=tuple(results),
    )


def _verify_locked(
    item: LockedFile, files: Path, trust: Trust | None, options: VerifyOptions
) -> ArtifactResult:
    from pyprov.verify.checks import Outcome  # noqa: PLC0415 - sigstore: only when verifying

    path = files / item.name
    try:
        digest = sha256_file(path)
    except ProjectError as error:
        return ArtifactResult(artifact=str(path), sha256=None, checks=(failed("read", error.message),))
    artifact = Artifact(label=str(path), sha256=digest, path=path)
    outcome = Outcome()
    for check in _hash_checks(path, item, digest):
        outcome.add(check)
    if (
        item.identities is not None
        and trust is not None
        and outcome.checks
        and all(c.ok for c in outcome.checks)
    ):
        _attestation_checks(item, artifact, trust, options, outcome)
    return ArtifactResult(artifact=str(path), sha256=digest, checks=tuple(outcome.checks))


def _hash_checks(path: Path, item: LockedFile, sha256: str) -> list[Check]:
    source = item.where
    checks: list[Check] = []
    if item.size is not None:
        size = path.stat().st_size
        if size != item.size:
            checks.append(
                failed(
                    "size",
                    "size differs from the lock",
                    expected=str(item.size),
                    found=str(size),
                    source=source,
                )
            )
        else:
            checks.append(passed("size", expected=str(item.size), found=str(size), source=source))
    known = {
        name.lower(): value.lower()
        for name, value in item.hashes.items()
        if name.lower() in hashlib.algorithms_guaranteed
    }
    if not known:
        listed = ", ".join(item.hashes) or "none"
        checks.append(failed("hash", f"no hash algorithm pyprov knows (listed: {listed})", source=source))
        return checks
    for name, expected in sorted(known.items()):
        found = sha256 if name == "sha256" else _digest(path, name)
        if found != expected:
            checks.append(
                failed(
                    f"{name}", "the file differs from the lock", expected=expected, found=found, source=source
                )
            )
        else:
            checks.append(passed(f"{name}", expected=expected, found=found, source=source))
    return checks


def _digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open_untrusted(path) as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(64) if algorithm.startswith("shake_") else digest.hexdigest()  # type: ignore[call-arg]


def _attestation_checks(
    item: LockedFile, artifact: Artifact, trust: Trust, options: VerifyOptions, outcome: Outcome
) -> None:
    from pyprov.verify.checks import CheckContext, check_evidence  # noqa: PLC0415 - sigstore
    from pyprov.verify.policy import any_of, policy_from_publisher  # noqa: PLC0415 - sigstore

    assert item.identities is not None  # noqa: S101 - checked by the caller
    source = f"{item.where} attestation-identities"
    if not item.identities:
        outcome.add(
            failed("attestation", "attestation-identities is empty: no signer is allowed", source=source)
        )
        return
    policies: list[SignerPolicy] = []
    for number, identity in enumerate(item.identities):
        try:
            policies.append(policy_from_publisher(dict(identity)))
        except ValueError as error:
            outcome.add(failed("attestation identity", str(error), source=f"{source}[{number}]"))
            return
    context = CheckContext(
        verifier=trust.verifier,
        policy=any_of(policies),
        trust=trust.description,
        builder_ids=options.builder_ids,
    )
    assert artifact.path is not None  # noqa: S101 - a file from the directory
    evidence = [e for e in discover(artifact.path, artifact.path.parent) if e.format != "bundle"]
    if not evidence:
        reason = f"the lock names attestation identities, but no attestation of {item.name} is beside it"
        outcome.add(failed("attestation", reason, expected=context.policy.describe(), source=source))
        return
    before = set(outcome.proved)
    for found in evidence:
        outcome.extend(check_evidence(found, artifact, context))
    if not (outcome.proved - before) & {"publish", "provenance"}:
        outcome.add(
            failed(
                "attestation", "no attestation verified", expected=context.policy.describe(), source=source
            )
        )
