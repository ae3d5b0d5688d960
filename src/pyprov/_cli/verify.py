"""``pyprov verify``: check artifacts' signatures, signer, provenance and SBOM, or a PEP 751 lock."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pyprov._cli import index_url_option, is_quiet, quiet_option, verbose_option
from pyprov._cli.trust import trust_options, trust_source
from pyprov._internal.terminal import printable

if TYPE_CHECKING:
    from rich.console import Console

    from pyprov.verify import (
        ArtifactResult,
        Check,
        Requirement,
        SignerPolicy,
        TrustSource,
        VerificationReport,
        VerifyOptions,
    )
    from pyprov.verify.index import IndexRequest


@click.command("verify")
@click.argument("artifacts", nargs=-1, metavar="ARTIFACT...")
@click.option(
    "--identity",
    envvar="PYPROV_IDENTITY",
    show_envvar=True,
    help="Signer identity (e-mail or URI); needs --issuer.",
)
@click.option("--issuer", envvar="PYPROV_ISSUER", show_envvar=True, help="OIDC issuer of --identity.")
@click.option(
    "--repository",
    envvar="PYPROV_REPOSITORY",
    show_envvar=True,
    metavar="OWNER/NAME|URL",
    help="CI signer: OWNER/NAME on GitHub, or a https://github.com/... or https://gitlab.com/... URL.",
)
@click.option(
    "--workflow",
    envvar="PYPROV_WORKFLOW",
    show_envvar=True,
    metavar="FILE",
    help="Only this workflow file (with --repository).",
)
@click.option(
    "--ref",
    envvar="PYPROV_REF",
    show_envvar=True,
    help="Only this ref: refs/tags/v1, v1 (tag or branch) or a commit.",
)
@click.option(
    "--runner-environment",
    type=click.Choice(["github-hosted", "self-hosted"]),
    envvar="PYPROV_RUNNER_ENVIRONMENT",
    show_envvar=True,
    help="Only a signing job on this kind of runner (the certificate's Runner Environment; "
    "with --repository).",
)
@click.option(
    "--trigger",
    metavar="EVENT",
    envvar="PYPROV_TRIGGER",
    show_envvar=True,
    help="Only a run started by this event: push, release, workflow_dispatch, ... (the "
    "certificate's Build Trigger; with --repository).",
)
@trust_options()
@click.option(
    "--bundle",
    "bundles",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A Sigstore bundle of the artifact (repeatable).",
)
@click.option(
    "--attestation",
    "attestations",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A PEP 740 attestation (repeatable).",
)
@click.option(
    "--provenance",
    "provenances",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A PyPI provenance object (repeatable).",
)
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path),
    envvar="PYPROV_EVIDENCE_DIR",
    show_envvar=True,
    help="Where pyprov's evidence is.  [default: evidence/ beside the artifact's directory]",
)
@click.option(
    "--builder-id", "builder_ids", multiple=True, help="Allowed SLSA builder id (repeatable; default: any)."
)
@click.option(
    "--require",
    "requirements",
    multiple=True,
    envvar="PYPROV_REQUIRE",
    show_envvar=True,
    metavar="KIND[,KIND]",
    help="Missing evidence of these kinds fails: signature, provenance, sbom, publish, rebuild "
    "(rebuild needs --rebuilder-identity and --rebuilder-issuer).",
)
@click.option(
    "--rebuilder-identity",
    envvar="PYPROV_REBUILDER_IDENTITY",
    show_envvar=True,
    metavar="ID",
    help="Who must have signed the rebuild statement A.rebuild.sigstore.json (pyprov rebuild --sign): "
    "an e-mail or URI identity, exactly; needs --rebuilder-issuer. With it, that statement is checked.",
)
@click.option(
    "--rebuilder-issuer",
    envvar="PYPROV_REBUILDER_ISSUER",
    show_envvar=True,
    metavar="URL",
    help="OIDC issuer of --rebuilder-identity.",
)
@click.option(
    "--strict-rebuild",
    is_flag=True,
    help="Only an identical rebuild (same bytes) passes.  [default: identical or equivalent]",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Artifacts verified at once.",
)
@click.option(
    "--lock",
    type=click.Path(path_type=Path),
    help="Verify the files of this PEP 751 lock: those in --files, else each one from --index-url.",
)
@click.option("--files", type=click.Path(path_type=Path), help="The directory holding the lock's files.")
@index_url_option("The simple API (PEP 691 JSON) that NAME==VERSION and NAME@sha256:HEX are fetched from.")
@click.option(
    "--cpython",
    is_flag=True,
    help="Verify python.org release artifacts against the release manager of their series "
    "(the identities python.org publishes); unknown versions are refused.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@verbose_option
@quiet_option
@click.pass_context
def verify_command(
    ctx: click.Context,
    artifacts: tuple[str, ...],
    identity: str | None,
    issuer: str | None,
    repository: str | None,
    workflow: str | None,
    ref: str | None,
    runner_environment: str | None,
    trigger: str | None,
    trust_config: Path | None,
    trusted_root: Path | None,
    staging: bool,
    offline: bool,
    bundles: tuple[Path, ...],
    attestations: tuple[Path, ...],
    provenances: tuple[Path, ...],
    evidence_dir: Path | None,
    builder_ids: tuple[str, ...],
    requirements: tuple[str, ...],
    rebuilder_identity: str | None,
    rebuilder_issuer: str | None,
    strict_rebuild: bool,
    jobs: int,
    lock: Path | None,
    files: Path | None,
    index_url: str,
    cpython: bool,
    as_json: bool,
) -> None:
    """Verify ARTIFACT... (files, directories, sha256:<hex>, NAME==VERSION) against a signer policy.

    NAME==VERSION (or NAME@sha256:<hex>) downloads each file of that version from
    --index-url with the PEP 740 provenance the index holds for it, checks the file's
    SHA-256 against the index, and verifies it (as `pypi-attestations verify pypi` does).

    Each artifact's evidence is found beside it and in the evidence directory
    (.sigstore.json, .sigstore, .intoto.sigstore.json, .cdx.sigstore.json,
    .*.attestation, .provenance) unless --bundle, --attestation or --provenance name it.
    A signer policy is required: --identity with --issuer, --repository, or --cpython.
    With --rebuilder-identity and --rebuilder-issuer, the rebuild statement
    A.rebuild.sigstore.json (pyprov rebuild --sign) must also verify for that rebuilder,
    be about exactly this artifact and say identical or equivalent (--strict-rebuild:
    identical); --require rebuild makes it mandatory.
    Evidence named as an ARTIFACT (dist/* after build --sign: .attestation, .provenance,
    .sigstore.json, ...) is skipped, as twine does.

    Exit codes: 0 all verified, 4 verification failed, 2 could not run.
    """
    from pyprov.errors import ProjectError, VerificationError  # noqa: PLC0415
    from pyprov.verify import VerifyOptions, verify_lock  # noqa: PLC0415

    trust = trust_source(trust_config, trusted_root, staging=staging, offline=offline)
    options = VerifyOptions(
        bundles=bundles,
        attestations=attestations,
        provenances=provenances,
        evidence_dir=evidence_dir,
        builder_ids=builder_ids,
        require=_requirements(requirements),
        jobs=jobs,
        rebuilder=_rebuilder(rebuilder_identity, rebuilder_issuer),
        rebuild_verdicts=frozenset({"identical"} if strict_rebuild else {"identical", "equivalent"}),
    )
    if lock is not None or files is not None:
        if lock is None:
            raise ProjectError("--files names the directory of a --lock's files: --lock is missing")
        if artifacts or identity or issuer or repository or workflow or ref:
            raise ProjectError(
                "--lock verifies against the lock's attestation-identities: "
                "no ARTIFACT or signer policy options with it"
            )
        if files is None:
            from pyprov.verify.index import verify_lock_from_index  # noqa: PLC0415

            locked = lock
            report = verify_lock_from_index(
                lock, lambda directory: verify_lock(locked, directory, trust, options), index_url=index_url
            )
        else:
            report = verify_lock(lock, files, trust, options)
    else:
        if not artifacts:
            raise ProjectError("nothing to verify: name at least one ARTIFACT (or use --lock with --files)")
        policy_options = (identity, issuer, repository, workflow, ref, runner_environment, trigger)
        report = _verify_arguments(
            artifacts, policy_options, trust, options, index_url=index_url, cpython=cpython
        )
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        render_report(report, quiet=is_quiet(ctx))
    if not report.ok:
        failures = len(report.failed)
        raise VerificationError(f"{failures} of {len(report.artifacts)} artifacts failed verification")


def _verify_arguments(
    artifacts: tuple[str, ...],
    policy_options: tuple[str | None, ...],
    trust: TrustSource,
    options: VerifyOptions,
    *,
    index_url: str,
    cpython: bool,
) -> VerificationReport:
    """Files and digests, NAME==VERSION from the index, or CPython release files."""
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.verify import verify_artifacts  # noqa: PLC0415

    identity, issuer, repository = policy_options[:3]
    requests = _index_requests(artifacts)
    if requests:
        if cpython:
            raise ProjectError("--cpython verifies files: NAME==VERSION is fetched from a package index")
        return _verify_from_index(requests, _policy(*policy_options), trust, options, index_url)
    if cpython:
        if identity or issuer or repository:
            raise ProjectError("--cpython chooses the signer itself: no --identity, --issuer or --repository")
        from pyprov.verify.cpython import verify_cpython  # noqa: PLC0415

        return verify_cpython(artifacts, trust, options)
    return verify_artifacts(artifacts, _policy(*policy_options), trust, options)


def _index_requests(artifacts: tuple[str, ...]) -> list[IndexRequest]:
    """The NAME==VERSION and NAME@sha256:HEX arguments; files and names are not mixed."""
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.verify.index import parse_index_request  # noqa: PLC0415

    parsed = [None if Path(item).exists() else parse_index_request(item) for item in artifacts]
    requests = [item for item in parsed if item is not None]
    if requests and len(requests) != len(artifacts):
        raise ProjectError("name files or NAME==VERSION requirements, not both in one run")
    return requests


def _verify_from_index(
    requests: list[IndexRequest],
    policy: SignerPolicy,
    trust: TrustSource,
    options: VerifyOptions,
    index_url: str,
) -> VerificationReport:
    import dataclasses  # noqa: PLC0415

    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.verify import verify_artifacts  # noqa: PLC0415
    from pyprov.verify.index import verify_from_index  # noqa: PLC0415

    if options.explicit or options.evidence_dir is not None:
        raise ProjectError(
            "NAME==VERSION takes its evidence from the index: no --bundle, --attestation, "
            "--provenance or --evidence-dir with it"
        )

    def verify(paths: list[Path]) -> VerificationReport:
        # Evidence is looked for only in the download directory, never beside it.
        return verify_artifacts(
            paths, policy, trust, dataclasses.replace(options, evidence_dir=paths[0].parent)
        )

    return verify_from_index(requests, verify, index_url=index_url)


def _policy(
    identity: str | None,
    issuer: str | None,
    repository: str | None,
    workflow: str | None,
    ref: str | None,
    runner_environment: str | None = None,
    trigger: str | None = None,
) -> SignerPolicy:
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.verify import IdentityPolicy, RepositoryPolicy  # noqa: PLC0415

    if repository and (identity or issuer):
        raise ProjectError("--identity/--issuer and --repository are two policies: give one")
    if repository:
        try:
            return RepositoryPolicy.parse(
                repository, workflow=workflow, ref=ref, runner_environment=runner_environment, trigger=trigger
            )
        except ValueError as error:
            raise ProjectError(str(error)) from error
    if workflow or ref or runner_environment or trigger:
        raise ProjectError(
            "--workflow and --ref narrow --repository, which is missing "
            "(so do --runner-environment and --trigger)"
        )
    if identity and issuer:
        return IdentityPolicy(identity=identity, issuer=issuer)
    if identity or issuer:
        raise ProjectError(
            "--identity and --issuer go together: an identity means nothing without its issuer"
        )
    raise ProjectError(
        "no signer policy: pyprov does not verify without knowing who must have signed",
        hint="give --identity ID --issuer URL, or --repository OWNER/NAME [--workflow FILE] [--ref REF]",
    )


def _rebuilder(identity: str | None, issuer: str | None) -> SignerPolicy | None:
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.verify import IdentityPolicy  # noqa: PLC0415

    if identity and issuer:
        return IdentityPolicy(identity=identity, issuer=issuer)
    if identity or issuer:
        raise ProjectError("--rebuilder-identity and --rebuilder-issuer go together")
    return None


def _requirements(values: tuple[str, ...]) -> frozenset[Requirement]:
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.verify import REQUIREMENTS  # noqa: PLC0415

    chosen: set[Requirement] = set()
    for value in values:
        for part in value.split(","):
            name = part.strip()
            if not name:
                continue
            matched = [kind for kind in REQUIREMENTS if kind == name]
            if not matched:
                raise ProjectError(
                    f"--require: unknown kind {name!r} (choose from {', '.join(REQUIREMENTS)})"
                )
            chosen.add(matched[0])
    return frozenset(chosen)


def render_report(report: VerificationReport, *, quiet: bool = False) -> None:
    """Print one block per artifact on stdout (a table on a terminal, compact ✓/✗ lines otherwise).

    Passing checks are grouped: one line per evidence file; every failure and warning gets
    its own line with expected and found. The trust root, policy and notes go to stderr;
    ``quiet`` prints failing artifacts only. Every string is escaped: reasons and names
    may quote hostile files.
    """
    if not quiet:
        click.echo(f"trust: {printable(report.trust)}", err=True)
        click.echo(f"signer: {printable(report.policy)}", err=True)
        for note in report.notes:
            click.echo(f"note: {printable(note)}", err=True)
    results = [result for result in report.artifacts if not quiet or not result.ok]
    if sys.stdout.isatty():
        from rich.console import Console  # noqa: PLC0415 - only on a terminal

        render_table(results, Console())
    else:
        for result in results:
            click.echo(f"{'✓' if result.ok else '✗'} {printable(result.artifact)}{_signed_by(result)}")
            for symbol, text in _lines(result):
                click.echo(f"    {symbol} {printable(text)}")
    if not quiet:
        verified = len(report.artifacts) - len(report.failed)
        click.echo(f"verified {verified} of {len(report.artifacts)} artifacts", err=True)


def render_table(results: list[ArtifactResult], console: Console) -> None:
    """One table per artifact, two columns wide so that it fits 80 columns (long text folds)."""
    from rich.markup import escape  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    styles = {"✓": "[green]✓[/]", "✗": "[red]✗[/]", "!": "[yellow]![/]"}
    for result in results:
        mark = styles["✓" if result.ok else "✗"]
        title = f"{mark} {escape(printable(result.artifact))}{escape(printable(_signed_by(result)))}"
        table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 1))
        table.add_column(width=1, no_wrap=True)
        table.add_column(overflow="fold", ratio=1)
        for symbol, text in _lines(result):
            table.add_row(styles[symbol], escape(printable(text)))
        console.print(table)


def _lines(result: ArtifactResult) -> list[tuple[str, str]]:
    """The lines of one artifact: passing checks grouped per evidence file, the rest one by one."""
    lines: list[tuple[str, str]] = []
    groups: dict[str, list[Check]] = {}
    for check in result.checks:
        groups.setdefault(check.source, []).append(check)
    for source, checks in groups.items():
        passed = [check.name for check in checks if check.status == "pass"]
        where = f" [{_short_path(source)}]" if source else ""
        if passed:
            lines.append(("✓", f"{', '.join(passed)}{where}"))
        lines += [
            ("✗" if check.status == "fail" else "!", _plain(check))
            for check in checks
            if check.status != "pass"
        ]
    return lines


def _signed_by(result: ArtifactResult) -> str:
    """``  signed by X`` when every passing signer check found the same signer."""
    signers = {check.found for check in result.checks if check.name == "signer" and check.status == "pass"}
    return f"  signed by {signers.pop()}" if len(signers) == 1 and None not in signers else ""


def _short_path(source: str) -> str:
    """An evidence path relative to the working directory when it is below it."""
    path = Path(source)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return source
    return source


def _plain(check: Check) -> str:
    where = f" [{_short_path(check.source)}]" if check.source else ""
    line = f"{check.name}{where}"
    if check.status == "pass":
        return f"{line}: {check.found or check.expected or 'ok'}"
    reason = check.reason or ""
    details = [reason]
    # A reason that already says what was expected and found is not repeated.
    if "expected" not in reason:
        details.append(f"expected {check.expected}" if check.expected else "")
        details.append(f"found {check.found}" if check.found else "")
    return f"{line}: " + "; ".join(part for part in details if part)
