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
    "--handover",
    "handover",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    required=True,
    help="The directory the hand-over was downloaded to; it must hold exactly the files listed by "
    "--handover-digests (ARTIFACTS and --evidence-dir lie inside it).",
)
@click.option(
    "--handover-digests",
    metavar="TEXT",
    required=True,
    envvar="PYPROV_HANDOVER_DIGESTS",
    show_envvar=True,
    help="Every handed-over file as the build job listed it: sha256sum lines with paths relative "
    "to --handover, or base64 of them.",
)
@click.option(
    "--workflow-inputs",
    metavar="JSON",
    required=True,
    envvar="PYPROV_WORKFLOW_INPUTS",
    show_envvar=True,
    help="The workflow call's inputs context (toJSON(inputs)), recorded in full as externalParameters.",
)
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where the provenance is written.  [default: --evidence-dir]",
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
    handover: Path,
    handover_digests: str,
    workflow_inputs: str,
    output_dir: Path | None,
    builder_id: str | None,
    as_json: bool,
) -> None:
    """Write SLSA Build L3 provenance for ARTIFACTS handed over by the build job.

    For the signing job of pyprov's reusable workflow: checks that the hand-over holds
    exactly the files the build job listed, re-hashes each artifact, compares it with
    --expected-hashes and its build record, checks the record describes this workflow
    run and its inputs, and writes OUTPUT_DIR/<artifact>.intoto.json with the reusable
    workflow (at a release tag) as builder.id and externalParameters taken from this
    job's own inputs and GITHUB_* variables. Sign them afterwards with `pyprov sign`.
    Exit code 4 when anything does not match; nothing is written then.
    """
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.provenance.reissue import (  # noqa: PLC0415
        ambient_builder_id,
        parse_expected_hashes,
        parse_handover_digests,
        reissue_provenance,
    )
    from pyprov.provenance.workflow import parse_workflow_inputs  # noqa: PLC0415

    expected = parse_expected_hashes(expected_hashes)
    listed = parse_handover_digests(handover_digests)
    try:
        inputs = parse_workflow_inputs(workflow_inputs)
    except ValueError as error:
        raise ProjectError(f"--workflow-inputs: {error}") from error
    environ = dict(os.environ)
    written = reissue_provenance(
        artifacts,
        evidence_dir=evidence_dir,
        expected=expected,
        builder_id=builder_id or ambient_builder_id(environ),
        environ=environ,
        inputs=inputs,
        handover=handover,
        handover_digests=listed,
        config_settings=_config_settings(str(inputs["extra-args"])),
        output_dir=output_dir,
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


def _config_settings(extra_args: str) -> dict[str, str | list[str]]:
    """The config settings ``pyprov build`` takes from the workflow's ``extra-args`` input.

    The action passes each non-empty line as one argument before ``--``; the same
    command's own parser reads them here, so the signing job knows the settings without
    trusting the build job's report of them.
    """
    from pyprov._cli.build import build_command, parse_config_settings  # noqa: PLC0415
    from pyprov.errors import ProjectError  # noqa: PLC0415

    args = [line for line in extra_args.split("\n") if line]  # as the action's `read -r` loop
    try:
        context = build_command.make_context("build", [*args, "--", "."], resilient_parsing=True)
    except click.ClickException as error:
        raise ProjectError(f"the extra-args input: {error.format_message()}") from error
    return parse_config_settings(tuple(context.params.get("config_settings") or ()))
