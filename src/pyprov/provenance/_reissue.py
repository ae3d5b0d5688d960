"""Provenance written by the signing job of pyprov's reusable workflow (SLSA Build L3).

``.github/workflows/build-provenance.yml`` builds in a job that cannot reach the signing
identity (no ``id-token: write``) and hands over its artifacts, build records and SBOMs,
with the artifacts' SHA-256 as job outputs. A second job, which holds the identity and
runs no code of the caller's project, calls :func:`reissue_provenance`: it re-hashes
each downloaded artifact, compares it with the digest the build job reported and with
the build record, checks that the record describes *this* workflow run (repository,
commit, ref, workflow, run) as the signing job's own GitHub context states it, and
writes ``<artifact>.intoto.json`` naming the reusable workflow as ``builder.id``.

What the signing job vouches for and what it takes from the build job is documented in
``docs/github-action.md``: the builder, the run, the source repository and commit come
from (or are checked against) the platform; the subject digest and the resolved
dependencies are the build job's report, as SLSA v1.0 allows for the subject.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pyprov._internal.environ import github_context
from pyprov._internal.files import write_atomic
from pyprov._internal.hashing import hash_file
from pyprov._internal.untrusted import load_json, read_untrusted
from pyprov.errors import OutputError, ProjectError, VerificationError
from pyprov.evidence import EvidenceFile
from pyprov.provenance._check import check_statement
from pyprov.provenance._level import BuildLevel, build_level
from pyprov.provenance._statement import dump_statement, make_statement
from pyprov.provenance._writers import PROVENANCE_SUFFIX
from pyprov.record import BuildRecord, GitHubContext

RECORD_SUFFIX = ".build.json"
BYPRODUCT_SUFFIXES = (RECORD_SUFFIX, ".cdx.json", ".spdx.json")
"""Evidence of the build job named as byproducts, in the order ``pyprov build`` writes it."""
MAX_RECORD_BYTES = 16 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_WORKFLOW_REF = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/\.github/workflows/[A-Za-z0-9_.-]+\.ya?ml@\S+")


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


def reissue_provenance(
    artifacts: Sequence[Path],
    *,
    evidence_dir: Path,
    expected: Mapping[str, str],
    builder_id: str,
    environ: Mapping[str, str],
) -> tuple[ReissuedProvenance, ...]:
    """Check the handed-over ``artifacts`` and write their L3 provenance into ``evidence_dir``.

    ``expected`` maps each artifact's file name to the SHA-256 the build job reported;
    ``environ`` is the signing job's environment (its ``GITHUB_*`` variables describe
    the run). Every problem with every artifact is collected, then raised at once:
    :class:`~pyprov.errors.VerificationError` (exit 4) when an artifact or record does
    not match, :class:`~pyprov.errors.ProjectError` (exit 2) when something is missing
    or unreadable. Nothing is written unless every artifact passed.
    """
    run = github_context(environ)
    if run is None:
        raise ProjectError(
            "provenance reissue runs in the signing job of pyprov's reusable workflow (GITHUB_ACTIONS=true)"
        )
    if not builder_id.startswith("https://") or "/.github/workflows/" not in builder_id:
        raise ProjectError(f"not a reusable workflow identity: {builder_id!r}")
    if not artifacts:
        raise ProjectError("nothing to reissue: name the artifacts the build job handed over")
    given = {path.name: path for path in artifacts}
    problems: list[str] = []
    if len(given) != len(artifacts):
        problems.append("an artifact file name is given twice")
    problems += [
        f"{name}: not given, but the build job reported it" for name in expected if name not in given
    ]
    problems += [
        f"{name}: not built by the build job (no reported digest)" for name in given if name not in expected
    ]
    problems += [f"{name}: not a distribution file name" for name in given if not _is_distribution(name)]
    if problems:
        raise VerificationError("; ".join(problems))

    checked: list[tuple[Path, str, BuildRecord]] = []
    digests = {name: hash_file(path).sha256 for name, path in given.items()}
    for name, path in given.items():
        record = _load_record(evidence_dir / f"{name}{RECORD_SUFFIX}")
        problems += _artifact_problems(name, digests, expected[name], record)
        problems += _run_problems(name, record, run)
        checked.append((path, digests[name], record))
    if problems:
        raise VerificationError(
            "the handed-over build does not match: " + "; ".join(problems),
            hint="nothing was written; the build job's artifacts or records changed on the way, "
            "or describe another run",
        )

    written: list[tuple[ReissuedProvenance, bytes]] = []
    for path, sha256, record in checked:
        statement = make_statement(
            (record,), evidence=_byproducts(evidence_dir, path.name), signing="isolated-reusable-workflow"
        )
        # The build record names the caller's workflow (GITHUB_WORKFLOW_REF); the builder is
        # the reusable workflow, whose identity signs.
        statement["predicate"]["runDetails"]["builder"]["id"] = builder_id
        check_statement(statement)
        target = evidence_dir / f"{path.name}{PROVENANCE_SUFFIX}"
        level = build_level(record, signing="isolated-reusable-workflow")
        item = ReissuedProvenance(
            artifact=path, sha256=sha256, statement=target, level=level, builder_id=builder_id
        )
        written.append((item, dump_statement(statement)))
    for item, content in written:
        try:
            write_atomic(item.statement, content)
        except OSError as error:
            raise OutputError(f"cannot write {item.statement}: {error.strerror or error}") from error
    return tuple(item for item, _ in written)


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
        if git.remote is None or _normal_remote(git.remote) != repository:
            problems.append(
                f"{name}: built from {git.remote or 'a checkout without remote'}, not {repository}"
            )
        if git.dirty:
            problems.append(f"{name}: the checkout was modified before the build ({', '.join(git.modified)})")
    return problems


def _normal_remote(url: str) -> str:
    url = url.strip().rstrip("/").removesuffix(".git")
    if url.startswith("git@github.com:"):
        url = "https://github.com/" + url.removeprefix("git@github.com:")
    return url


def _byproducts(evidence_dir: Path, name: str) -> tuple[tuple[str, EvidenceFile], ...]:
    items = []
    for suffix in BYPRODUCT_SUFFIXES:
        path = evidence_dir / f"{name}{suffix}"
        if path.is_file():
            items.append((suffix, EvidenceFile(path=path, sha256=hash_file(path).sha256)))
    return tuple(items)
