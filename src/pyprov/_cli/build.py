"""``pyprov build``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pyprov._cli import backend_verbose_option, is_quiet, is_verbose, quiet_option, sbom_spec_option
from pyprov._cli.signing import signing_options, signing_policy
from pyprov._internal.redaction import redact_argv

if TYPE_CHECKING:
    from pyprov.build import BuildOptions, BuildResult
    from pyprov.evidence import ArtifactTransform
    from pyprov.record import DistributionKind, Installer
    from pyprov.sbom import SpecVersion


@click.command("build")
@click.argument("srcdir", type=click.Path(path_type=Path), default=".", required=False)
@click.option(
    "-o",
    "--outdir",
    type=click.Path(path_type=Path),
    envvar="PYPROV_OUTDIR",
    show_envvar=True,
    help="Where distributions go (only distributions and PEP 740 attestations).  [default: SRCDIR/dist]",
)
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path),
    envvar="PYPROV_EVIDENCE_DIR",
    show_envvar=True,
    help="Where build records and other evidence go.  [default: evidence/ beside OUTDIR]",
)
@click.option("-s", "--sdist", is_flag=True, help="Build an sdist (from SRCDIR).")
@click.option("-w", "--wheel", is_flag=True, help="Build a wheel (from SRCDIR).")
@click.option(
    "-C",
    "--config-setting",
    "config_settings",
    multiple=True,
    metavar="KEY[=VALUE]",
    help="Pass a setting to the backend; repeat a key to pass a list.",
)
@click.option(
    "--installer",
    type=click.Choice(["pip", "uv"]),
    default="pip",
    show_default=True,
    envvar="PYPROV_INSTALLER",
    show_envvar=True,
    help="Installer of the isolated environments.",
)
@click.option(
    "-n",
    "--no-isolation",
    is_flag=True,
    envvar="PYPROV_NO_ISOLATION",
    show_envvar=True,
    help="Build in the current environment (its requirements must be installed).",
)
@click.option(
    "--sbom-format",
    type=click.Choice(["cyclonedx", "spdx", "spdx3", "both", "none"]),
    default="cyclonedx",
    show_default=True,
    envvar="PYPROV_SBOM_FORMAT",
    show_envvar=True,
    help="SBOM of each artifact: <artifact>.cdx.json (CycloneDX), <artifact>.spdx.json (SPDX 2.3), "
    "<artifact>.spdx3.json (SPDX 3.0.1), both (CycloneDX and SPDX 2.3), or none.",
)
@sbom_spec_option
@click.option(
    "--sbom-files",
    is_flag=True,
    envvar="PYPROV_SBOM_FILES",
    show_envvar=True,
    help="List every file of the wheel (from RECORD) with its hash in the CycloneDX SBOM (SPDX 3: always).",
)
@click.option(
    "--embed-sbom",
    is_flag=True,
    envvar="PYPROV_EMBED_SBOM",
    show_envvar=True,
    help="PEP 770: put an SBOM of the build environment and bundled content into the wheel's "
    ".dist-info/sboms/ before it is hashed.",
)
@click.option(
    "--provenance-bundle",
    is_flag=True,
    envvar="PYPROV_PROVENANCE_BUNDLE",
    show_envvar=True,
    help="Also write EVIDENCE_DIR/pyprov.intoto.json: one statement with every artifact as a subject.",
)
@click.option(
    "--sign/--no-sign",
    default=False,
    envvar="PYPROV_SIGN",
    show_envvar=True,
    help="Sign the artifacts, their provenance and SBOMs with Sigstore after the build.",
)
@click.option(
    "--hermetic",
    is_flag=True,
    envvar="PYPROV_HERMETIC",
    show_envvar=True,
    help="Run the backend hooks without network, once their requirements are installed.",
)
@click.option(
    "--allow-unsandboxed",
    is_flag=True,
    envvar="PYPROV_ALLOW_UNSANDBOXED",
    show_envvar=True,
    help="Build even where no sandbox can be made (no bubblewrap or user namespaces) although "
    "signing credentials are present: build code could then read them.",
)
@click.option(
    "--reproducible",
    is_flag=True,
    envvar="PYPROV_REPRODUCIBLE",
    show_envvar=True,
    help="Set SOURCE_DATE_EPOCH to the commit's time when it is unset (the record keeps it), "
    "so that `pyprov rebuild` can reproduce the artifacts bit for bit.",
)
@signing_options
@backend_verbose_option
@quiet_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print each artifact's evidence files, bundles and build record, and the SLSA level, as JSON.",
)
@click.pass_context
def build_command(
    ctx: click.Context,
    /,
    srcdir: Path,
    outdir: Path | None,
    evidence_dir: Path | None,
    sdist: bool,
    wheel: bool,
    config_settings: tuple[str, ...],
    installer: Installer,
    no_isolation: bool,
    sbom_format: str,
    sbom_spec: SpecVersion,
    sbom_files: bool,
    embed_sbom: bool,
    provenance_bundle: bool,
    sign: bool,
    hermetic: bool,
    allow_unsandboxed: bool,
    as_json: bool,
    reproducible: bool = False,
    **signing: Any,  # noqa: ANN401 - the signing options, passed on as they are
) -> None:
    """Build SRCDIR (default: .) as `python -m build` does, and record the build.

    By default the sdist is built, then the wheel from the unpacked sdist, each in a
    fresh isolated environment. --sdist and --wheel build only those, from SRCDIR.
    Each artifact gets its build record EVIDENCE_DIR/<artifact>.build.json and its
    SLSA provenance EVIDENCE_DIR/<artifact>.intoto.json. With --sign, after the
    build: <artifact>.sigstore.json, <artifact>.intoto.sigstore.json and the PEP 740
    OUTDIR/<artifact>.slsa.attestation that `twine upload --attestations` sends.

    The installer and the backend run in a bubblewrap sandbox: they cannot see pyprov,
    its credentials or its outputs, and nothing they start outlives them.
    """
    # The library is imported when a command runs, not for --help.
    from pyprov._cli import render  # noqa: PLC0415
    from pyprov.build import BuildOptions, build_project, standard_evidence  # noqa: PLC0415
    from pyprov.provenance import build_level  # noqa: PLC0415

    if reproducible:
        _set_source_date_epoch(srcdir)
    transforms: tuple[ArtifactTransform, ...] = ()
    if embed_sbom:
        from pyprov.sbom.embed import EmbedSbomTransform  # noqa: PLC0415

        transforms = (EmbedSbomTransform(spec=sbom_spec, source_date_epoch=_source_date_epoch()),)
    signer = None
    if sign:
        from pyprov.signing.files import SigstoreSigner  # noqa: PLC0415

        signer = SigstoreSigner(signing_policy(**signing))
    plan = standard_evidence(
        sbom_format=sbom_format,  # type: ignore[arg-type]  # click.Choice checked it
        sbom_spec=sbom_spec,
        sbom_files=sbom_files,
        signer=signer,
        provenance_bundle=provenance_bundle,
    )
    level_signing = plan.signing

    distributions: tuple[DistributionKind, ...] = (
        *(("sdist",) if sdist else ()),
        *(("wheel",) if wheel else ()),
    )
    options = BuildOptions(
        srcdir=srcdir,
        outdir=outdir,
        evidence_dir=evidence_dir,
        distributions=distributions,
        config_settings=parse_config_settings(config_settings),
        installer=installer,
        isolation=not no_isolation,
        argv=("pyprov", *redact_argv(sys.argv[1:], os.environ)),
        evidence_writers=plan.evidence_writers,
        transforms=transforms,
        run_evidence_writers=plan.run_evidence_writers,
        signer=signer,
        allow_unsandboxed=allow_unsandboxed,
        hermetic=hermetic,
        hidden_paths=_token_file(signing.get("identity_token_file")),
    )
    with render.progress(verbose=is_verbose(ctx), quiet=is_quiet(ctx)) as on_event:
        result = build_project(options, on_event=on_event)
    isolation = result.records[0].environment.isolation if result.records else None
    if isolation is not None and isolation.sandbox is None:
        click.echo(
            f"warning: build code ran without a sandbox ({isolation.reason}); the record says so", err=True
        )
    for warning in build_warnings(options, result):
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        signed_by = signer.result if signer is not None else None
        level = build_level(*result.records, signing=level_signing)
        click.echo(json.dumps(render.build_json(result, level, signed_by), indent=2))
    else:
        render.build_summary(result, build_level(*result.records, signing=level_signing))
        if signer is not None and signer.result is not None:
            render.signing_summary(signer.result, [path for paths in result.signed_files for path in paths])
        else:
            click.echo("not signed (use --sign to sign with Sigstore)")


def build_warnings(options: BuildOptions, result: BuildResult) -> list[str]:
    """What the user should know about the source: a dirty checkout, evidence packed into the sdist."""
    from pyprov.evidence.layout import evidence_in_sdist  # noqa: PLC0415

    warnings = []
    git = next((record.source.git for record in result.records if record.source.git is not None), None)
    if git is not None and git.dirty:
        example = f", e.g. {git.modified[0]}" if git.modified else ""
        warnings.append(
            f"the source tree is dirty: {len(git.modified)} path(s) differ from commit {git.commit[:12]}"
            f"{example}; the provenance records it"
        )
    for record, artifact in zip(result.records, result.artifacts, strict=True):
        if record.artifact.kind != "sdist":
            continue
        packed = evidence_in_sdist(artifact, options.srcdir, options.evidence_directory)
        if packed:
            relative = options.evidence_directory.relative_to(options.srcdir.absolute()).as_posix()
            warnings.append(
                f"{artifact.name} contains {len(packed)} file(s) of the evidence directory {relative}/ "
                f'(the backend ignores {relative}/.gitignore): add "/{relative}/" to the project\'s '
                ".gitignore or choose an --evidence-dir outside the source tree"
            )
    return warnings


def parse_config_settings(items: tuple[str, ...]) -> dict[str, str | list[str]]:
    """Turn ``KEY=VALUE`` items into PEP 517 config settings; a repeated key becomes a list."""
    from pyprov.errors import ProjectError  # noqa: PLC0415

    settings: dict[str, str | list[str]] = {}
    for item in items:
        key, _, value = item.partition("=")
        if not key:
            raise ProjectError(f"invalid config setting {item!r}: expected KEY=VALUE")
        previous = settings.get(key)
        if previous is None:
            settings[key] = value
        elif isinstance(previous, list):
            previous.append(value)
        else:
            settings[key] = [previous, value]
    return settings


def _token_file(path: Path | None) -> tuple[Path, ...]:
    """The identity-token file is hidden from build code."""
    return (path,) if path is not None and str(path) != "-" else ()


def _source_date_epoch() -> int | None:
    import os  # noqa: PLC0415

    from pyprov._internal.environ import source_date_epoch  # noqa: PLC0415

    return source_date_epoch(os.environ)


def _set_source_date_epoch(srcdir: Path) -> None:
    """--reproducible: ``SOURCE_DATE_EPOCH`` from the commit's time, unless it is set already."""
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.producers.source import commit_time  # noqa: PLC0415

    if _source_date_epoch() is not None:
        return
    epoch = commit_time(srcdir.absolute())
    if epoch is None:
        raise ProjectError(
            f"--reproducible takes SOURCE_DATE_EPOCH from the git commit: {srcdir} is not in a git checkout",
            hint="set SOURCE_DATE_EPOCH",
        )
    # This process ends with the command: the build code and the record read it from here.
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
