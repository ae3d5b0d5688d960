"""``pyprov sbom`` and ``pyprov inspect``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from pyprov._cli import quiet_option, sbom_spec_option, verbose_option
from pyprov._internal.terminal import printable

if TYPE_CHECKING:
    from pyprov.sbom import SbomResult, SourceSbomResult


@click.command("sbom")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option(
    "--python",
    "python",
    type=click.Path(path_type=Path),
    envvar="PYPROV_SBOM_PYTHON",
    show_envvar=True,
    help="Describe the environment of this interpreter (e.g. .venv/bin/python) instead of PATH.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    envvar="PYPROV_SBOM_OUTPUT",
    show_envvar=True,
    help="Write the SBOM to this file (atomically).  [default: stdout]",
)
@sbom_spec_option
@click.option(
    "--sbom-format",
    "output_format",
    type=click.Choice(["cyclonedx", "spdx", "spdx3"]),
    default="cyclonedx",
    show_default=True,
    envvar="PYPROV_SBOM_FORMAT",
    show_envvar=True,
    help="CycloneDX JSON, SPDX 2.3 JSON, or SPDX 3.0.1 JSON-LD (spdx3; not with --source).",
)
@click.option(
    "--sbom-files",
    "files",
    is_flag=True,
    envvar="PYPROV_SBOM_FILES",
    show_envvar=True,
    help="List every file (from RECORD) with its hash (SPDX 3 of a wheel or sdist always does).",
)
@click.option(
    "--source",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="PYPROV_SBOM_SOURCE",
    show_envvar=True,
    help="Describe this source tree (PATH, if given, is its tarball) with the vendored components "
    "of --merge.",
)
@click.option(
    "--merge",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="SPDX 2.3 or CycloneDX JSON of vendored components (e.g. Misc/sbom.spdx.json); repeatable; "
    "needs --source. Each vendored file is checked against the hash it claims.",
)
@click.option(
    "--strict-hashes",
    is_flag=True,
    envvar="PYPROV_SBOM_STRICT_HASHES",
    show_envvar=True,
    help="Fail (exit 4) when a vendored file does not match the hash its SBOM claims.",
)
@click.option(
    "--check",
    type=click.Choice(["ntia", "fsct3", "bsi"]),
    envvar="PYPROV_SBOM_CHECK",
    show_envvar=True,
    help="Also list, on stderr, every minimum element (NTIA, CISA FSCT3, BSI TR-03183-2) a "
    "component lacks, by ntia-conformance-checker's rules (fsct3 and bsi as it reads SPDX 3); "
    "exit 4 if one does. The SBOM is written all the same.",
)
@click.option("--component-name", metavar="NAME", help="Name of the source tree's component (with --source).")
@click.option("--component-version", metavar="VERSION", help="Its version (with --source).")
@verbose_option
@quiet_option
@click.pass_context
def sbom_command(
    ctx: click.Context,
    path: Path | None,
    python: Path | None,
    output: Path | None,
    sbom_spec: Literal["1.5", "1.6", "1.7"],
    output_format: Literal["cyclonedx", "spdx", "spdx3"],
    files: bool,
    source: Path | None,
    merge: tuple[Path, ...],
    strict_hashes: bool,
    check: Literal["ntia", "fsct3", "bsi"] | None,
    component_name: str | None,
    component_version: str | None,
) -> None:
    """Write the SBOM of a wheel, an sdist, a venv (PATH), an environment (--python), or a source tree.

    --source DIR --merge SBOM describes a source tree that vendors code (CPython's
    Misc/sbom.spdx.json, say) and, with PATH, the tarball made from it: every vendored
    file is checked against the hash the input claims. The document is validated
    against the official CycloneDX schema before it is written. With SOURCE_DATE_EPOCH
    set, the same input gives byte-identical output.
    """
    from pyprov._cli import is_quiet  # noqa: PLC0415
    from pyprov._internal import environ  # noqa: PLC0415
    from pyprov._internal import files as file_io  # noqa: PLC0415
    from pyprov.errors import OutputError  # noqa: PLC0415
    from pyprov.sbom import generate_sbom, source_sbom  # noqa: PLC0415

    epoch = environ.source_date_epoch(os.environ)
    result: SbomResult | SourceSbomResult
    if source is not None or merge:
        if source is None or not merge:
            raise click.UsageError("--source and --merge go together")
        if python is not None:
            raise click.UsageError("--source describes a source tree, --python an environment: give one")
        if check is not None:
            raise click.UsageError("--check applies to wheels, sdists and environments, not --source")
        if output_format == "spdx3":
            raise click.UsageError(
                "--sbom-format spdx3 applies to wheels, sdists and environments, not --source"
            )
        result = source_sbom(
            source,
            merge,
            artifact=path,
            name=component_name,
            version=component_version,
            spec=sbom_spec,
            output_format=output_format,
            strict=strict_hashes,
            source_date_epoch=epoch,
        )
    else:
        if (path is None) == (python is None):
            raise click.UsageError(
                "give either PATH (a wheel, an sdist or a venv directory) or --python, not both or neither"
            )
        result = generate_sbom(
            path,
            python=python,
            spec=sbom_spec,
            output_format=output_format,
            files=files,
            source_date_epoch=epoch,
            check=check,
        )
    if not is_quiet(ctx):
        for warning in result.warnings:
            click.echo(f"warning: {printable(warning)}", err=True)
    if output is None:
        click.echo(result.content.decode(), nl=False)
        _report_gaps(result, check)
        return
    try:
        file_io.write_atomic(output.absolute(), result.content)
    except OSError as error:
        raise OutputError(f"cannot write {output}: {error.strerror or error}") from error
    if not is_quiet(ctx):
        click.echo(f"wrote {output}", err=True)
    _report_gaps(result, check)


def _report_gaps(result: SbomResult | SourceSbomResult, check: str | None) -> None:
    """One stderr line per missing minimum element; exit 4 (documented) when there is one."""
    from pyprov.errors import VerificationError  # noqa: PLC0415
    from pyprov.sbom import SbomResult  # noqa: PLC0415

    if check is None or not isinstance(result, SbomResult):
        return
    for gap in result.gaps:
        click.echo(f"missing ({check}): {gap.message}", err=True)
    if result.gaps:
        raise VerificationError(f"the SBOM lacks {len(result.gaps)} {check} minimum element(s)")
    click.echo(f"{check}: every minimum element is present", err=True)
