"""``pyprov run``: record any command's materials and products, and write provenance for each product."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Literal

from pyprov._internal import environ
from pyprov._internal.clock import Clock, rfc3339, utc_now
from pyprov._internal.outputs import ignore_directory, make_directory, publish, staging, write_file
from pyprov.errors import BuildFailedError, ProjectError
from pyprov.evidence.layout import EVIDENCE_DIRECTORY, GITIGNORE_CONTENT, MEDIA_TYPES, RUN_RECORD_SUFFIX
from pyprov.producers.policy import credentials_in, make_policy
from pyprov.producers.source import git_source
from pyprov.provenance import PROVENANCE_SUFFIX, check_statement, dump_statement
from pyprov.record import GitHubContext, Invocation
from pyprov.run.command import redact_command, run_command
from pyprov.run.paths import check_patterns, is_inside, matching_files, record_files, stamps
from pyprov.run.record import RecordedFile, RunRecord
from pyprov.run.statement import make_run_statement
from pyprov.sbom import CYCLONEDX_SUFFIX, SPDX_SUFFIX, OutputFormat, SpecVersion, generate_sbom

SbomChoice = Literal["cyclonedx", "spdx", "both", "none"]
_SBOM_FORMATS: dict[SbomChoice, tuple[OutputFormat, ...]] = {
    "cyclonedx": ("cyclonedx",),
    "spdx": ("spdx",),
    "both": ("cyclonedx", "spdx"),
    "none": (),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    """What to run and what to record."""

    command: tuple[str, ...]
    products: tuple[str, ...]
    """Glob patterns (relative to ``workdir``) of the files the command makes; at least one."""
    materials: tuple[str, ...] = ()
    """Glob patterns of the files the command reads, hashed before it runs."""
    workdir: Path | None = None
    """Where the command runs; default the current directory."""
    evidence_dir: Path | None = None
    """Where evidence goes; default ``<workdir>/evidence``."""
    argv: tuple[str, ...] = ()
    """pyprov's own command line to record (already redacted by the caller)."""
    recorded_command: tuple[str, ...] | None = None
    """The command line to record; default ``command`` redacted with :func:`redact_command`."""
    sbom: SbomChoice = "cyclonedx"
    """SBOMs of products that are wheels (``.whl``); other products get none."""
    sbom_spec: SpecVersion = "1.6"
    stdout: IO[bytes] | None = None
    """Where the command's output goes; default pyprov's own."""
    stderr: IO[bytes] | None = None
    allow_unsandboxed: bool = False
    """Run the command even where no sandbox can be made although credentials are present."""
    hermetic: bool = False
    """Run the command without network."""

    @property
    def working_directory(self) -> Path:
        """The resolved working directory."""
        return (self.workdir or Path.cwd()).absolute()

    @property
    def evidence_directory(self) -> Path:
        """The resolved evidence directory."""
        return (self.evidence_dir or self.working_directory / EVIDENCE_DIRECTORY).absolute()


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult:
    """The outcome of :func:`record_run`.

    When the command failed, ``record`` is ``None`` and nothing was written: pass
    ``exit_status`` on.
    """

    exit_status: int
    record: RunRecord | None = None
    products: tuple[Path, ...] = ()
    """The products, in the order of ``record.products``."""
    evidence_files: tuple[tuple[Path, ...], ...] = ()
    """Per product: its run record, SBOMs and statement (last), in the evidence directory."""
    warnings: tuple[str, ...] = ()

    @property
    def succeeded(self) -> bool:
        """Whether the command exited with status 0 (and so provenance was written)."""
        return self.exit_status == 0


def record_run(options: RunOptions, *, clock: Clock | None = None) -> RunResult:
    """Run ``options.command``, hash its materials before and products after, and write their evidence.

    For each product ``P``: ``P.run.json`` (the run record), for wheels ``P.cdx.json``
    and/or ``P.spdx.json``, and ``P.intoto.json`` (SLSA v1, pyprov's generic buildType),
    all moved into the evidence directory together once every file is complete. A
    command that fails produces no evidence; its status is in the result.

    Raises :class:`ProjectError` for unusable options or a command that cannot start,
    :class:`BuildFailedError` when the command succeeded but made no product, and
    :class:`OutputError` when evidence cannot be written.
    """
    now = clock or utc_now
    workdir, evidence_dir = options.working_directory, options.evidence_directory
    if not workdir.is_dir():
        raise ProjectError(f"the working directory {workdir} does not exist or is not a directory")
    product_patterns = check_patterns(options.products, "--product")
    material_patterns = check_patterns(options.materials, "--material")
    if not product_patterns:
        raise ProjectError("no --product pattern: say which files the command makes")

    def matches(patterns: Sequence[str]) -> list[Path]:
        # Evidence of earlier runs is neither a material nor a product.
        return [path for path in matching_files(workdir, patterns) if not is_inside(path, evidence_dir)]

    git = git_source(workdir)
    materials = record_files(workdir, matches(material_patterns))
    before = stamps(workdir, matches(product_patterns))
    github, epoch = GitHubContext.from_environ(os.environ), environ.source_date_epoch(os.environ)
    recorded_command = options.recorded_command or redact_command(options.command, os.environ)
    # The evidence directory exists before the command runs, so that it can be bound read-only.
    created = not evidence_dir.exists()
    make_directory(evidence_dir, "evidence")
    try:
        policy = make_policy(
            protected=(evidence_dir, workdir / ".git"),
            allow_unsandboxed=options.allow_unsandboxed,
            credentials_present=credentials_in(os.environ),
            hermetic=options.hermetic,
        )
        started = now()
        completed = run_command(
            options.command, cwd=workdir, policy=policy, stdout=options.stdout, stderr=options.stderr
        )
        finished = now()
        if completed.exit_status != 0:
            return RunResult(exit_status=completed.exit_status)

        product_paths = matches(product_patterns)
        if not product_paths:
            raise BuildFailedError(
                f"the command succeeded but no file matches {', '.join(map(repr, product_patterns))} "
                f"in {workdir}",
                hint="check the --product patterns (relative to the working directory)",
            )
        _check_unique_names(product_paths)
        after = stamps(workdir, product_paths)
        warnings = [
            f"{path} was not changed by the command (it existed before with the same size and time)"
            for path, stamp in after.items()
            if before.get(path) == stamp
        ]
        products = record_files(workdir, product_paths)
        invocation = Invocation.here(
            argv=options.argv,
            source_date_epoch=epoch,
            started_on=rfc3339(started),
            finished_on=rfc3339(finished),
            github=github,
        )
        record = RunRecord(
            command=recorded_command,
            workdir=str(workdir),
            material_patterns=material_patterns,
            product_patterns=product_patterns,
            materials=materials,
            products=products,
            git=git,
            exit_status=completed.exit_status,
            credentials_withheld=completed.credentials_withheld,
            invocation=invocation,
            warnings=tuple(warnings),
            isolation=policy.isolation(),
        )
        sbom_warnings: list[str] = []
        with staging(evidence_dir) as stage:
            staged = [
                _write_product_evidence(record, item, workdir / item.path, stage, options, sbom_warnings)
                for item in products
            ]
            evidence = tuple(tuple(publish(path, evidence_dir) for path in paths) for paths in staged)
        if created:
            ignore_directory(evidence_dir, GITIGNORE_CONTENT)
        return RunResult(
            exit_status=0,
            record=record,
            products=tuple(workdir / item.path for item in products),
            evidence_files=evidence,
            warnings=tuple(warnings) + tuple(sorted(set(sbom_warnings))),
        )

    finally:
        # Nothing written (a failing command, no product, an error): no evidence directory either.
        if created:
            with contextlib.suppress(OSError):
                evidence_dir.rmdir()  # only when empty


def _check_unique_names(paths: Sequence[Path]) -> None:
    seen: dict[str, Path] = {}
    for path in paths:
        other = seen.setdefault(path.name, path)
        if other is not path:
            raise ProjectError(
                f"two products have the file name {path.name}: {other} and {path}",
                hint="evidence is named after the file name: narrow the --product patterns",
            )


def _write_product_evidence(
    record: RunRecord,
    product: RecordedFile,
    path: Path,
    stage: Path,
    options: RunOptions,
    warnings: list[str],
) -> list[Path]:
    written: list[Path] = []
    byproducts: list[tuple[str, str, str]] = []

    def stage_file(suffix: str, content: bytes) -> None:
        target = stage / (product.name + suffix)
        write_file(target, content)
        written.append(target)
        if suffix in MEDIA_TYPES:
            byproducts.append((target.name, hashlib.sha256(content).hexdigest(), MEDIA_TYPES[suffix]))

    stage_file(RUN_RECORD_SUFFIX, (json.dumps(record.to_dict(), indent=2) + "\n").encode())
    if product.name.endswith(".whl"):
        for output_format in _SBOM_FORMATS[options.sbom]:
            result = generate_sbom(
                path,
                spec=options.sbom_spec,
                output_format=output_format,
                source_date_epoch=record.invocation.source_date_epoch,
                now=datetime.fromisoformat(record.invocation.finished_on.replace("Z", "+00:00")),
            )
            warnings.extend(f"{product.name}: {text}" for text in result.warnings)
            stage_file(CYCLONEDX_SUFFIX if output_format == "cyclonedx" else SPDX_SUFFIX, result.content)
    statement = make_run_statement(record, (product,), byproducts=byproducts)
    check_statement(statement)
    stage_file(PROVENANCE_SUFFIX, dump_statement(statement))
    return written
