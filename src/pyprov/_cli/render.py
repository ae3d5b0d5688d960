"""What people see: progress while building, and the closing summary."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from pyprov.build import BuildResult
from pyprov.events import BuildEvent, EventHandler, ignore_event

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


def build_summary(result: BuildResult) -> None:
    """Print the artifacts with sizes, SHA-256 and evidence files on stdout."""
    rows = [
        (_display(path), _size(record.artifact.size), record.artifact.digests.sha256, _display(evidence))
        for record, path, evidence in zip(result.records, result.artifacts, result.record_files)
    ]
    if sys.stdout.isatty():
        from rich.console import Console  # noqa: PLC0415
        from rich.table import Table  # noqa: PLC0415

        table = Table(title=f"built {len(rows)} artifact{'s' if len(rows) != 1 else ''}", title_justify="left")
        for heading in ("artifact", "size", "sha256", "evidence"):
            table.add_column(heading, overflow="fold")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    click.echo(f"built {len(rows)} artifact{'s' if len(rows) != 1 else ''}:")
    for artifact, size, sha256, evidence in rows:
        click.echo(f"  {artifact}  {size}  sha256:{sha256}")
        click.echo(f"    evidence: {evidence}")


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
