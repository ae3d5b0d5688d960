"""``pyprov run`` and ``pyprov merge``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pyprov._cli import is_quiet, quiet_option, sbom_spec_option, verbose_option
from pyprov._internal.terminal import printable

if TYPE_CHECKING:
    from pyprov.run import SbomChoice
    from pyprov.sbom import SpecVersion


@click.command(
    "run",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option(
    "-p",
    "--product",
    "products",
    multiple=True,
    required=True,
    metavar="GLOB",
    help="Files the command makes (relative glob, e.g. 'dist/*.tar.gz'); repeat for more. Each gets "
    "its provenance.",
)
@click.option(
    "-m",
    "--material",
    "materials",
    multiple=True,
    metavar="GLOB",
    help="Files the command reads, hashed before it runs (e.g. 'Makefile', 'src/**/*.c'); repeat for more.",
)
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path),
    envvar="PYPROV_EVIDENCE_DIR",
    show_envvar=True,
    help="Where run records, SBOMs and provenance go.  [default: ./evidence]",
)
@click.option(
    "--sbom-format",
    type=click.Choice(["cyclonedx", "spdx", "both", "none"]),
    default="cyclonedx",
    show_default=True,
    envvar="PYPROV_SBOM_FORMAT",
    show_envvar=True,
    help="SBOM of each product that is a wheel (with the PEP 770 SBOMs inside it, e.g. auditwheel's).",
)
@sbom_spec_option
@click.option("--json", "as_json", is_flag=True, help="Print the run record and evidence files as JSON.")
@click.option("--hermetic", is_flag=True, help="Run the command without network.")
@click.option(
    "--allow-unsandboxed",
    is_flag=True,
    envvar="PYPROV_ALLOW_UNSANDBOXED",
    show_envvar=True,
    help="Run the command even where no sandbox can be made although credentials are in the "
    "environment: it could then read them.",
)
@verbose_option
@quiet_option
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.pass_context
def run_command(
    ctx: click.Context,
    /,
    products: tuple[str, ...],
    materials: tuple[str, ...],
    evidence_dir: Path | None,
    sbom_format: SbomChoice,
    sbom_spec: SpecVersion,
    as_json: bool,
    hermetic: bool,
    allow_unsandboxed: bool,
    command: tuple[str, ...],
) -> None:
    """Run COMMAND and record it: materials before, products after, SLSA provenance per product.

    Put COMMAND after '--': pyprov run -p 'dist/*' -- make dist. The command runs in
    the current directory, in a bubblewrap sandbox: without signing or upload
    credentials, unable to see pyprov or write outside the directory.
    For each product P: EVIDENCE_DIR/P.run.json, P.intoto.json and, for wheels,
    P.cdx.json. A command that fails writes nothing, and pyprov exits with its status.
    """
    from pyprov.run import RunOptions, record_run, redact_command  # noqa: PLC0415

    options = RunOptions(
        command=command,
        products=products,
        materials=materials,
        evidence_dir=evidence_dir,
        argv=("pyprov", *redact_command(sys.argv[1:], os.environ)),
        sbom=sbom_format,
        sbom_spec=sbom_spec,
        hermetic=hermetic,
        allow_unsandboxed=allow_unsandboxed,
    )
    result = record_run(options)
    quiet = is_quiet(ctx)
    if not result.succeeded:
        click.echo(
            f"error: {command[0]} exited with status {result.exit_status}; no provenance was written",
            err=True,
        )
        ctx.exit(result.exit_status)
    isolation = result.record.isolation if result.record else None
    if isolation is not None and isolation.sandbox is None and not quiet:
        click.echo(f"warning: the command ran without a sandbox ({isolation.reason})", err=True)
    for warning in result.warnings:
        if not quiet:
            click.echo(f"warning: {printable(warning)}", err=True)
    if as_json:
        assert result.record is not None  # noqa: S101 - a successful run has its record
        click.echo(
            json.dumps(
                {
                    "record": result.record.to_dict(),
                    "evidence": [[str(path) for path in paths] for paths in result.evidence_files],
                },
                indent=2,
            )
        )
        return
    if quiet:
        return
    assert result.record is not None  # noqa: S101
    click.echo(f"recorded {len(result.products)} product(s) of: {' '.join(result.record.command)}", err=True)
    for item, paths in zip(result.record.products, result.evidence_files, strict=True):
        click.echo(f"  {item.path}  sha256:{item.digests.sha256[:12]}…", err=True)
        click.echo(f"    evidence: {', '.join(path.name for path in paths)}", err=True)
    click.echo("SLSA Build L1: the provenance is unsigned (sign it with pyprov sign)", err=True)


@click.command("merge")
@click.argument(
    "directories",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    envvar="PYPROV_MERGE_OUTPUT",
    show_envvar=True,
    help="The release set's evidence directory (created; may hold an earlier merge).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the release set as JSON.")
@verbose_option
@quiet_option
@click.pass_context
def merge_command(ctx: click.Context, /, directories: tuple[Path, ...], output: Path, as_json: bool) -> None:
    """Combine the evidence directories of several jobs (a wheel matrix) into one release set.

    Files of the same name must be identical, and no product may have two digests;
    any conflict stops the merge before anything is written. OUTPUT gets every file
    and pyprov-release.intoto.json: one statement whose subjects are every product,
    naming the provenance that covers each.
    """
    from pyprov.run import merge_evidence  # noqa: PLC0415

    result = merge_evidence(directories, output)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "releaseStatement": str(result.release_statement),
                    "subjects": [{"name": name, "sha256": sha256} for name, sha256 in result.subjects],
                    "files": [str(path) for path in result.files],
                },
                indent=2,
            )
        )
        return
    if is_quiet(ctx):
        return
    click.echo(
        f"merged {len(directories)} director{'y' if len(directories) == 1 else 'ies'} into {output}: "
        f"{len(result.subjects)} product(s), {len(result.copied)} file(s) added",
        err=True,
    )
    click.echo(f"wrote {result.release_statement}", err=True)
