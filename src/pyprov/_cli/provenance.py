"""``pyprov provenance``: provenance commands beyond ``pyprov build`` (the L3 signing job's ``reissue``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from pyprov._cli import is_quiet, quiet_option, verbose_option


@click.group("provenance")
def provenance_group() -> None:
    """Write SLSA provenance outside `pyprov build`."""


@provenance_group.command("reissue")
@click.argument("artifacts", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    envvar="PYPROV_EVIDENCE_DIR",
    show_envvar=True,
    help="The build job's evidence (<artifact>.build.json, SBOMs); the provenance is written here.",
)
@click.option(
    "--expected-hashes",
    metavar="TEXT",
    required=True,
    envvar="PYPROV_EXPECTED_HASHES",
    show_envvar=True,
    help="The digests the build job reported: sha256sum lines, or base64 of them.",
)
@click.option(
    "--builder-id",
    metavar="URI",
    envvar="PYPROV_BUILDER_ID",
    show_envvar=True,
    help="builder.id to write.  [default: the reusable workflow, from the job's GitHub identity token]",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON on stdout.")
@verbose_option
@quiet_option
@click.pass_context
def reissue_command(
    ctx: click.Context,
    /,
    artifacts: tuple[Path, ...],
    evidence_dir: Path,
    expected_hashes: str,
    builder_id: str | None,
    as_json: bool,
) -> None:
    """Write SLSA Build L3 provenance for ARTIFACTS handed over by the build job.

    For the signing job of pyprov's reusable workflow: re-hashes each artifact, compares
    it with --expected-hashes and its build record, checks the record describes this
    workflow run, and writes EVIDENCE_DIR/<artifact>.intoto.json with the reusable
    workflow as builder.id. Sign them afterwards with `pyprov sign`. Exit code 4 when
    anything does not match; nothing is written then.
    """
    from pyprov.provenance._reissue import (  # noqa: PLC0415
        ambient_builder_id,
        parse_expected_hashes,
        reissue_provenance,
    )

    expected = parse_expected_hashes(expected_hashes)
    environ = dict(os.environ)
    written = reissue_provenance(
        artifacts,
        evidence_dir=evidence_dir,
        expected=expected,
        builder_id=builder_id or ambient_builder_id(environ),
        environ=environ,
    )
    if as_json:
        click.echo(json.dumps([item.to_dict() for item in written], indent=2))
        return
    for item in written:
        if not is_quiet(ctx):
            click.echo(f"wrote {item.statement}", err=True)
        click.echo(f"{item.artifact.name}  sha256:{item.sha256}  {item.level}")
    if written:
        click.echo(f"builder: {written[0].builder_id}")
