"""Run the standard PEP 517 build, exactly as ``python -m build`` does, and record it.

The build uses pypa/build's library API: each distribution is built in a fresh isolated
environment and, by default, the wheel is built from the unpacked sdist. What is
installed in each environment is listed *before* the environment is deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pyprov._internal import environ, files, outputs
from pyprov._internal.clock import Clock, rfc3339, utc_now
from pyprov._internal.git import git_source
from pyprov._internal.hashing import hash_file
from pyprov._internal.inventory import installed_distributions, venv_site_packages
from pyprov.errors import BuildFailedError, ProjectError
from pyprov.events import BuildEvent, EventHandler, ignore_event
from pyprov.evidence import (
    ArtifactContext,
    ArtifactEvidenceWriter,
    ArtifactSigner,
    ArtifactTransform,
    EvidenceFile,
    RunEvidenceWriter,
)
from pyprov.record import (
    Artifact,
    ArtifactReference,
    BuildEnvironment,
    BuildRecord,
    DistributionKind,
    GitHubContext,
    GitSource,
    InstalledDistribution,
    Installer,
    Invocation,
    Source,
)

if TYPE_CHECKING:
    from build import ProjectBuilder
    from build.env import DefaultIsolatedEnv

_T = TypeVar("_T")
_Config = dict[str, str | list[str]] | None

RECORD_SUFFIX = ".build.json"
_OUTPUT_TAIL_LINES = 40


class _Runner(Protocol):
    def __call__(
        self, cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None: ...


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

    @property
    def output_directory(self) -> Path:
        """The resolved output directory."""
        return (self.outdir or self.srcdir / "dist").absolute()

    @property
    def evidence_directory(self) -> Path:
        """The resolved evidence directory."""
        return (self.evidence_dir or self.output_directory.parent / "evidence").absolute()


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


@dataclass(frozen=True, slots=True)
class _Built:
    path: Path
    environment: BuildEnvironment
    started_on: str
    finished_on: str


def build_project(
    options: BuildOptions,
    *,
    on_event: EventHandler = ignore_event,
    clock: Clock | None = None,
) -> BuildResult:
    """Build the project in ``options.srcdir`` and write a build record for each artifact.

    Raises :class:`~pyprov.errors.ProjectError` for unusable input,
    :class:`~pyprov.errors.BuildFailedError` when the backend or the installation of its
    requirements fails, and :class:`~pyprov.errors.OutputError` when outputs cannot be
    written. On any error, and on ``KeyboardInterrupt``, nothing is left in the output
    and evidence directories.
    """
    now = clock or utc_now
    srcdir = options.srcdir.absolute()
    _check_project(srcdir)
    outdir, evidence_dir = options.output_directory, options.evidence_directory
    outputs.make_directory(outdir, "output")
    created_evidence_dir = outputs.make_directory(evidence_dir, "evidence")
    git = git_source(srcdir)
    with outputs.staging(outdir) as stage, outputs.staging(evidence_dir) as evidence_stage:
        # Every backend and installer subprocess inherits os.environ: signing credentials
        # leave it until every backend has finished. The runner also filters what it passes on.
        with environ.credentials_withheld():
            built = _build_all(options, srcdir, git, _Builder(options, stage, on_event, now))
        github, epoch = environ.github_context(os.environ), environ.source_date_epoch(os.environ)
        records = [
            _record(kind, result, source, built_from, options, github, epoch)
            for kind, result, source, built_from in built
        ]
        contexts = [
            _write_evidence(record, result.path, evidence_stage, options.evidence_writers)
            for record, (_, result, _, _) in zip(records, built, strict=True)
        ]
        run_staged = []
        for run_writer in options.run_evidence_writers:
            path = evidence_stage / run_writer.filename
            outputs.write_file(path, run_writer.render(contexts))
            run_staged.append(path)
        signed = _sign(options.signer, contexts, stage, evidence_stage)
        artifacts = [outputs.publish(result.path, outdir) for _, result, _, _ in built]
        evidence = tuple(
            tuple(outputs.publish(item.path, evidence_dir) for item in context.evidence.values())
            for context in contexts
        )
        run_evidence = tuple(outputs.publish(path, evidence_dir) for path in run_staged)
        signed_files = tuple(
            tuple(outputs.publish(path, outdir if path.parent == stage else evidence_dir) for path in paths)
            for paths in signed
        )
    if created_evidence_dir:
        outputs.ignore_directory(evidence_dir)
    return BuildResult(
        records=tuple(records),
        artifacts=tuple(artifacts),
        record_files=tuple(paths[0] for paths in evidence),
        evidence_files=evidence,
        run_evidence_files=run_evidence,
        signed_files=signed_files,
    )


_Outcome = tuple[DistributionKind, "_Built", Source, ArtifactReference | None]


def _build_all(
    options: BuildOptions, srcdir: Path, git: GitSource | None, builder: _Builder
) -> list[_Outcome]:
    """Build what ``options`` asks for, in order: by default the sdist, then the wheel from it."""
    built: list[_Outcome] = []
    if options.distributions:
        for kind in options.distributions:
            result = builder.build(kind, srcdir)
            files_ = files.sdist_file_list(result.path) if kind == "sdist" else None
            built.append((kind, result, Source(path=str(srcdir), git=git, sdist_file_list=files_), None))
    else:
        sdist = builder.build("sdist", srcdir)
        file_list = files.sdist_file_list(sdist.path)
        source = Source(path=str(srcdir), git=git, sdist_file_list=file_list)
        built.append(("sdist", sdist, source, None))
        reference = ArtifactReference(filename=sdist.path.name, sha256=hash_file(sdist.path).sha256)
        with tempfile.TemporaryDirectory(prefix="pyprov-sdist-") as unpacked:
            try:
                project = files.extract_sdist(sdist.path, Path(unpacked))
            except (files.UnsafeArchiveError, OSError) as error:
                raise BuildFailedError(f"cannot unpack the sdist {sdist.path.name}: {error}") from error
            wheel = builder.build("wheel", project)
        wheel_source = Source(path=str(srcdir), git=git, sdist=reference, sdist_file_list=file_list)
        built.append(("wheel", wheel, wheel_source, reference))
    return built


def _sign(
    signer: ArtifactSigner | None, contexts: Sequence[ArtifactContext], stage: Path, evidence_stage: Path
) -> list[list[Path]]:
    """Stage the signer's files: PEP 740 attestations beside the artifacts, bundles with the evidence."""
    if signer is None:
        return [[] for _ in contexts]
    staged = []
    for files_ in signer.sign(contexts):
        paths = []
        for signed_file in files_:
            path = (stage if signed_file.location == "output" else evidence_stage) / signed_file.filename
            outputs.write_file(path, signed_file.content)
            paths.append(path)
        staged.append(paths)
    return staged


def _write_evidence(
    record: BuildRecord, artifact: Path, stage: Path, writers: Sequence[ArtifactEvidenceWriter]
) -> ArtifactContext:
    """Write the build record and every writer's file for one artifact into the evidence stage."""
    written: dict[str, EvidenceFile] = {}
    context = ArtifactContext(record=record, artifact=artifact, evidence=written)

    def stage_file(suffix: str, content: bytes) -> None:
        path = stage / (record.artifact.filename + suffix)
        outputs.write_file(path, content)
        written[suffix] = EvidenceFile(path=path, sha256=hashlib.sha256(content).hexdigest())

    stage_file(RECORD_SUFFIX, (json.dumps(record.to_dict(), indent=2) + "\n").encode())
    for writer in writers:
        stage_file(writer.suffix, writer.render(context))
    return context


class _Builder:
    """Builds one distribution at a time into the staging directory."""

    def __init__(self, options: BuildOptions, stage: Path, on_event: EventHandler, now: Clock) -> None:
        self.options = options
        self.stage = stage
        self.on_event = on_event
        self.now = now

    def build(self, kind: DistributionKind, srcdir: Path) -> _Built:
        started = rfc3339(self.now())
        output: list[str] = []
        runner = _capturing_runner(
            output, lambda line: self.on_event(BuildEvent(distribution=kind, step="output", message=line))
        )
        config = dict(self.options.config_settings) or None
        try:
            if self.options.isolation:
                path, environment = self._build_isolated(kind, srcdir, runner, config)
            else:
                path, environment = self._build_in_place(kind, srcdir, runner, config)
        except BuildFailedError as error:
            if not error.output:
                error.output = "".join(output[-_OUTPUT_TAIL_LINES:])
            raise
        for transform in self.options.transforms:
            if transform.applies_to(kind):
                transform.transform(path, environment)
        self.on_event(BuildEvent(distribution=kind, step="built", message=path.name))
        return _Built(path=path, environment=environment, started_on=started, finished_on=rfc3339(self.now()))

    def _build_isolated(
        self, kind: DistributionKind, srcdir: Path, runner: _Runner, config: _Config
    ) -> tuple[Path, BuildEnvironment]:
        import build  # noqa: PLC0415 - imported when a build runs, so that `pyprov --help` starts fast
        import build.env  # noqa: PLC0415

        installer = self.options.installer
        self.on_event(BuildEvent(distribution=kind, step="environment", message=f"venv+{installer}"))
        with ExitStack() as stack:
            try:
                env = stack.enter_context(build.env.DefaultIsolatedEnv(installer=installer))
            except RuntimeError as error:  # pypa/build raises it when uv cannot be found
                raise ProjectError(
                    f"cannot create the build environment: {error}",
                    hint="install uv, e.g. pip install 'pyprov-build[uv]'" if installer == "uv" else None,
                ) from error
            except subprocess.CalledProcessError as error:
                raise _install_failed(kind, error) from error
            builder = _project_builder(
                kind, lambda: build.ProjectBuilder.from_isolated_env(env, srcdir, runner)
            )
            requires = tuple(sorted(builder.build_system_requires))
            reports = self._install(kind, env, requires)
            backend_requires = tuple(
                sorted(_backend_call(kind, lambda: builder.get_requires_for_build(kind, config)))
            )
            reports += self._install(kind, env, backend_requires)
            # The environment is deleted when this block ends: list it now.
            installed = installed_distributions(venv_site_packages(Path(env.path)), installer_reports=reports)
            self.on_event(BuildEvent(distribution=kind, step="backend", message=_backend_name(builder)))
            path = Path(_backend_call(kind, lambda: builder.build(kind, self.stage, config)))
        return path, _environment(builder, installer, requires, backend_requires, installed)

    def _build_in_place(
        self, kind: DistributionKind, srcdir: Path, runner: _Runner, config: _Config
    ) -> tuple[Path, BuildEnvironment]:
        import build  # noqa: PLC0415

        builder = _project_builder(kind, lambda: build.ProjectBuilder(srcdir, runner=runner))
        missing = _backend_call(kind, lambda: builder.check_dependencies(kind, config))
        if missing:
            unmet = ", ".join(sorted(" -> ".join(chain) for chain in missing))
            raise BuildFailedError(
                f"missing build requirements for the {kind} without isolation: {unmet}",
                hint="install them, or build without --no-isolation",
            )
        backend_requires = tuple(
            sorted(_backend_call(kind, lambda: builder.get_requires_for_build(kind, config)))
        )
        installed = installed_distributions()
        self.on_event(BuildEvent(distribution=kind, step="backend", message=_backend_name(builder)))
        path = Path(_backend_call(kind, lambda: builder.build(kind, self.stage, config)))
        requires = tuple(sorted(builder.build_system_requires))
        return path, _environment(builder, None, requires, backend_requires, installed)

    def _install(
        self, kind: DistributionKind, env: DefaultIsolatedEnv, requirements: Sequence[str]
    ) -> list[Mapping[str, Any]]:
        if not requirements:
            return []
        self.on_event(BuildEvent(distribution=kind, step="requirements", message=", ".join(requirements)))
        with tempfile.TemporaryDirectory(prefix="pyprov-report-") as scratch:
            report = Path(scratch) / "report.json"
            # pip writes an installation report, with the hash of every file it installed,
            # where PIP_REPORT says; uv has no such report (the record says so by omission).
            context = (
                environ.environ_set("PIP_REPORT", str(report))
                if self.options.installer == "pip"
                else nullcontext()
            )
            try:
                with context:
                    env.install(requirements)
            except subprocess.CalledProcessError as error:
                raise _install_failed(kind, error) from error
            if not report.is_file():
                return []
            try:
                return [json.loads(report.read_text(encoding="utf-8"))]
            except ValueError:
                return []


def _capturing_runner(output: list[str], on_line: Callable[[str], None]) -> _Runner:
    """A pyproject-hooks runner: credentials filtered out, output captured line by line."""

    def run(
        cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        env = environ.without_credentials({**os.environ, **(extra_environ or {})})
        with subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        ) as process:
            try:
                assert process.stdout is not None  # noqa: S101 - set by stdout=PIPE
                for line in process.stdout:
                    output.append(line)
                    on_line(line.rstrip("\n"))
                code = process.wait()
            except BaseException:
                process.kill()
                raise
        if code:
            raise subprocess.CalledProcessError(code, list(cmd))

    return run


def _check_project(srcdir: Path) -> None:
    if not srcdir.exists():
        raise ProjectError(f"source directory {srcdir} does not exist")
    if not srcdir.is_dir():
        raise ProjectError(f"source {srcdir} is not a directory")
    if not (srcdir / "pyproject.toml").is_file() and not (srcdir / "setup.py").is_file():
        raise ProjectError(
            f"{srcdir} has no pyproject.toml",
            hint="pyprov builds Python projects: run it in a directory with a pyproject.toml",
        )
    import build  # noqa: PLC0415

    # Parses and validates pyproject.toml without running anything: bad input fails
    # before any environment is created.
    _project_builder("sdist", lambda: build.ProjectBuilder(srcdir))


def _project_builder(kind: DistributionKind, make: Callable[[], ProjectBuilder]) -> ProjectBuilder:
    import build  # noqa: PLC0415

    try:
        return make()
    except build.BuildException as error:  # malformed pyproject.toml or build-system table
        raise ProjectError(str(error)) from error
    except build.BuildBackendException as error:
        raise BuildFailedError(f"building the {kind} failed: {error}") from error


def _backend_call(kind: DistributionKind, call: Callable[[], _T]) -> _T:
    import build  # noqa: PLC0415

    try:
        return call()
    except build.BuildBackendException as error:
        raise BuildFailedError(f"building the {kind} failed: {error}") from error
    except build.BuildException as error:
        raise BuildFailedError(f"building the {kind} failed: {error}") from error


def _install_failed(kind: DistributionKind, error: subprocess.CalledProcessError) -> BuildFailedError:
    output = b"".join(part for part in (error.stdout, error.stderr) if isinstance(part, bytes))
    return BuildFailedError(
        f"installing the build requirements of the {kind} failed (exit status {error.returncode})",
        output=output.decode(errors="replace"),
    )


def _backend_name(builder: ProjectBuilder) -> str:
    return str(builder._backend)


def _environment(
    builder: ProjectBuilder,
    installer: Installer | None,
    requires: tuple[str, ...],
    backend_requires: tuple[str, ...],
    installed: tuple[InstalledDistribution, ...],
) -> BuildEnvironment:
    system = builder._build_system
    return BuildEnvironment(
        isolated=installer is not None,
        installer=installer,
        backend=str(system["build-backend"]),
        backend_path=tuple(system.get("backend-path", ())),
        build_system_requires=requires,
        backend_requires=backend_requires,
        installed=installed,
    )


def _record(
    kind: DistributionKind,
    built: _Built,
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
        config_settings=options.config_settings,
        source_date_epoch=epoch,
        started_on=built.started_on,
        finished_on=built.finished_on,
        github=github,
    )
    return BuildRecord(artifact=artifact, source=source, environment=built.environment, invocation=invocation)
