"""``pyprov inspect``: any file pyprov writes or reads, shown for people (or as JSON)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pyprov._cli import quiet_option, verbose_option

if TYPE_CHECKING:
    from pyprov.inspect import Inspection


@click.command("inspect")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@verbose_option
@quiet_option
def inspect_command(file: Path, as_json: bool) -> None:
    """Show FILE for people, whichever of pyprov's inputs and outputs it is.

    SBOMs (.cdx.json, .spdx.json), provenance (.intoto.json), Sigstore bundles
    (.sigstore.json, .intoto.sigstore.json, .cdx.sigstore.json, .sigstore), PEP 740
    attestations (.attestation), PyPI provenance (.provenance), build and run records
    (.build.json, .run.json). Nothing is verified: use `pyprov verify` for that.
    """
    from pyprov._internal.terminal import printable_tree  # noqa: PLC0415
    from pyprov.inspect import inspect_file  # noqa: PLC0415

    inspection = inspect_file(file)
    if as_json:
        click.echo(json.dumps(printable_tree(inspection.data), indent=2, ensure_ascii=False))
        return
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(render_inspection(inspection, color=color), nl=False)


def render_inspection(inspection: Inspection, *, color: bool) -> str:
    """The inspection as text: the title, then each section's heading and indented lines.

    Every string is escaped (it comes from the file); ``color`` makes headings bold.
    """
    from pyprov._internal.terminal import printable  # noqa: PLC0415

    def heading(text: str) -> str:
        return click.style(text, bold=True) if color else text

    lines = [heading(printable(inspection.title))]
    for section in inspection.sections:
        lines += ["", heading(printable(section.title))]
        lines += [f"  {printable(line)}" for line in section.lines]
    return "\n".join(lines) + "\n"


def render_statement(data: dict[str, Any], *, color: bool) -> str:
    """A statement (a parsed ``.intoto.json``) as text for a terminal or a log."""
    from pyprov.inspect import Inspection  # noqa: PLC0415
    from pyprov.inspect.statement import statement_sections, statement_title  # noqa: PLC0415

    inspection = Inspection(
        kind="in-toto statement", title=statement_title(data), sections=statement_sections(data), data=data
    )
    return render_inspection(inspection, color=color)
