"""``pyprov inspect``: an SBOM or a provenance statement, shown for people."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from pyprov._cli import quiet_option, verbose_option

MAX_INSPECT_BYTES = 64 << 20
"""Evidence files are untrusted: a larger one is refused unread."""


@click.command("inspect")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary of an SBOM as JSON.")
@verbose_option
@quiet_option
def inspect_command(file: Path, as_json: bool) -> None:
    """Show FILE for people: a CycloneDX SBOM (.cdx.json) or an in-toto statement (.intoto.json).

    An SBOM: component counts, licenses, bundled content, build environment. A statement:
    subject, source, builder, dependencies, SLSA level.
    """
    from pyprov._cli.inspect_provenance import render_statement  # noqa: PLC0415
    from pyprov._cli.sbom import show_sbom  # noqa: PLC0415
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.provenance import STATEMENT_TYPE, load_statement  # noqa: PLC0415

    try:
        if file.stat().st_size > MAX_INSPECT_BYTES:
            raise ProjectError(f"{file} is larger than {MAX_INSPECT_BYTES >> 20} MiB")
        data = file.read_bytes()
    except OSError as error:
        raise ProjectError(f"cannot read {file}: {error.strerror or error}") from error
    try:
        document = json.loads(data)
    except ValueError as error:
        raise ProjectError(f"{file} is not JSON: {error}") from error
    if isinstance(document, dict) and document.get("_type") == STATEMENT_TYPE:
        statement = load_statement(file)
        if as_json:
            click.echo(json.dumps(statement, indent=2))
            return
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        click.echo(render_statement(statement, color=color), nl=False)
        return
    show_sbom(data, as_json=as_json)
