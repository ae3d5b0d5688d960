"""Signing options shared by ``pyprov build --sign`` and ``pyprov sign``, and ``pyprov sign`` itself."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pyprov._cli import from_project_config, quiet_option, verbose_option

if TYPE_CHECKING:
    from pyprov.signing import SigningPolicy

_F = TypeVar("_F", bound=Callable[..., Any])

SECRET_OPTIONS = frozenset({"--identity-token"})
"""Options whose values never reach a record or a log."""


def signing_options(command: _F) -> _F:
    """Add the options that choose the identity and the Sigstore instance."""
    options = [
        click.option(
            "--identity-token",
            metavar="TOKEN",
            envvar="SIGSTORE_ID_TOKEN",
            show_envvar=True,
            callback=_warn_on_command_line,
            help="OIDC identity token to sign with. Default: the CI platform's ambient credential, "
            "else the browser flow on a terminal. On the command line it is visible to every "
            "process: prefer --identity-token-file or the variable.",
        ),
        click.option(
            "--identity-token-file",
            metavar="FILE|-",
            type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
            help="Read the OIDC identity token from FILE, or from standard input with -.",
        ),
        click.option("--staging", is_flag=True, help="Use Sigstore's staging instance."),
        click.option(
            "--trust-config",
            type=click.Path(path_type=Path, dir_okay=False),
            envvar="PYPROV_TRUST_CONFIG",
            show_envvar=True,
            help="Sign against the instance this Sigstore client trust config describes.",
        ),
        click.option(
            "--pep740-publish",
            is_flag=True,
            help="Also write <artifact>.publish.attestation (the PyPA publish action makes its own).",
        ),
        click.option(
            "--expect-identity", metavar="ID", help="Refuse to sign unless the identity is exactly ID."
        ),
        click.option("--expect-issuer", metavar="URL", help="Refuse to sign unless the OIDC issuer is URL."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _warn_on_command_line(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from click.core import ParameterSource  # noqa: PLC0415

    if value and param.name and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE:
        click.echo(
            "warning: a token on the command line can be read by every process on this machine "
            "(/proc/<pid>/cmdline): use --identity-token-file or SIGSTORE_ID_TOKEN",
            err=True,
        )
    return value


MAX_TOKEN_BYTES = 64 << 10


def read_identity_token(path: Path) -> str:
    """Read an identity token from a file, or from standard input for ``-``."""
    from pyprov.errors import ProjectError  # noqa: PLC0415

    try:
        data = sys.stdin.buffer.read(MAX_TOKEN_BYTES + 1) if str(path) == "-" else _read_regular(path)
    except OSError as error:
        raise ProjectError(
            f"cannot read the identity token from {path}: {error.strerror or error}"
        ) from error
    token = data.decode("utf-8", errors="replace").strip()
    if not token or len(data) > MAX_TOKEN_BYTES or any(c.isspace() for c in token):
        raise ProjectError(f"{path} does not hold one identity token")
    return token


def _read_regular(path: Path) -> bytes:
    # O_NONBLOCK: a FIFO must not hang us; only a regular file is read.
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise OSError(0, "not a regular file")
        return stream.read(MAX_TOKEN_BYTES + 1)


def signing_policy(
    *,
    identity_token: str | None,
    identity_token_file: Path | None = None,
    staging: bool,
    trust_config: Path | None,
    pep740_publish: bool,
    expect_identity: str | None,
    expect_issuer: str | None,
    oidc_audience: str | None = None,
) -> SigningPolicy:
    """Turn the signing options into a policy (nothing is contacted yet)."""
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.signing import Instance, SigningPolicy, identity_source  # noqa: PLC0415

    # The command line and environment choose the instance over [tool.pyprov].
    if staging and trust_config is not None and from_project_config("staging"):
        staging = False
    if staging and trust_config is not None and from_project_config("trust_config"):
        trust_config = None
    if staging and trust_config is not None:
        raise ProjectError("--staging and --trust-config choose different instances: give one")
    if identity_token_file is not None:
        if identity_token:
            raise ProjectError("--identity-token and --identity-token-file both give a token: give one")
        identity_token = read_identity_token(identity_token_file)
    if oidc_audience is not None and trust_config is None:
        raise ProjectError(
            "--oidc-audience is for a private instance: give its --trust-config too",
            hint="the public instances accept only tokens for the audience 'sigstore'",
        )
    if trust_config is not None:
        instance = Instance(kind="trust-config", trust_config=trust_config)
    else:
        instance = Instance(kind="staging" if staging else "production")
    return SigningPolicy(
        instance=instance,
        identity=identity_source(identity_token, audience=oidc_audience or "sigstore"),
        pep740_publish=pep740_publish,
        expect_identity=expect_identity,
        expect_issuer=expect_issuer,
    )


@click.command("sign")
@click.argument("artifacts", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="PYPROV_EVIDENCE_DIR",
    show_envvar=True,
    help="Where bundles go, and where <artifact>.intoto.json / .cdx.json are looked for.  "
    "[default: evidence/ beside each artifact's directory]",
)
@click.option(
    "--cpython-names",
    is_flag=True,
    help="Write each artifact's bundle as <artifact>.sigstore beside it, as python.org publishes them.",
)
@click.option(
    "--oidc-audience",
    metavar="AUD",
    envvar="PYPROV_OIDC_AUDIENCE",
    show_envvar=True,
    help="Request the CI identity token for this audience instead of 'sigstore', for a private "
    "instance (--trust-config) whose Fulcio accepts it: a token it receives cannot be replayed to "
    "the public Fulcio.",
)
@signing_options
@verbose_option
@quiet_option
def sign_command(
    artifacts: tuple[Path, ...],
    evidence_dir: Path | None,
    cpython_names: bool,
    **options: Any,  # noqa: ANN401 - the signing options, passed on as they are
) -> None:
    """Sign ARTIFACTS built elsewhere, with their provenance and SBOM when pyprov's evidence has them.

    Each artifact gets EVIDENCE_DIR/<artifact>.sigstore.json, and where its statements
    exist <artifact>.intoto.sigstore.json, <artifact>.cdx.sigstore.json and the PEP 740
    <artifact>.slsa.attestation beside it. All are verified before any is written.
    Evidence among ARTIFACTS (dist/*: .attestation, .provenance, ...) is skipped.
    """
    from pyprov._cli import render  # noqa: PLC0415
    from pyprov.signing import sign_files  # noqa: PLC0415

    result, signed = sign_files(
        only_artifacts(artifacts, "sign"),
        signing_policy(**options),
        evidence_dir=evidence_dir,
        cpython_names=cpython_names,
    )
    render.signing_summary(result, [path for item in signed for path in item.files])


@click.command("attest")
@click.argument("artifacts", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--predicate-type", required=True, metavar="URI", help="The statement's predicate type.")
@click.option(
    "--predicate",
    "predicate_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A JSON file holding the predicate.",
)
@click.option(
    "--evidence-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="PYPROV_EVIDENCE_DIR",
    show_envvar=True,
    help="Where the signed statements go.  [default: evidence/ beside each artifact's directory]",
)
@signing_options
@verbose_option
@quiet_option
def attest_command(
    artifacts: tuple[Path, ...],
    predicate_type: str,
    predicate_file: Path,
    evidence_dir: Path | None,
    **options: Any,  # noqa: ANN401 - the signing options, passed on as they are
) -> None:
    """Sign an in-toto statement about each of ARTIFACTS with the given predicate.

    Each artifact gets EVIDENCE_DIR/<artifact>.<kind>.sigstore.json (a DSSE bundle
    `pyprov verify` and `sigstore verify` read), and its own Sigstore bundle; <kind> is
    `intoto` for SLSA provenance, `cdx` for CycloneDX, else derived from the type.
    """
    from pyprov._cli import render  # noqa: PLC0415
    from pyprov._internal.untrusted import load_json, read_untrusted  # noqa: PLC0415
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.signing import sign_files  # noqa: PLC0415

    predicate = load_json(
        read_untrusted(predicate_file, limit=_MAX_PREDICATE_BYTES, what="a predicate"), predicate_file
    )
    if not isinstance(predicate, dict):
        raise ProjectError(f"{predicate_file} holds no JSON object: a predicate is an object")
    suffix = attestation_suffix(predicate_type)
    result, signed = sign_files(
        only_artifacts(artifacts, "attest"),
        signing_policy(**options),
        evidence_dir=evidence_dir,
        attestations=((suffix, predicate_type, predicate),),
    )
    render.signing_summary(result, [path for item in signed for path in item.files])


_MAX_PREDICATE_BYTES = 64 << 20


def only_artifacts(paths: tuple[Path, ...], verb: str) -> list[Path]:
    """The artifacts among ``paths``: attestations and other evidence (``dist/*``) are skipped."""
    from pyprov.errors import ProjectError  # noqa: PLC0415
    from pyprov.evidence.layout import split_artifacts  # noqa: PLC0415

    artifacts, skipped = split_artifacts(paths)
    if not artifacts:
        raise ProjectError(
            f"nothing to {verb}: {', '.join(map(str, skipped))} "
            + ("is evidence" if len(skipped) == 1 else "are evidence")
            + " (attestations, signatures, pyprov's records), not an artifact"
        )
    return artifacts


def attestation_suffix(predicate_type: str) -> str:
    """``.intoto.sigstore.json`` for SLSA provenance, ``.cdx.sigstore.json`` for CycloneDX, else a slug."""
    import re  # noqa: PLC0415

    from pyprov.errors import ProjectError  # noqa: PLC0415

    if predicate_type.startswith("https://slsa.dev/provenance/"):
        return ".intoto.sigstore.json"
    if predicate_type.startswith("https://cyclonedx.org/bom"):
        return ".cdx.sigstore.json"
    slug = re.sub(r"[^a-z0-9]+", "-", predicate_type.split("://", 1)[-1].lower()).strip("-")
    if not slug:
        raise ProjectError(f"predicate type {predicate_type!r} is not a URI")
    return f".{slug[:80]}.sigstore.json"
