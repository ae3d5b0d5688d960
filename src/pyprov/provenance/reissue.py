"""Provenance written by the signing job of pyprov's reusable workflow (SLSA Build L3).

``.github/workflows/build-provenance.yml`` builds in a job that cannot reach the signing
identity (no ``id-token: write``) and hands over its artifacts, build records and SBOMs,
with the SHA-256 of every handed-over file and of the artifacts as job outputs (which
the platform carries, out of reach of the caller's other jobs). A second job, which
holds the identity and runs no code of the caller's project, calls
:func:`reissue_provenance`. Before anything is written (let alone signed) it checks that
the hand-over is exactly what the build job listed, re-hashes each artifact, and checks
that each build record describes *this* workflow run and the workflow call's inputs as
the signing job's own context states them. It then writes ``<artifact>.intoto.json``
(``docs/build-type-workflow-v1.md``), whose ``externalParameters``, builder and run come
from the signing job itself; the build job's report fills only the fields SLSA v1.0
lets a tenant fill, labelled as such.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pyprov import __version__
from pyprov._internal.files import write_atomic
from pyprov._internal.hashing import hash_file
from pyprov._internal.untrusted import load_json, read_untrusted
from pyprov._internal.urls import normal_repository_url
from pyprov.errors import OutputError, ProjectError, VerificationError
from pyprov.evidence import EvidenceFile
from pyprov.evidence.layout import PROVENANCE_SUFFIX, RECORD_SUFFIX
from pyprov.provenance.check import check_statement
from pyprov.provenance.level import BuildLevel, run_level
from pyprov.provenance.statement import dump_statement
from pyprov.provenance.workflow import SigningRun, make_workflow_statement, package_subdirectory
from pyprov.record import BuildRecord, GitHubContext

BYPRODUCT_SUFFIXES = (RECORD_SUFFIX, ".cdx.json", ".spdx.json")
"""Evidence of the build job named as byproducts, in the order ``pyprov build`` writes it."""
MAX_RECORD_BYTES = 16 << 20
MAX_HANDOVER_FILES = 10_000
_SHA256 = re.compile(r"[0-9a-f]{64}")
_WORKFLOW_REF = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/\.github/workflows/[A-Za-z0-9_.-]+\.ya?ml@\S+")
RELEASE_REF = re.compile(r"refs/tags/v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?")
"""The only refs the reusable workflow signs from: a full release tag (``refs/tags/v1.2.3``).

A branch, or a major-version tag (``v1``) that is moved from release to release, can
change under the same name, and a commit SHA cannot show that the code is a release (a
SHA of a fork in the same network resolves through the parent repository), so verifiers
could not tell which builder code ran; slsa-github-generator has the same rule.
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReissuedProvenance:
    """One statement written by :func:`reissue_provenance`."""

    artifact: Path
    sha256: str
    statement: Path
    level: BuildLevel
    builder_id: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``pyprov provenance reissue --json``."""
        return {
            "artifact": str(self.artifact),
            "sha256": self.sha256,
            "statement": str(self.statement),
            "builderId": self.builder_id,
            "slsaBuildLevel": self.level.to_dict(),
        }


def parse_expected_hashes(text: str) -> dict[str, str]:
    """Read ``sha256sum`` lines (``<hex>  <file name>``), plain or base64-encoded, as name -> digest.

    The base64 form is what the build job of the reusable workflow puts in its ``hashes``
    output (as slsa-github-generator's ``base64-subjects``). Raises ``ProjectError``
    saying which line is malformed.
    """
    stripped = text.strip()
    if stripped and not _looks_like_sha256sum(stripped):
        try:
            stripped = base64.b64decode(stripped, validate=True).decode("utf-8").strip()
        except (binascii.Error, UnicodeDecodeError) as error:
            raise ProjectError(
                f"expected hashes: neither sha256sum lines nor base64 of them: {error}"
            ) from error
    hashes: dict[str, str] = {}
    for number, line in enumerate(stripped.splitlines(), start=1):
        digest, _, name = line.partition(" ")
        name = name.lstrip(" ").removeprefix("*")  # sha256sum's binary-mode marker
        if not _SHA256.fullmatch(digest) or not name:
            raise ProjectError(f"expected hashes, line {number}: expected '<sha256 hex>  <file name>'")
        if name in hashes:
            raise ProjectError(f"expected hashes, line {number}: {name} is listed twice")
        hashes[name] = digest
    if not hashes:
        raise ProjectError("expected hashes: no artifact is listed")
    return hashes


def _looks_like_sha256sum(text: str) -> bool:
    return bool(_SHA256.match(text)) and " " in text.splitlines()[0]


def builder_id_from_token(token: str, *, server_url: str = "https://github.com") -> str:
    """Return the reusable workflow's identity from a GitHub Actions identity token.

    The ``job_workflow_ref`` claim (``OWNER/REPO/.github/workflows/FILE@REF``) names the
    workflow file whose job is running, which for a reusable workflow is the reusable
    workflow itself (the ``github`` context names the caller's). Fulcio puts the same
    value in the certificate's SAN, so ``builder.id`` equals the signer's identity. The
    token's signature is not checked: it comes straight from the platform's token
    endpoint in the job that reads it, and Fulcio checks it when signing.
    """
    parts = token.strip().split(".")
    if len(parts) != 3:  # noqa: PLR2004 - header, payload, signature
        raise ProjectError("the identity token is not a JWT")
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError) as error:
        raise ProjectError(f"the identity token's claims are unreadable: {error}") from error
    workflow = claims.get("job_workflow_ref") if isinstance(claims, dict) else None
    if not isinstance(workflow, str) or not _WORKFLOW_REF.fullmatch(workflow):
        raise ProjectError(
            f"the identity token names no usable job_workflow_ref (found {workflow!r})",
            hint="run in GitHub Actions, in a job with `permissions: id-token: write`",
        )
    return f"{server_url.rstrip('/')}/{workflow}"


def ambient_builder_id(environ: Mapping[str, str]) -> str:
    """Ask the GitHub Actions token endpoint for a token and return its :func:`builder_id_from_token`."""
    import id as oidc_id  # noqa: PLC0415 - only this path talks to the token endpoint

    if environ.get("GITHUB_ACTIONS") != "true" or "ACTIONS_ID_TOKEN_REQUEST_URL" not in environ:
        raise ProjectError(
            "cannot tell the builder: not in a GitHub Actions job that may request an identity token",
            hint="give --builder-id, or grant the job `permissions: id-token: write`",
        )
    try:
        # An audience of our own: the token is read for its claims and thrown away.
        token = oidc_id.detect_credential(audience="pyprov")
    except oidc_id.IdentityError as error:
        raise ProjectError(f"cannot get the GitHub Actions identity token: {error}") from error
    if token is None:
        raise ProjectError("the GitHub Actions token endpoint gave no identity token")
    return builder_id_from_token(token, server_url=environ.get("GITHUB_SERVER_URL", "https://github.com"))


def release_builder_problem(builder_id: str) -> str | None:
    """Why ``builder_id`` is not a reusable workflow at a release tag, or ``None`` when it is.

    ``https://<server>/<owner>/<repo>/.github/workflows/<file>.yml@refs/tags/vX.Y.Z``.
    """
    location, at, ref = builder_id.rpartition("@")
    if not builder_id.startswith("https://") or "/.github/workflows/" not in location or not at:
        return f"not a reusable workflow identity: {builder_id!r}"
    if not RELEASE_REF.fullmatch(ref):
        return (
            f"the reusable workflow runs at {ref!r}, not at a release tag (refs/tags/vX.Y.Z): "
            "a branch or a major tag can move and a commit cannot show it is a release"
        )
    return None


def reissue_provenance(
    artifacts: Sequence[Path],
    *,
    evidence_dir: Path,
    expected: Mapping[str, str],
    builder_id: str,
    environ: Mapping[str, str],
    inputs: Mapping[str, str | bool],
    handover: Path,
    handover_digests: Mapping[str, str],
    config_settings: Mapping[str, str | list[str]],
    output_dir: Path | None = None,
) -> tuple[ReissuedProvenance, ...]:
    """Check the handed-over ``artifacts`` and write their L3 provenance into ``output_dir``.

    ``handover`` is the directory the hand-over was downloaded to; ``handover_digests``
    maps every file in it (path relative to it) to the SHA-256 the build job listed in its
    job output, and the directory must hold exactly those files. ``expected`` maps each
    artifact's file name to the SHA-256 the build job reported; ``environ`` is the
    signing job's environment (its ``GITHUB_*`` variables describe the run) and
    ``inputs`` the workflow call's inputs as the platform gave them to the signing job;
    ``config_settings`` the PEP 517 config settings its ``extra-args`` input makes (parsed
    as ``pyprov build`` parses them). ``output_dir`` defaults to ``evidence_dir``.

    Every problem with every artifact is collected, then raised at once:
    :class:`~pyprov.errors.VerificationError` (exit 4) when the hand-over, an artifact or
    a record does not match, :class:`~pyprov.errors.ProjectError` (exit 2) when something
    is missing or unreadable. Nothing is written unless every check passed.
    """
    github = GitHubContext.from_environ(environ)
    if github is None:
        raise ProjectError(
            "provenance reissue runs in the signing job of pyprov's reusable workflow (GITHUB_ACTIONS=true)"
        )
    problem = release_builder_problem(builder_id)
    if problem is not None:
        raise VerificationError(problem, hint="call the reusable workflow at a release tag: @vX.Y.Z")
    if not artifacts:
        raise ProjectError("nothing to reissue: name the artifacts the build job handed over")
    run = SigningRun(
        github=github,
        event_name=environ.get("GITHUB_EVENT_NAME", ""),
        inputs=dict(inputs),
        config_settings=dict(config_settings),
    )
    try:
        subdirectory = package_subdirectory(str(inputs["package-dir"]))
    except (KeyError, ValueError) as error:
        raise ProjectError(f"workflow inputs: {error}") from error
    handover_problems = _handover_problems(handover, handover_digests, [*artifacts, evidence_dir])
    if not handover_problems:
        handover_problems = _layout_problems(handover, handover_digests, artifacts, evidence_dir)
    if handover_problems:
        raise VerificationError(
            "the hand-over is not what the build job listed: " + "; ".join(handover_problems),
            hint="nothing was written; another job of the run may have replaced the hand-over artifact",
        )
    given = {path.name: path for path in artifacts}
    problems = _given_problems(artifacts, given, expected)
    if problems:
        raise VerificationError("; ".join(problems))

    checked: list[tuple[Path, str, BuildRecord]] = []
    digests = {name: hash_file(path).sha256 for name, path in given.items()}
    for name, path in given.items():
        record = _load_record(evidence_dir / f"{name}{RECORD_SUFFIX}")
        problems += _artifact_problems(name, digests, expected[name], record)
        problems += _run_problems(name, record, github)
        problems += _input_problems(name, record, run, subdirectory)
        checked.append((path, digests[name], record))
    problems += _distribution_problems([record for _, _, record in checked], inputs)
    if problems:
        raise VerificationError(
            "the handed-over build does not match: " + "; ".join(problems),
            hint="nothing was written; the build job's artifacts or records changed on the way, "
            "or describe another run",
        )

    level = run_level([github], signing="isolated-reusable-workflow")
    target_dir = evidence_dir if output_dir is None else output_dir
    written: list[tuple[ReissuedProvenance, bytes]] = []
    for path, sha256, record in checked:
        statement = make_workflow_statement(
            record,
            sha256=sha256,
            run=run,
            builder_id=builder_id,
            level=level,
            evidence=_byproducts(evidence_dir, path.name),
        )
        check_statement(statement)
        target = target_dir / f"{path.name}{PROVENANCE_SUFFIX}"
        item = ReissuedProvenance(
            artifact=path, sha256=sha256, statement=target, level=level, builder_id=builder_id
        )
        written.append((item, dump_statement(statement)))
    _write_all(written)
    return tuple(item for item, _ in written)


def _given_problems(
    artifacts: Sequence[Path], given: Mapping[str, Path], expected: Mapping[str, str]
) -> list[str]:
    problems = []
    if len(given) != len(artifacts):
        problems.append("an artifact file name is given twice")
    problems += [
        f"{name}: not given, but the build job reported it" for name in expected if name not in given
    ]
    problems += [
        f"{name}: not built by the build job (no reported digest)" for name in given if name not in expected
    ]
    problems += [f"{name}: not a distribution file name" for name in given if not _is_distribution(name)]
    return problems


def _write_all(written: Sequence[tuple[ReissuedProvenance, bytes]]) -> None:
    for item, content in written:
        try:
            item.statement.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(item.statement, content)
        except OSError as error:
            raise OutputError(f"cannot write {item.statement}: {error.strerror or error}") from error


def parse_handover_digests(text: str) -> dict[str, str]:
    """Read the build job's list of every handed-over file: ``sha256sum`` lines, plain or base64.

    Paths are relative to the hand-over's root (``dist/x.whl``, ``evidence/x.whl.build.json``).
    Raises ``ProjectError`` for a malformed line or a path that is absolute or leaves the root.
    """
    digests = parse_expected_hashes(text)
    for name in digests:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or str(path) != name or name.startswith("./"):
            raise ProjectError(f"hand-over digests: {name!r} is not a plain relative path")
    return digests


def _handover_problems(root: Path, listed: Mapping[str, str], inside: Sequence[Path]) -> list[str]:
    """Where the directory ``root`` differs from the build job's list (missing, extra, changed files).

    Only regular files may be there: a symbolic link, FIFO or device is a problem, never
    followed or opened. ``inside`` are paths the caller will read, which must lie in ``root``.
    """
    problems: list[str] = []
    base = root.resolve()
    for path in inside:
        resolved = path.resolve()
        if resolved != base and base not in resolved.parents:
            problems.append(f"{path} is not inside the hand-over {root}")
    found: dict[str, Path] = {}
    for directory, subdirectories, files in os.walk(root, followlinks=False):
        for name in [*subdirectories, *files]:
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                continue
            if not stat.S_ISREG(mode):
                problems.append(f"{relative}: not a regular file")
            elif len(found) >= MAX_HANDOVER_FILES:
                problems.append(f"more than {MAX_HANDOVER_FILES} files")
                return problems
            else:
                found[relative] = path
    problems += [f"{name}: listed by the build job, not handed over" for name in listed if name not in found]
    problems += [f"{name}: handed over, not listed by the build job" for name in found if name not in listed]
    for name in sorted(set(found) & set(listed)):
        sha256 = hash_file(found[name]).sha256
        if not hmac.compare_digest(sha256, listed[name].lower()):
            problems.append(f"{name}: sha256 is {sha256}, the build job listed {listed[name]}")
    return problems


def _layout_problems(
    root: Path, listed: Mapping[str, str], artifacts: Sequence[Path], evidence_dir: Path
) -> list[str]:
    """Files of the hand-over that are neither an artifact nor an artifact's record or SBOM.

    The signing job copies the build job's evidence next to what it signed: a file named
    like a statement or a bundle would pass for the builder's.
    """
    names = {path.name for path in artifacts}
    artifact_paths = {path.resolve() for path in artifacts}
    evidence = evidence_dir.resolve()
    allowed = {f"{name}{suffix}" for name in names for suffix in BYPRODUCT_SUFFIXES}
    problems = []
    for relative in listed:
        path = (root / relative).resolve()
        if path in artifact_paths or (path.parent == evidence and path.name in allowed):
            continue
        if path.parent == evidence and path.name == ".gitignore":
            continue  # pyprov build marks the evidence directory it creates: not evidence, never signed
        problems.append(f"{relative}: neither a distribution nor its build record or SBOM")
    return problems


def _input_problems(name: str, record: BuildRecord, run: SigningRun, subdirectory: str) -> list[str]:
    """Where the record disagrees with the workflow call's inputs, the run's ref or this pyprov."""
    git = record.source.git
    problems = []
    found_settings = dict(record.invocation.config_settings)
    if found_settings != run.config_settings:
        problems.append(
            f"{name}: the build record's config settings are {found_settings}, "
            f"the extra-args input makes {run.config_settings}"
        )
    if record.invocation.pyprov_version != __version__:
        problems.append(
            f"{name}: built by pyprov {record.invocation.pyprov_version}, "
            f"the build job runs this workflow's pyprov {__version__}"
        )
    if git is not None:
        if git.subdirectory != subdirectory:
            problems.append(
                f"{name}: built in {git.subdirectory or '.'!r}, "
                f"the package-dir input is {subdirectory or '.'!r}"
            )
        if git.ref is not None and git.ref != run.github.ref:
            problems.append(
                f"{name}: the build record names ref {git.ref!r}, this run is for {run.github.ref!r}"
            )
    return problems


def _distribution_problems(records: Sequence[BuildRecord], inputs: Mapping[str, str | bool]) -> list[str]:
    """Whether the artifacts are the kinds the sdist and wheel inputs ask for, built as they ask."""
    wanted = [kind for kind in ("sdist", "wheel") if str(inputs.get(kind, "")).lower() == "true"]
    kinds = sorted(record.artifact.kind for record in records)
    problems = []
    if kinds != wanted:
        problems.append(
            f"the build job handed over {', '.join(kinds) or 'nothing'}; the inputs ask for "
            f"{', '.join(wanted) or 'nothing'}"
        )
    for record in records:
        from_sdist = record.artifact.built_from is not None
        if record.artifact.kind == "wheel" and from_sdist != ("sdist" in wanted):
            built = "from the sdist" if from_sdist else "from the source"
            problems.append(f"{record.artifact.filename}: built {built}, which the inputs do not ask for")
    return problems


def _is_distribution(name: str) -> bool:
    try:
        if name.endswith(".whl"):
            parse_wheel_filename(name)
        elif name.endswith(".tar.gz"):
            parse_sdist_filename(name)
        else:
            return False
    except (InvalidWheelFilename, InvalidSdistFilename):
        return False
    return True


def _load_record(path: Path) -> BuildRecord:
    if not path.exists():
        raise ProjectError(f"no build record {path}", hint="hand over the build job's evidence directory too")
    data = load_json(read_untrusted(path, limit=MAX_RECORD_BYTES, what="a build record"), path)
    if not isinstance(data, dict):
        raise ProjectError(f"{path} is not a pyprov build record: expected a JSON object")
    try:
        return BuildRecord.from_dict(data)
    except (KeyError, TypeError, ValueError) as error:
        raise ProjectError(f"{path} is not a pyprov build record: {error!r}") from error


def _artifact_problems(
    name: str, digests: Mapping[str, str], expected: str, record: BuildRecord
) -> list[str]:
    sha256 = digests[name]
    problems = []
    if not hmac.compare_digest(sha256, expected.lower()):
        problems.append(f"{name}: sha256 is {sha256}, the build job reported {expected}")
    if record.artifact.filename != name:
        problems.append(f"{name}: its build record is about {record.artifact.filename}")
    elif record.artifact.digests.sha256 != sha256:
        problems.append(f"{name}: sha256 is {sha256}, its build record says {record.artifact.digests.sha256}")
    source = record.artifact.built_from
    if source is not None and source.filename in digests and digests[source.filename] != source.sha256:
        problems.append(
            f"{name}: built from {source.filename} sha256:{source.sha256}, which is not the one given"
        )
    return problems


def _run_problems(name: str, record: BuildRecord, run: GitHubContext) -> list[str]:
    """Where the record disagrees with the signing job's own view of the run.

    The run attempt may differ (re-running only the signing job keeps the build job's
    outputs); everything else is one run's.
    """
    github = record.invocation.github
    if github is None:
        return [f"{name}: the build record was not made in GitHub Actions"]
    problems = [
        f"{name}: {label} is {found!r} in the build record, {wanted!r} in this run"
        for label, found, wanted in (
            ("GITHUB_SERVER_URL", github.server_url, run.server_url),
            ("GITHUB_REPOSITORY", github.repository, run.repository),
            ("GITHUB_SHA", github.sha, run.sha),
            ("GITHUB_REF", github.ref, run.ref),
            ("GITHUB_WORKFLOW_REF", github.workflow_ref, run.workflow_ref),
            ("GITHUB_RUN_ID", github.run_id, run.run_id),
        )
        if found != wanted
    ]
    if github.runner_environment != "github-hosted":
        problems.append(
            f"{name}: built on a {github.runner_environment or 'unknown'} runner, not github-hosted"
        )
    git = record.source.git
    repository = f"{run.server_url.rstrip('/')}/{run.repository}"
    if git is None:
        problems.append(f"{name}: the build record names no git checkout")
    else:
        if git.commit != run.sha:
            problems.append(f"{name}: built from commit {git.commit}, this run is for {run.sha}")
        if git.remote is None or normal_repository_url(git.remote) != repository:
            problems.append(
                f"{name}: built from {git.remote or 'a checkout without remote'}, not {repository}"
            )
        if git.dirty:
            problems.append(f"{name}: the checkout was modified before the build ({', '.join(git.modified)})")
    return problems


def _byproducts(evidence_dir: Path, name: str) -> tuple[tuple[str, EvidenceFile], ...]:
    items = []
    for suffix in BYPRODUCT_SUFFIXES:
        path = evidence_dir / f"{name}{suffix}"
        if path.is_file():
            items.append((suffix, EvidenceFile(path=path, sha256=hash_file(path).sha256)))
    return tuple(items)
