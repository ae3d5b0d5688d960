"""Run the standard PEP 517 build, exactly as ``python -m build`` does, and record it.

The build uses pypa/build's library API: each distribution is built in a fresh isolated
environment and, by default, the wheel is built from the unpacked sdist. What is
installed in each environment is listed *before* the environment is deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tarfile
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pyprov._internal import archives, environ, outputs
from pyprov._internal.clock import Clock, utc_now
from pyprov._internal.hashing import hash_file
from pyprov._internal.redaction import redact_config_settings
from pyprov.errors import BuildFailedError
from pyprov.events import EventHandler, ignore_event
from pyprov.evidence import (
    ArtifactContext,
    ArtifactEvidenceWriter,
    ArtifactSigner,
    ArtifactTransform,
    EvidenceFile,
    RunEvidenceWriter,
)

if TYPE_CHECKING:
    from pyprov.provenance.level import Signing
    from pyprov.sbom.validation import SpecVersion
    from pyprov.signing.files import SigstoreSigner

from pyprov.evidence.layout import GITIGNORE_CONTENT, RECORD_SUFFIX, default_evidence_directory
from pyprov.producers.pep517 import Built, Pep517Builder, check_project
from pyprov.producers.policy import BuildPolicy, credentials_in, make_policy
from pyprov.producers.source import git_source, sdist_file_list
from pyprov.record import (
    Artifact,
    ArtifactReference,
    BuildRecord,
    DistributionKind,
    GitHubContext,
    GitSource,
    Installer,
    Invocation,
    Source,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """What to build and how; the defaults are those of ``python -m build``."""

    srcdir: Path
    outdir: Path | None = None
    """Where distributions go; default ``<srcdir>/dist``."""
    evidence_dir: Path | None = None
    """Where records go; default ``evidence/`` beside the output directory."""
    distributions: tuple[DistributionKind, ...] = ()
    """Empty: the sdist, then the wheel from the unpacked sdist. Otherwise each from ``srcdir``."""
    config_settings: Mapping[str, str | list[str]] = field(default_factory=dict)
    installer: Installer = "pip"
    isolation: bool = True
    argv: tuple[str, ...] = ()
    """The command line to record (already redacted by the caller)."""
    evidence_writers: tuple[ArtifactEvidenceWriter, ...] = ()
    """Run for each artifact, in order, after its build record; each writes ``<artifact><suffix>``."""
    run_evidence_writers: tuple[RunEvidenceWriter, ...] = ()
    """Run once after every artifact's evidence; each writes one file in the evidence directory."""
    transforms: tuple[ArtifactTransform, ...] = ()
    """Run on each artifact right after the backend built it, before it is hashed."""
    signer: ArtifactSigner | None = None
    """Signs the artifacts and their evidence after the build; ``None`` signs nothing."""
    allow_unsandboxed: bool = False
    """Build even when no sandbox can be made although signing credentials are present."""
    hermetic: bool = False
    """Run the backend hooks without network (their requirements are installed before)."""
    hidden_paths: tuple[Path, ...] = ()
    """Further files build code must not read (an identity-token file, say)."""
    policy: BuildPolicy | None = None
    """The sandbox policy; default: :func:`pyprov.producers.policy.make_policy` for these options."""

    @property
    def output_directory(self) -> Path:
        """The resolved output directory."""
        return (self.outdir or self.srcdir / "dist").absolute()

    @property
    def evidence_directory(self) -> Path:
        """The resolved evidence directory."""
        return (self.evidence_dir or default_evidence_directory(self.output_directory)).absolute()


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    """The outcome of :func:`build_project`: one record per artifact, in build order."""

    records: tuple[BuildRecord, ...]
    artifacts: tuple[Path, ...]
    """Final paths of the distributions, in the order of ``records``."""
    record_files: tuple[Path, ...]
    """Final paths of the ``<artifact>.build.json`` files, in the order of ``records``."""
    evidence_files: tuple[tuple[Path, ...], ...] = ()
    """Per artifact, in the order of ``records``: every evidence file, the build record first."""
    run_evidence_files: tuple[Path, ...] = ()
    """Files of the run evidence writers."""
    signed_files: tuple[tuple[Path, ...], ...] = ()
    """Per artifact, in the order of ``records``: the signer's files (empty when not signing)."""


SbomFormat = Literal["cyclonedx", "spdx", "spdx3", "both", "none"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidencePlan:
    """The standard evidence of a build, in the order the writers must run."""

    evidence_writers: tuple[ArtifactEvidenceWriter, ...]
    run_evidence_writers: tuple[RunEvidenceWriter, ...]
    signing: Signing
    """How the statements will be signed: the SLSA Build level they claim depends on it."""


def standard_evidence(
    *,
    sbom_format: SbomFormat = "cyclonedx",
    sbom_spec: SpecVersion = "1.6",
    sbom_files: bool = False,
    signer: SigstoreSigner | None = None,
    provenance_bundle: bool = False,
) -> EvidencePlan:
    """What ``pyprov build`` writes for each artifact: SBOMs, then the provenance statement.

    The SBOMs come first: the provenance names the evidence written before it as
    byproducts. The level the statements claim follows from ``signer``: L2 needs the
    hosted build platform's own identity (GitHub Actions), a personal identity gives L1.
    """
    from pyprov.provenance.writers import ProvenanceBundleWriter, ProvenanceWriter  # noqa: PLC0415
    from pyprov.sbom.writers import CycloneDXWriter, SPDX3Writer, SPDXWriter  # noqa: PLC0415

    signing: Signing = "unsigned"
    if signer is not None:
        signing = "hosted-identity" if signer.policy.identity.is_github_actions else "personal-identity"
    writers: list[ArtifactEvidenceWriter] = []
    if sbom_format in ("cyclonedx", "both"):
        writers.append(CycloneDXWriter(spec=sbom_spec, files=sbom_files))
    if sbom_format in ("spdx", "both"):
        writers.append(SPDXWriter())
    if sbom_format == "spdx3":
        writers.append(SPDX3Writer())
    writers.append(ProvenanceWriter(signing=signing))
    run_writers: tuple[RunEvidenceWriter, ...] = (
        (ProvenanceBundleWriter(signing=signing),) if provenance_bundle else ()
    )
    return EvidencePlan(evidence_writers=tuple(writers), run_evidence_writers=run_writers, signing=signing)


def build_project(
    options: BuildOptions,
    *,
    on_event: EventHandler = ignore_event,
    clock: Clock | None = None,
) -> BuildResult:
    """Build the project in ``options.srcdir``, then record, sign and publish what it built.

    Every piece of build code (the installer of build requirements, the backend hooks)
    runs in the sandbox of :mod:`pyprov.producers.policy`; the evidence is made in
    memory once all of it has stopped, each statement is checked against the digests
    pyprov computed, the same bytes are signed, and then everything is published at
    once. Raises :class:`~pyprov.errors.ProjectError` for unusable input (and when no
    sandbox can be made next to signing credentials, unless ``allow_unsandboxed``),
    :class:`~pyprov.errors.BuildFailedError` when the backend or the installation of
    its requirements fails or the backend names a bad file, and
    :class:`~pyprov.errors.OutputError` when outputs cannot be written. On any error,
    and on ``KeyboardInterrupt``, nothing is left in the output and evidence directories.
    """
    now = clock or utc_now
    srcdir = options.srcdir.absolute()
    check_project(srcdir)
    outdir, evidence_dir = options.output_directory, options.evidence_directory
    outputs.make_directory(outdir, "output")
    created_evidence_dir = outputs.make_directory(evidence_dir, "evidence")
    git = git_source(srcdir)
    # Build code sees the evidence directory as an empty, read-only directory: no backend packs
    # earlier evidence into an sdist (hatchling reads only the top .gitignore). Unless the source
    # tree lies inside it: then it is only read-only.
    hide_evidence = not srcdir.resolve().is_relative_to(evidence_dir.resolve())
    policy = options.policy or make_policy(
        protected=(outdir, srcdir / ".git", *(() if hide_evidence else (evidence_dir,))),
        hidden=(*options.hidden_paths, *((evidence_dir,) if hide_evidence else ())),
        allow_unsandboxed=options.allow_unsandboxed,
        credentials_present=options.signer is not None or credentials_in(os.environ),
        hermetic=options.hermetic,
    )
    # The installer and the backend are subprocesses: meanwhile, import what comes after them.
    threading.Thread(target=_prepare, args=(options,), daemon=True, name="pyprov-prepare").start()
    with tempfile.TemporaryDirectory(prefix="pyprov-held-") as held:
        builder = Pep517Builder(
            policy=policy,
            installer=options.installer,
            isolation=options.isolation,
            config_settings=options.config_settings,
            transforms=options.transforms,
            holding=Path(held),
            on_event=on_event,
            now=now,
        )
        # Build code gets its environment explicitly, without credentials; taking them out of
        # os.environ too covers anything started in-process meanwhile (venv creation).
        with environ.credentials_withheld():
            built = _build_all(options, srcdir.resolve(), git, builder)
        # Every sandbox has exited, and with it every process build code started: from here
        # on pyprov works alone, on the files it holds.
        github, epoch = GitHubContext.from_environ(os.environ), environ.source_date_epoch(os.environ)
        records = [
            _record(kind, result, source, built_from, options, github, epoch)
            for kind, result, source, built_from in built
        ]
        contexts = [
            _render_evidence(record, result.path, evidence_dir, options.evidence_writers)
            for record, (_, result, _, _) in zip(records, built, strict=True)
        ]
        run_files = [
            outputs.Output(directory=evidence_dir, name=writer.filename, content=writer.render(contexts))
            for writer in options.run_evidence_writers
        ]
        signed = (
            [list(files_) for files_ in options.signer.sign(contexts)]
            if options.signer is not None
            else [[] for _ in contexts]
        )
        plan = [
            outputs.Output(
                directory=outdir,
                name=record.artifact.filename,
                source=result.path,
                sha256=record.artifact.digests.sha256,
            )
            for record, (_, result, _, _) in zip(records, built, strict=True)
        ]
        for context in contexts:
            plan += [
                outputs.Output(directory=evidence_dir, name=item.path.name, content=item.content)
                for item in context.evidence.values()
            ]
        plan += run_files
        for files_ in signed:
            plan += [
                outputs.Output(
                    directory=outdir if item.location == "output" else evidence_dir,
                    name=item.filename,
                    content=item.content,
                )
                for item in files_
            ]
        outputs.publish_all(plan)
    artifacts = tuple(outdir / record.artifact.filename for record in records)
    evidence = tuple(tuple(item.path for item in context.evidence.values()) for context in contexts)
    if created_evidence_dir:
        outputs.ignore_directory(evidence_dir, GITIGNORE_CONTENT)
    return BuildResult(
        records=tuple(records),
        artifacts=artifacts,
        record_files=tuple(paths[0] for paths in evidence),
        evidence_files=evidence,
        run_evidence_files=tuple(item.directory / item.name for item in run_files),
        signed_files=tuple(
            tuple((outdir if item.location == "output" else evidence_dir) / item.filename for item in files_)
            for files_ in signed
        ),
    )


def _prepare(options: BuildOptions) -> None:
    """Call ``prepare()`` of every writer, transform and signer that has one (imports, caches)."""
    parts = (*options.evidence_writers, *options.run_evidence_writers, *options.transforms, options.signer)
    for part in parts:
        prepare = getattr(part, "prepare", None)
        if callable(prepare):
            with contextlib.suppress(Exception):  # the real call will raise it again, where it is reported
                prepare()


def _prepare_artifact(options: BuildOptions, path: Path) -> None:
    """Start ``prepare_artifact(path)`` of every writer that has one, on a thread of its own.

    The artifact is complete and out of reach of build code; writers read it ahead while
    the next distribution builds (the installer and the backend are subprocesses).
    """

    def run() -> None:
        for writer in options.evidence_writers:
            prepare = getattr(writer, "prepare_artifact", None)
            if callable(prepare):
                with contextlib.suppress(
                    Exception
                ):  # the writer's render raises it again, where it is reported
                    prepare(path)

    threading.Thread(target=run, daemon=True, name="pyprov-read-ahead").start()


_Outcome = tuple[DistributionKind, Built, Source, ArtifactReference | None]


def _build_all(
    options: BuildOptions, srcdir: Path, git: GitSource | None, builder: Pep517Builder
) -> list[_Outcome]:
    """Build what ``options`` asks for, in order: by default the sdist, then the wheel from it."""
    recorded = str(options.srcdir.absolute())
    built: list[_Outcome] = []
    if options.distributions:
        for kind in options.distributions:
            result = builder.build(kind, srcdir)
            _prepare_artifact(options, result.path)
            files_ = sdist_file_list(result.path) if kind == "sdist" else None
            built.append((kind, result, Source(path=recorded, git=git, sdist_file_list=files_), None))
    else:
        # The wheel's environment installs while the sdist builds (it is used only if the sdist
        # asks for the same [build-system] requirements as the tree).
        prepared = builder.prepare_environment(srcdir)
        with contextlib.ExitStack() as stack:
            if prepared is not None:
                stack.callback(prepared.close)
            sdist = builder.build("sdist", srcdir)
            reference = ArtifactReference(filename=sdist.path.name, sha256=hash_file(sdist.path).sha256)
            unpacked = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="pyprov-sdist-"))
            ).resolve()
            try:
                project, names = archives.extract_sdist(sdist.path, unpacked)
            except (archives.UnsafeArchiveError, tarfile.TarError, EOFError, OSError) as error:
                raise BuildFailedError(f"cannot unpack the sdist {sdist.path.name}: {error}") from error
            file_list = sdist_file_list(sdist.path, names)
            built.append(("sdist", sdist, Source(path=recorded, git=git, sdist_file_list=file_list), None))
            # Unpacked: the sdist is read again only while the wheel's installer and backend run.
            _prepare_artifact(options, sdist.path)
            wheel = builder.build("wheel", project, prepared=prepared)
        wheel_source = Source(path=recorded, git=git, sdist=reference, sdist_file_list=file_list)
        built.append(("wheel", wheel, wheel_source, reference))
    return built


def _render_evidence(
    record: BuildRecord, artifact: Path, evidence_dir: Path, writers: Sequence[ArtifactEvidenceWriter]
) -> ArtifactContext:
    """Make the build record and every writer's file for one artifact, in memory."""
    written: dict[str, EvidenceFile] = {}
    context = ArtifactContext(record=record, artifact=artifact, evidence=written)

    def add(suffix: str, content: bytes) -> None:
        written[suffix] = EvidenceFile(
            path=evidence_dir / (record.artifact.filename + suffix),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )

    add(RECORD_SUFFIX, (json.dumps(record.to_dict(), indent=2) + "\n").encode())
    for writer in writers:
        add(writer.suffix, writer.render(context))
    return context


def _record(
    kind: DistributionKind,
    built: Built,
    source: Source,
    built_from: ArtifactReference | None,
    options: BuildOptions,
    github: GitHubContext | None,
    epoch: int | None,
) -> BuildRecord:
    stat = built.path.stat()
    artifact = Artifact(
        filename=built.path.name,
        kind=kind,
        size=stat.st_size,
        digests=hash_file(built.path),
        built_from=built_from,
    )
    invocation = Invocation.here(
        argv=options.argv,
        # The backend got the settings as given; the record keeps them without credentials.
        config_settings=redact_config_settings(options.config_settings, os.environ),
        source_date_epoch=epoch,
        started_on=built.started_on,
        finished_on=built.finished_on,
        github=github,
    )
    return BuildRecord(artifact=artifact, source=source, environment=built.environment, invocation=invocation)
