"""``pyprov rebuild``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pyprov._cli import is_quiet, is_verbose, quiet_option, verbose_option
from pyprov._cli.signing import signing_options, signing_policy
from pyprov.evidence.layout import default_evidence_directory

if TYPE_CHECKING:
    from pyprov.rebuild import RebuildReport

EXIT_DIFFERS = 4


@click.command("rebuild")
@click.argument("artifact", type=click.Path(path_type=Path))
@click.option(
    "--source",
    metavar="DIR|SDIST|GIT-URL@REV",
    envvar="PYPROV_REBUILD_SOURCE",
    show_envvar=True,
    help="What to rebuild from: a source tree, an sdist (for a wheel), or a git URL at a revision.  "
    "[default: the repository and commit in the artifact's build record, else in its verified "
    "PEP 740 attestation]",
)
@click.option(
    "--attestation",
    "attestations",
    multiple=True,
    metavar="FILE",
    type=click.Path(path_type=Path),
    help="A PEP 740 attestation or PyPI provenance object of the artifact (repeatable): verified "
    "against Sigstore's production trusted root, offline, then its certificate's Source Repository "
    "URI and Digest are the source.  [default: A.attestation, A.*.attestation, A.provenance beside "
    "the artifact, when there is no --source and no build record naming one]",
)
@click.option(
    "--index-url",
    metavar="URL",
    help="Fetch the artifact's PEP 740 provenance from this index (simple API, e.g. "
    "https://pypi.org/simple/) when no attestation is beside it.  [default: none is fetched]",
)
@click.option(
    "--provenance",
    "record",
    type=click.Path(path_type=Path),
    envvar="PYPROV_REBUILD_RECORD",
    show_envvar=True,
    help="pyprov's build record of the artifact (<artifact>.build.json): pins the environment.  "
    "[default: found beside the artifact or in evidence/]",
)
@click.option(
    "--installer",
    type=click.Choice(["pip", "uv"]),
    default="uv",
    show_default=True,
    envvar="PYPROV_INSTALLER",
    show_envvar=True,
    help="Installer when the environment is inferred (a build record names its own).",
)
@click.option(
    "--exclude-newer",
    metavar="RFC3339",
    envvar="PYPROV_EXCLUDE_NEWER",
    show_envvar=True,
    help="Resolve unpinned build requirements as of this time.  [default: inferred from the artifact]",
)
@click.option(
    "--pin",
    "pins",
    multiple=True,
    metavar="NAME==VERSION",
    help="Pin a build requirement when the environment is inferred (repeatable).",
)
@click.option(
    "--keep",
    type=click.Path(path_type=Path),
    envvar="PYPROV_REBUILD_KEEP",
    show_envvar=True,
    help="Keep the rebuilt artifact in KEEP/dist and its evidence in KEEP/evidence.",
)
@click.option(
    "--sign",
    is_flag=True,
    envvar="PYPROV_SIGN",
    show_envvar=True,
    help="Sign an in-toto statement about the artifact recording the rebuild (whatever the verdict): "
    "EVIDENCE_DIR/<artifact>.rebuild.sigstore.json.",
)
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="PYPROV_EVIDENCE_DIR",
    show_envvar=True,
    help="Where the signed statement goes.  "
    "[default: KEEP/evidence, else evidence/ beside the artifact's directory]",
)
@signing_options
@click.option("--strict", is_flag=True, help="Exit 4 unless the rebuild is identical (same bytes).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@verbose_option
@quiet_option
def rebuild_command(
    artifact: Path,
    source: str | None,
    record: Path | None,
    installer: str,
    exclude_newer: str | None,
    pins: tuple[str, ...],
    keep: Path | None,
    evidence_dir: Path | None,
    attestations: tuple[Path, ...],
    index_url: str | None,
    *,
    sign: bool,
    strict: bool,
    as_json: bool,
    **signing: Any,  # noqa: ANN401 - the signing options, passed on as they are
) -> None:
    """Rebuild a published wheel or sdist from its source and say exactly what differs.

    Without --source, the source is the git repository and commit named by the
    artifact's build record, else by its PEP 740 attestation (verified first). The
    environment is pinned from pyprov's build record when there is one, and inferred
    from the artifact otherwise. Verdict: identical (same bytes), equivalent
    (same members with the same content; archive metadata differs) or differs.
    Exit 0 identical or equivalent, 4 differs (or not identical with --strict),
    1 the build failed, 2 the rebuild could not run.
    """
    from pyprov._cli.render import progress  # noqa: PLC0415
    from pyprov.rebuild import RebuildOptions, rebuild_artifact  # noqa: PLC0415

    ctx = click.get_current_context()
    # Checked before the rebuild, so that a bad signing option does not cost a build.
    policy = signing_policy(**signing, pep740_publish=False) if sign else None
    options = RebuildOptions(
        artifact=artifact,
        source=source,
        record=record,
        installer="pip" if installer == "pip" else "uv",
        exclude_newer=exclude_newer,
        pins=pins,
        keep=keep,
        attestations=attestations,
        index_url=index_url,
    )
    with progress(verbose=is_verbose(ctx), quiet=is_quiet(ctx) or as_json) as on_event:
        report = rebuild_artifact(options, on_event=on_event)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _render(report)
    if policy is not None:
        from pyprov.rebuild.attestation import sign_rebuild  # noqa: PLC0415

        target = evidence_dir or (
            default_evidence_directory(keep / "dist")
            if keep
            else default_evidence_directory(artifact.absolute().parent)
        )
        signed = sign_rebuild(report, artifact.absolute(), policy, target.absolute())
        click.echo(f"signed: {signed}", err=True)
    if report.verdict == "differs" or (strict and report.verdict != "identical"):
        ctx.exit(EXIT_DIFFERS)


# A rebuild signs no PEP 740 attestation: the publisher makes those.
rebuild_command.params = [param for param in rebuild_command.params if param.name != "pep740_publish"]


def _render(report: RebuildReport) -> None:
    data = report.to_dict()
    click.echo(f"artifact: {data['artifact']['filename']}  sha256:{data['artifact']['sha256'][:16]}…")
    click.echo(f"rebuilt:  {data['rebuilt']['filename']}  sha256:{data['rebuilt']['sha256'][:16]}…")
    click.echo(f"source:   {report.source} ({report.source.kind})")
    for fact in report.source.facts:
        click.echo(f"  {fact.name}: {fact.value}  ({fact.origin})")
    env = report.environment
    click.echo(f"environment: {'from the build record' if env.origin == 'record' else 'inferred'}")
    for fact in env.facts:
        click.echo(f"  {fact.name}: {fact.value}  ({fact.origin})")
    for warning in env.warnings:
        click.echo(f"  warning: {warning}")
    for line in report.environment_differences:
        click.echo(f"  environment differs: {line}")
    for difference in report.differences:
        click.echo(f"{'✗' if difference.content else '~'} {difference.kind}: {difference.detail}")
        if difference.diff:
            for line in difference.diff.splitlines():
                click.echo(f"    {line}")
    for path in report.kept:
        click.echo(f"kept: {path}")
    verdicts = {
        "identical": "identical: the rebuild has the same bytes",
        "equivalent": "equivalent: same members with the same content; only archive metadata differs",
        "differs": "differs: the artifact holds something its source does not produce",
    }
    click.echo(f"verdict: {verdicts[report.verdict]}")
