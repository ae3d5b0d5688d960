"""What people see: progress while building, and the closing summary."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pyprov.events import BuildEvent, EventHandler, ignore_event

if TYPE_CHECKING:
    from pyprov.build import BuildResult
    from pyprov.provenance import BuildLevel
    from pyprov.signing import SigningResult

_STEPS = {
    "environment": "creating isolated environment ({message})",
    "requirements": "installing build requirements: {message}",
    "backend": "running the backend ({message})",
    "built": "built {message}",
}


@contextlib.contextmanager
def progress(*, verbose: bool, quiet: bool) -> Iterator[EventHandler]:
    """Yield an event handler that shows progress on stderr.

    A spinner on a terminal, plain lines otherwise, nothing with ``quiet``; with
    ``verbose`` the backend's output is shown as it comes.
    """
    if quiet:
        yield ignore_event
        return
    if not sys.stderr.isatty():
        yield _plain_handler(verbose)
        return
    from rich.console import Console  # noqa: PLC0415 - rich costs startup time: only when shown

    console = Console(stderr=True)
    with console.status("starting the build") as status:

        def handle(event: BuildEvent) -> None:
            if event.step == "output":
                if verbose:
                    console.print(event.message, markup=False, highlight=False)
                return
            line = f"{event.distribution}: " + _STEPS[event.step].format(message=event.message)
            if event.step == "built":
                console.print(f"[green]✓[/] {line}", highlight=False)
            else:
                status.update(line)

        yield handle


def _plain_handler(verbose: bool) -> EventHandler:
    def handle(event: BuildEvent) -> None:
        if event.step == "output":
            if verbose:
                click.echo(event.message, err=True)
            return
        click.echo(f"* {event.distribution}: " + _STEPS[event.step].format(message=event.message), err=True)

    return handle


def build_summary(result: BuildResult, level: BuildLevel) -> None:
    """Print the artifacts with sizes, SHA-256 and evidence files on stdout, then the SLSA level."""
    rows = [
        (
            _display(path),
            _size(record.artifact.size),
            record.artifact.digests.sha256,
            "\n".join(_display(item) for item in evidence),
        )
        for record, path, evidence in zip(
            result.records, result.artifacts, result.evidence_files, strict=True
        )
    ]
    title = f"built {len(rows)} artifact{'s' if len(rows) != 1 else ''}"
    footer = [f"evidence for all artifacts: {_display(path)}" for path in result.run_evidence_files]
    footer.append(f"provenance: {level} ({level.reason})")
    if sys.stdout.isatty():
        from rich.console import Console  # noqa: PLC0415
        from rich.table import Table  # noqa: PLC0415

        table = Table(title=title, title_justify="left")
        for heading in ("artifact", "size", "sha256", "evidence"):
            table.add_column(heading, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console = Console()
        console.print(table)
        for line in footer:
            console.print(line, highlight=False, markup=False)
        return
    click.echo(f"{title}:")
    for artifact, size, sha256, evidence in rows:
        click.echo(f"  {artifact}  {size}  sha256:{sha256}")
        for line in evidence.splitlines():
            click.echo(f"    evidence: {line}")
    for line in footer:
        click.echo(line)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _size(size: int) -> str:
    if size < _KIB:
        return f"{size} B"
    value = size / _KIB
    for unit in ("KiB", "MiB"):
        if value < _KIB:
            return f"{value:.1f} {unit}"
        value /= _KIB
    return f"{value:.1f} GiB"


_KIB = 1024


def signing_summary(result: SigningResult, files: list[Path]) -> None:
    """Print who signed, against which instance, and the files signing wrote."""
    click.echo(
        f"signed by {result.identity} (issuer {result.issuer}) on {result.instance}; every bundle verified"
    )
    for path in files:
        click.echo(f"  {_display(path)}")


def build_json(result: BuildResult, level: BuildLevel, signing: SigningResult | None) -> dict[str, Any]:
    """``build --json``: per artifact its path, SHA-256, evidence files, bundles and build record.

    With the SLSA level the build reached, the run evidence, and who signed (when signing).
    """
    signed = result.signed_files or tuple(() for _ in result.records)
    return {
        "artifacts": [
            {
                "path": str(path),
                "sha256": record.artifact.digests.sha256,
                "evidence": [str(item) for item in evidence],
                "bundles": [str(item) for item in bundles],
                "record": record.to_dict(),
            }
            for record, path, evidence, bundles in zip(
                result.records, result.artifacts, result.evidence_files, signed, strict=True
            )
        ],
        "run_evidence": [str(path) for path in result.run_evidence_files],
        "slsa_build_level": level.to_dict(),
        "signed": (
            {"identity": signing.identity, "issuer": signing.issuer, "instance": str(signing.instance)}
            if signing is not None
            else None
        ),
    }
