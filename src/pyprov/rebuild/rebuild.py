"""Rebuild one published artifact from its source through :func:`pyprov.build.build_project`."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from pyprov.build import BuildOptions, build_project
from pyprov.errors import ProjectError
from pyprov.events import EventHandler, ignore_event
from pyprov.evidence.layout import EVIDENCE_DIRECTORY, default_evidence_directory
from pyprov.producers.policy import credentials_in, make_policy
from pyprov.rebuild import environment as environments
from pyprov.rebuild import source as sources
from pyprov.rebuild.archive import ArchiveError, Listing, read_listing
from pyprov.rebuild.compare import compare_archives
from pyprov.rebuild.report import RebuildReport
from pyprov.record import BuildRecord, DistributionKind, InstalledDistribution, Installer

if TYPE_CHECKING:
    from pyprov.verify.trust import Trust, TrustSource

MAX_RECORD = 16 << 20  # bytes
_PURE_PLATFORMS = ("any",)


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildOptions:
    """What to rebuild, from what, and where to keep the result."""

    artifact: Path
    """The published wheel or sdist."""
    source: str | None = None
    """A directory, an sdist or ``GIT-URL@REV``; default: the record's repository and commit,
    else the repository and commit of the artifact's verified PEP 740 attestations."""
    record: Path | None = None
    """pyprov's build record of the artifact; default: ``<artifact>.build.json`` in ``evidence/``
    beside or above the artifact's directory, when there is one."""
    installer: Installer = "uv"
    """Installer when the environment is inferred (a record names its own)."""
    exclude_newer: str | None = None
    """Resolve unpinned build requirements as of this RFC 3339 time, instead of inferring it."""
    pins: tuple[str, ...] = ()
    """``name==version`` of build requirements, when the environment is inferred."""
    keep: Path | None = None
    """Keep the rebuilt artifact and its evidence in ``keep/dist`` and ``keep/evidence``."""
    attestations: tuple[Path, ...] = ()
    """PEP 740 attestations (or PyPI provenance objects) of the artifact to take the source from;
    default: those beside the artifact (``A.attestation``, ``A.<kind>.attestation``,
    ``A.provenance``), when there is no ``source`` and no record naming one."""
    index_url: str | None = None
    """A package index (simple API) to fetch the artifact's PEP 740 provenance from, when no
    attestation is found beside it; ``None``: never."""
    attestation_trust: TrustSource | Trust | None = None
    """What attestations are verified against; default: Sigstore's production instance, offline
    (the trusted root cached or embedded in sigstore-python)."""


def rebuild_artifact(options: RebuildOptions, *, on_event: EventHandler = ignore_event) -> RebuildReport:
    """Rebuild ``options.artifact`` from its source and compare the result with it.

    Raises :class:`~pyprov.errors.ProjectError` when the rebuild cannot run (unreadable
    or unsafe archive, no source, a platform wheel, a record about another artifact),
    :class:`~pyprov.errors.BuildFailedError` when the build fails, and
    :class:`~pyprov.errors.OutputError` when ``keep`` cannot be written. The verdict
    (``identical``, ``equivalent``, ``differs``) is in the report, never an exception.
    """
    artifact = options.artifact.absolute()
    published = _listing(artifact)
    kind: DistributionKind = "wheel" if published.format == "zip" else "sdist"
    if kind == "wheel":
        _check_platform(artifact.name)
    record_path = options.record or _find_record(artifact)
    record = _read_record(record_path, published) if record_path else None
    spec = _source_spec(options, artifact, record, kind)
    source_listing = _listing(Path(spec.location)) if spec.kind == "sdist" else None
    if record is not None and record_path is not None:
        env = environments.from_record(record, str(record_path))
    else:
        env = environments.infer(
            published,
            source_listing,
            installer=options.installer,
            exclude_newer=options.exclude_newer,
            pins=tuple(_check_pin(pin) for pin in options.pins),
            sibling_wheel=_sibling_wheel(artifact) if kind == "sdist" else None,
        )
    with tempfile.TemporaryDirectory(prefix="pyprov-rebuild-") as work:
        workdir = Path(work).resolve()
        srcdir = sources.prepare(spec, workdir)
        if kind == "sdist" and env.origin == "inferred":
            touched = sources.apply_times(
                srcdir, ((m.name, m.mtime) for m in published.members if m.kind == "file")
            )
            env = env.with_fact(
                environments.Fact(
                    name="fileTimes", value=f"{touched} files", origin="member times of the artifact"
                )
            )
        constraints = workdir / "constraints.txt"
        constraints.write_text("".join(pin + "\n" for pin in env.pins), encoding="utf-8")
        base = dict(os.environ)
        base.pop("SOURCE_DATE_EPOCH", None)
        base.update(env.environ(str(constraints)))
        outroot = options.keep.absolute() if options.keep else workdir / "out"
        outdir, evidence_dir = outroot / "dist", default_evidence_directory(outroot / "dist")
        policy = make_policy(
            protected=(outdir, evidence_dir),
            credentials_present=credentials_in(os.environ),
            base_environ=base,
        )
        # A wheel from an sdist is built from it directly; from a tree, through its sdist
        # (as python -m build and pyprov build do); an sdist from the tree.
        distributions: tuple[DistributionKind, ...] = (
            ("wheel",) if kind == "wheel" and spec.kind == "sdist" else () if kind == "wheel" else ("sdist",)
        )
        result = build_project(
            BuildOptions(
                srcdir=srcdir,
                outdir=outdir,
                evidence_dir=evidence_dir,
                distributions=distributions,
                config_settings=env.config_settings,
                installer=env.installer,
                argv=("pyprov", "rebuild", artifact.name),
                policy=policy,
            ),
            on_event=on_event,
        )
        index = next(i for i, rec in enumerate(result.records) if rec.artifact.kind == kind)
        rebuilt = result.artifacts[index]
        try:
            comparison = compare_archives(artifact, rebuilt)
        except ArchiveError as error:
            raise ProjectError(f"cannot compare the rebuilt {rebuilt.name}: {error}") from error
        env_differences = _environment_differences(env.expected, result.records[index].environment.installed)
        kept = (str(rebuilt), *(str(path) for path in result.evidence_files[index])) if options.keep else ()
        if not options.keep:
            shutil.rmtree(outroot, ignore_errors=True)
    return RebuildReport(
        comparison=comparison,
        source=spec,
        environment=env,
        environment_differences=env_differences,
        kept=kept,
    )


def _listing(path: Path) -> Listing:
    try:
        if path.is_fifo() or not path.is_file():
            raise ProjectError(f"no such file: {path}")
        return read_listing(path, content=False)
    except ArchiveError as error:
        raise ProjectError(f"cannot read {path.name}: {error}") from error
    except OSError as error:
        raise ProjectError(f"cannot read {path}: {error.strerror or error}") from error


_PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!_-]+$")


def _check_pin(pin: str) -> str:
    if not _PIN.match(pin.strip()):
        raise ProjectError(f"--pin wants NAME==VERSION, not {pin!r}")
    return pin.strip()


def _sibling_wheel(sdist: Path) -> Listing | None:
    """A pure wheel of the same release beside the sdist, whose Generator names the backend."""
    try:
        name, version = parse_sdist_filename(sdist.name)
    except InvalidSdistFilename:
        return None
    for candidate in sorted(sdist.parent.glob("*.whl")):
        try:
            wheel_name, wheel_version, _, tags = parse_wheel_filename(candidate.name)
        except InvalidWheelFilename:
            continue
        if (wheel_name, wheel_version) == (name, version) and all(tag.platform == "any" for tag in tags):
            try:
                return read_listing(candidate, content=False) if candidate.is_file() else None
            except (ArchiveError, OSError):
                return None
    return None


def _check_platform(filename: str) -> None:
    try:
        _, _, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as error:
        raise ProjectError(f"not a valid wheel file name: {filename}: {error}") from error
    here = f"linux_{platform.machine()}"
    platforms = {tag.platform for tag in tags}
    if not platforms <= {*_PURE_PLATFORMS, here}:
        raise ProjectError(
            f"cannot rebuild {filename} here: it is built for {', '.join(sorted(platforms))}",
            hint="a platform wheel is rebuilt in the image it was built in (e.g. the manylinux image)",
        )


def _find_record(artifact: Path) -> Path | None:
    name = artifact.name + ".build.json"
    for candidate in (
        artifact.parent / name,
        artifact.parent / EVIDENCE_DIRECTORY / name,
        default_evidence_directory(artifact.parent) / name,
    ):
        if candidate.is_file():
            return candidate
    return None


def _read_record(path: Path, published: Listing) -> BuildRecord:
    try:
        if path.is_fifo() or not path.is_file():
            raise ProjectError(f"no such build record: {path}")
        if path.stat().st_size > MAX_RECORD:
            raise ProjectError(f"the build record {path} is larger than {MAX_RECORD >> 20} MiB")
        record = BuildRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except OSError as error:
        raise ProjectError(f"cannot read the build record {path}: {error.strerror or error}") from error
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise ProjectError(f"{path} is not a pyprov build record: {error}") from error
    if record.artifact.digests.sha256 != published.sha256:
        raise ProjectError(
            f"the build record {path.name} describes another artifact "
            f"(sha256 {record.artifact.digests.sha256[:12]}…, "
            f"{published.path.name} has {published.sha256[:12]}…)"
        )
    return record


def _source_spec(
    options: RebuildOptions, artifact: Path, record: BuildRecord | None, kind: DistributionKind
) -> sources.SourceSpec:
    given = options.source
    if given is not None and options.attestations:
        raise ProjectError(
            "--source and --attestation both name the source: give one",
            hint="--attestation takes the repository and commit from the verified attestation",
        )
    if given is not None:
        spec = sources.parse_source(given)
    elif options.attestations:
        spec = _attested(artifact, options, options.attestations)
    elif record is not None and record.source.git is not None and record.source.git.remote:
        git = record.source.git
        spec = sources.SourceSpec(kind="git", location=git.remote or "", revision=git.commit)
    else:
        spec = _attested(artifact, options, ())
    if kind == "sdist" and spec.kind == "sdist":
        raise ProjectError("an sdist is rebuilt from a source directory or a git revision, not from an sdist")
    return spec


def _attested(artifact: Path, options: RebuildOptions, named: tuple[Path, ...]) -> sources.SourceSpec:
    """The repository and commit of the artifact's PEP 740 attestations, verified first."""
    from pyprov.verify import attested_source as attested  # noqa: PLC0415 - sigstore is slow to import

    paths = named or attested.find_attestations(artifact)
    documents = attested.read_attestation_files(paths)
    if not documents and options.index_url is not None:
        documents = attested.attestations_from_index(artifact, options.index_url)
    if not documents:
        where = f" beside it or on {options.index_url}" if options.index_url else " beside it"
        raise ProjectError(
            "no source to rebuild from",
            hint="give --source DIR, --source SDIST or --source GIT-URL@REV; without it, the source is "
            "the git repository and commit of the artifact's build record, or of its PEP 740 "
            f"attestation (--attestation FILE, --index-url URL): none was found{where}",
        )
    source = attested.attested_source(
        artifact, documents, options.attestation_trust or attested.OFFLINE_PRODUCTION
    )
    names = ", ".join(Path(where).name if "://" not in where else where for where in source.attestations)
    certificate = "the attestations' certificates" if len(source.attestations) > 1 else "its certificate"
    facts = [
        environments.Fact(
            name="attestation",
            value=names,
            origin=f"verified against {source.trust}: signature, log, subject",
        ),
        environments.Fact(
            name="repository", value=source.repository, origin=f"Source Repository URI of {certificate}"
        ),
        environments.Fact(
            name="commit", value=source.commit, origin=f"Source Repository Digest of {certificate}"
        ),
    ]
    if source.ref:
        facts.append(
            environments.Fact(name="ref", value=source.ref, origin=f"Source Repository Ref of {certificate}")
        )
    facts.append(environments.Fact(name="signer", value=source.signer, origin=certificate))
    return sources.SourceSpec(
        kind="git", location=source.repository, revision=source.commit, facts=tuple(facts)
    )


_NAME = re.compile(r"[-_.]+")


def _environment_differences(
    expected: tuple[InstalledDistribution, ...], installed: tuple[InstalledDistribution, ...]
) -> tuple[str, ...]:
    """How the rebuild's environment differs from the record's (by name, version and wheel digest)."""
    if not expected:
        return ()
    ours = {_NAME.sub("-", item.name).lower(): item for item in expected}
    theirs = {_NAME.sub("-", item.name).lower(): item for item in installed}
    found: list[str] = []
    for name in sorted(ours.keys() | theirs.keys()):
        a, b = ours.get(name), theirs.get(name)
        if a is None and b is not None:
            found.append(f"{b.name} {b.version}: installed in the rebuild, not in the record")
        elif b is None and a is not None:
            found.append(f"{a.name} {a.version}: in the record, not installed in the rebuild")
        elif a is not None and b is not None:
            if a.version != b.version:
                found.append(f"{a.name}: {a.version} in the record, {b.version} in the rebuild")
            elif a.wheel_sha256 and b.wheel_sha256 and a.wheel_sha256 != b.wheel_sha256:
                found.append(
                    f"{a.name} {a.version}: another wheel "
                    f"(sha256 {a.wheel_sha256[:12]}… vs {b.wheel_sha256[:12]}…)"
                )
    return tuple(found)
