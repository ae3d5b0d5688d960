"""``pyprov posture``: measured security facts about a release or a dependency set, at a glance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pyprov._cli import index_url_option, is_quiet, quiet_option, verbose_option
from pyprov._cli.trust import trust_options, trust_source
from pyprov._internal.terminal import printable

if TYPE_CHECKING:
    from pyprov.posture import Count, Item, PostureReport
    from pyprov.verify import TrustSource

_MARKS = {"yes": "✓", "no": "✗", "unknown": "?"}


@click.command("posture")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[DIST...]")
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path),
    envvar="PYPROV_EVIDENCE_DIR",
    show_envvar=True,
    help="Where pyprov's evidence is.  [default: evidence/ beside the artifacts' directory]",
)
@click.option(
    "--lock", type=click.Path(path_type=Path), help="The files of this PEP 751 lock, from --index-url."
)
@click.option(
    "-r",
    "--requirements",
    type=click.Path(path_type=Path),
    help="The NAME==VERSION lines (with --hash=sha256:) of this requirements file, from --index-url.",
)
@click.option(
    "--python",
    "environment",
    type=click.Path(path_type=Path),
    metavar="ENV",
    help="The distributions installed for this interpreter or in this venv directory (as `pyprov sbom` "
    "reads them), each checked against the file of --index-url it was installed from.",
)
@index_url_option("The simple API (PEP 691 JSON) the dependencies' files and provenance come from.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1, max=32),
    default=8,
    show_default=True,
    envvar="PYPROV_POSTURE_JOBS",
    show_envvar=True,
    help="Dependencies: files fetched at once, each verified as soon as it is downloaded.",
)
@trust_options(offline_by_default=True)
@click.option(
    "--require",
    "requirements_",
    multiple=True,
    envvar="PYPROV_POSTURE_REQUIRE",
    show_envvar=True,
    metavar="PROPERTY=PERCENT",
    help="Exit 4 unless at least PERCENT of all items have PROPERTY (unknown counts as not having it; "
    "repeatable; with several releases, of the last one).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the report as one self-contained HTML page.",
)
@verbose_option
@quiet_option
@click.pass_context
def posture_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    evidence_dir: Path | None,
    lock: Path | None,
    requirements: Path | None,
    environment: Path | None,
    index_url: str,
    jobs: int,
    trust_config: Path | None,
    trusted_root: Path | None,
    staging: bool,
    offline: bool,
    requirements_: tuple[str, ...],
    as_json: bool,
    html_file: Path | None,
) -> None:
    """Report which security properties hold for a release (DIST) or dependencies (--lock, -r, --python).

    Per artifact of a release (DIST: dist/ or its files) or per file of a dependency set,
    and for each property how many items have it. Several DIST directories are several
    releases (oldest first): each one's counts per property, side by side (a trend).

    A release artifact: signed (and by whom), provenance (SLSA level claimed, signature
    verified), sandboxed, hermetic, pinned build requirements, tagged and clean source,
    SBOM with the NTIA minimum elements, reproducible (a signed rebuild verdict), PEP 740
    files. A dependency file: PEP 740 provenance served, verified, its publisher and whether
    that is a repository the file's metadata names, hash as pinned, not yanked (--python:
    the wheel with the installed tags, its RECORD's hashes against the installed ones).
    Facts that could not be checked are "unknown", never good
    or bad. The trusted root is not refreshed unless --refresh-trust.

    Exit codes: 0 report written, 4 a --require threshold not met, 2 could not run, 3 the HTML
    file could not be written.
    """
    from pyprov.errors import ProjectError  # noqa: PLC0415

    thresholds = _thresholds(requirements_)
    # The same trust-root rules as `pyprov verify`, [tool.pyprov] included; but the trusted
    # root is not refreshed unless --refresh-trust (a report over many files, often in CI).
    trust = trust_source(trust_config, trusted_root, staging=staging, offline=offline)
    given = (("DIST", paths), ("--lock", lock), ("-r", requirements), ("--python", environment))
    subjects = [name for name, value in given if value]
    if len(subjects) != 1:
        raise ProjectError(
            "name one subject: DIST (a release), --lock FILE, -r FILE or --python ENV (dependencies)"
            + (f"; got {' and '.join(subjects)}" if subjects else "")
        )
    if paths:
        report = _release_report(paths, trust, evidence_dir)
    else:
        if evidence_dir is not None:
            raise ProjectError("--evidence-dir is for a release (DIST), not for --lock, -r or --python")
        report = _dependency_report(lock, requirements, environment, trust, index_url, jobs)
    if html_file is not None:
        _write_html(report, html_file)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        render(report, quiet=is_quiet(ctx))
    if html_file is not None and not is_quiet(ctx):
        click.echo(f"wrote {printable(str(html_file))}", err=True)
    _gate(report, thresholds)


def _release_report(paths: tuple[Path, ...], trust: TrustSource, evidence_dir: Path | None) -> PostureReport:
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.posture import release_posture, release_trend  # noqa: PLC0415

    if len(paths) == 1 or not any(path.is_dir() for path in paths):
        return release_posture(paths, trust, evidence_dir=evidence_dir)
    # Several directories: one release each, compared (a trend).
    if not all(path.is_dir() for path in paths):
        raise ProjectError(
            "name the files of one release, or several dist directories (one release each), not both"
        )
    if evidence_dir is not None:
        raise ProjectError(
            "--evidence-dir names one directory: with several releases, each one's evidence is "
            "looked for in evidence/ beside its dist directory"
        )
    return release_trend(paths, trust)


def _dependency_report(
    lock: Path | None,
    requirements: Path | None,
    environment: Path | None,
    trust: TrustSource,
    index_url: str,
    jobs: int,
) -> PostureReport:
    from pyprov.posture.verification import start_verification  # noqa: PLC0415

    # The verifier imports sigstore and loads the trust root while the lock is read.
    verification = start_verification(trust)
    try:
        from pyprov.posture import (  # noqa: PLC0415
            dependency_posture,
            read_installed,
            read_lock_files,
            read_requirements,
        )

        if lock is not None:
            pinned = read_lock_files(lock)
        elif requirements is not None:
            pinned = read_requirements(requirements)
        else:
            pinned = read_installed(environment)  # type: ignore[arg-type]
        return dependency_posture(pinned, verification, index_url=index_url, jobs=jobs)
    finally:
        verification.close()


def _thresholds(values: tuple[str, ...]) -> dict[str, int]:
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.posture import DEPENDENCY_PROPERTIES, RELEASE_PROPERTIES  # noqa: PLC0415

    known = {*RELEASE_PROPERTIES, *DEPENDENCY_PROPERTIES}
    thresholds: dict[str, int] = {}
    for value in values:
        name, sign, percent = value.partition("=")
        if not sign or not percent.strip().isdigit() or not 0 <= int(percent) <= 100:  # noqa: PLR2004
            raise ProjectError(f"--require {value!r}: expected PROPERTY=PERCENT (0 to 100)")
        if name.strip() not in known:
            raise ProjectError(
                f"--require: unknown property {name.strip()!r} (choose from {', '.join(sorted(known))})"
            )
        thresholds[name.strip()] = int(percent)
    return thresholds


def _gate(report: PostureReport, thresholds: dict[str, int]) -> None:
    """Raise `VerificationError` (exit 4) for every property below its threshold."""
    from pyprov.errors import ProjectError, VerificationError  # noqa: PLC0415

    counts = {count.name: count for count in report.summary}
    below = []
    for name, percent in thresholds.items():
        count = counts.get(name)
        if count is None:
            raise ProjectError(f"--require: {name} is not a property of a {report.subject} report")
        if count.have * 100 < percent * count.total:
            below.append(f"{name} {count.have} of {count.total} < {percent}%")
    if below:
        raise VerificationError(f"posture below --require: {'; '.join(below)}")


def _write_html(report: PostureReport, path: Path) -> None:
    from pyprov._internal.files import write_atomic  # noqa: PLC0415
    from pyprov.errors import OutputError  # noqa: PLC0415
    from pyprov.posture import render_html  # noqa: PLC0415

    try:
        write_atomic(path.absolute(), render_html(report).encode("utf-8"))
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from error


def render(report: PostureReport, *, quiet: bool = False) -> None:
    """The items, one line per fact, on stdout; the summary, one line per property, after them.

    For a trend: each release's items under its name, then the counts per property per
    release, then the last release's summary. Every string is escaped: names, identities
    and reasons come from hostile files.
    """
    if not quiet:
        click.echo(f"trust: {printable(report.trust)}", err=True)
        for note in report.notes:
            click.echo(f"note: {printable(note)}", err=True)
        for release in report.releases:
            click.echo(f"== {printable(release.name)} ==")
            _items(release.items)
        if not report.releases:
            _items(report.items)
    if report.releases:
        _trend(report)
    noun = "artifacts" if report.subject == "release" else "files"
    last = f" of {printable(report.releases[-1].name)}" if report.releases else ""
    click.echo(f"summary ({len(report.items)} {noun}{last}):")
    for count in report.summary:
        click.echo(f"  {printable(count.line())}")


def _items(items: tuple[Item, ...]) -> None:
    for item in items:
        click.echo(printable(item.name))
        width = max((len(fact.property) for fact in item.facts), default=0)
        for fact in item.facts:
            click.echo(f"  {_MARKS[fact.status]} {fact.property:<{width}}  {printable(fact.value)}")


def _trend(report: PostureReport) -> None:
    """One row per property, one column per release: ``have/checked``, and ``+N?`` when unknown."""
    names = [printable(release.name) for release in report.releases]
    rows = [[count.name for count in report.summary]]
    for release in report.releases:
        rows.append([_cell(count) for count in release.summary])
    widths = [max(len(cell) for cell in column) for column in [rows[0], *rows[1:]]]
    widths = [max(width, len(name)) for width, name in zip(widths, ["property", *names], strict=True)]
    click.echo(f"trend ({len(names)} releases; have/checked, +N? unknown):")
    header = ["property", *names]
    click.echo(
        "  " + "  ".join(f"{text:<{width}}" for text, width in zip(header, widths, strict=True)).rstrip()
    )
    for row in range(len(rows[0])):
        cells = [column[row] for column in rows]
        click.echo(
            "  " + "  ".join(f"{text:<{width}}" for text, width in zip(cells, widths, strict=True)).rstrip()
        )


def _cell(count: Count) -> str:
    return f"{count.have}/{count.checked}" + (f" +{count.unknown}?" if count.unknown else "")
