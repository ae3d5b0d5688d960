"""The ``pyprov`` command line: click commands over the library, and the one error handler.

Exit codes (documented in the README): 0 success; 1 the build failed; 2 bad input or
usage (pyprov could not run); 3 an output could not be written; 4 verification failed;
5 signing failed; 70 an unexpected internal error; 130 interrupted.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pyprov import __version__

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


_COMMANDS = {
    "build": ("pyprov._cli.build", "build_command"),
    "sbom": ("pyprov._cli.sbom", "sbom_command"),
    "sign": ("pyprov._cli.signing", "sign_command"),
    "attest": ("pyprov._cli.signing", "attest_command"),
    "verify": ("pyprov._cli.verify", "verify_command"),
    "run": ("pyprov._cli.run", "run_command"),
    "merge": ("pyprov._cli.run", "merge_command"),
    "provenance": ("pyprov._cli.provenance", "provenance_group"),
    "inspect": ("pyprov._cli.inspect", "inspect_command"),
    "rebuild": ("pyprov._cli.rebuild", "rebuild_command"),
    "posture": ("pyprov._cli.posture", "posture_command"),
}
"""Each command and where it lives: a run imports only its own command's module."""


class _Group(click.Group):
    """Maps every error to one line on stderr and a documented exit code; loads commands when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 - click's signature
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:  # noqa: ARG002
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            import importlib  # noqa: PLC0415

            module, attribute = _COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:  # noqa: ANN401 - whatever the command returns
        from pyprov._internal.terminal import printable  # noqa: PLC0415
        from pyprov.errors import BuildFailedError, PyprovError  # noqa: PLC0415

        # Python warnings (pypa/build re-raises the backend's deprecation warnings in this
        # process) are log records for -v, not lines every user reads.
        logging.captureWarnings(True)
        try:
            return super().invoke(ctx)
        except PyprovError as error:
            verbose = is_verbose(ctx)
            if isinstance(error, BuildFailedError) and error.output and not verbose:
                click.echo(error.output.rstrip("\n"), err=True)
            if verbose:
                traceback.print_exc(file=sys.stderr)
            # Messages quote files, archive members and servers: escaped for the terminal.
            click.echo(f"error: {printable(error.message)}", err=True)
            if error.hint:
                click.echo(f"hint: {printable(error.hint)}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("error: interrupted; nothing was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback unless -v
            verbose = is_verbose(ctx)
            if verbose:
                traceback.print_exc(file=sys.stderr)
            click.echo(f"error: internal error: {type(error).__name__}: {printable(str(error))}", err=True)
            if not verbose:
                click.echo("hint: run with -v for the traceback, and please report it", err=True)
            ctx.exit(EXIT_INTERNAL)
        finally:
            logging.captureWarnings(False)


def is_verbose(ctx: click.Context) -> bool:
    """Whether -v was given, to the group or to the command."""
    return bool(ctx.meta.get(_VERBOSE))


def is_quiet(ctx: click.Context) -> bool:
    """Whether -q was given, to the group or to the command."""
    return bool(ctx.meta.get(_QUIET))


def _remember(flag: str) -> Callable[[click.Context, click.Parameter, bool], bool]:
    def callback(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.meta[flag] = True
        return value

    return callback


_VERBOSE, _QUIET = "pyprov.verbose", "pyprov.quiet"


def verbose_flag(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-v/--verbose`` with the help text that is true for the command it decorates."""
    return click.option(
        "-v", "--verbose", is_flag=True, expose_value=False, callback=_remember(_VERBOSE), help=help_text
    )


verbose_option = verbose_flag("Show tracebacks and the log messages of the libraries pyprov uses.")
"""``-v`` for commands that run no build backend."""
backend_verbose_option = verbose_flag("Show backend output as it runs, log messages, and tracebacks.")
"""``-v`` for ``pyprov build``, which runs build backends."""


class _LibraryLog(logging.Handler):
    """Library log records and Python warnings reach stderr only with -v.

    The libraries: sigstore, TUF, pypi-attestations, pypa/build (which re-raises the
    backend's deprecation warnings in pyprov's process).

    Without a handler, Python prints their warnings ("TUF repository is loaded in offline
    mode") on every run; pyprov reports what matters in its own words.
    """

    def emit(self, record: logging.LogRecord) -> None:
        ctx = click.get_current_context(silent=True)
        if ctx is not None and is_verbose(ctx):
            click.echo(self.format(record), err=True)


def _route_library_logs() -> None:
    handler = _LibraryLog()
    handler.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
    for name in ("sigstore", "tuf", "sigstore_models", "pypi_attestations", "build", "py.warnings"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False


quiet_option = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    expose_value=False,
    callback=_remember(_QUIET),
    help="Show nothing but the result and errors.",
)


def index_url_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--index-url``: a PEP 691 simple API, PyPI by default (``PYPROV_INDEX_URL``)."""
    return click.option(
        "--index-url",
        envvar="PYPROV_INDEX_URL",
        show_envvar=True,
        default="https://pypi.org/simple/",  # pyprov.verify.index.DEFAULT_INDEX_URL, without importing it
        show_default=True,
        metavar="URL",
        help=help_text,
    )


sbom_spec_option = click.option(
    "--sbom-spec",
    type=click.Choice(["1.5", "1.6", "1.7"]),
    default="1.6",
    show_default=True,
    envvar="PYPROV_SBOM_SPEC",
    show_envvar=True,
    help="CycloneDX version of the SBOMs.",
)
"""``--sbom-spec``, the same for every command that writes CycloneDX (value in ``sbom_spec``)."""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="pyprov")
@verbose_flag("Show more: backend output (build), library log messages, tracebacks.")
@quiet_option
@click.pass_context
def main(ctx: click.Context) -> None:
    """Build Python distributions and turn the build into verifiable evidence.

    Options set once go in [tool.pyprov] of ./pyproject.toml (evidence-dir, sbom-format,
    sbom-spec, staging, trust-config, expect-identity, expect-issuer); the command line
    and PYPROV_* variables win over it.

    Exit codes: 0 ok, 1 build failed, 2 bad input, 3 cannot write outputs,
    4 verification failed, 5 signing failed, 70 internal error, 130 interrupted.
    """
    ctx.default_map = project_defaults(Path("pyproject.toml"), ctx.command)


def project_defaults(pyproject: Path, group: click.Command) -> dict[str, Any]:
    """``[tool.pyprov]`` as click's default map: each setting for every command with that option.

    Click takes a value from the command line first, then the option's environment
    variable, then this map, then the option's default.
    """
    from pyprov.config import load_project_config  # noqa: PLC0415

    settings = load_project_config(pyproject).options()
    if not settings:
        return {}

    def walk(command: click.Command) -> dict[str, Any]:
        if isinstance(command, click.Group):
            with click.Context(command) as ctx:
                found = {name: command.get_command(ctx, name) for name in command.list_commands(ctx)}
            return {name: walk(sub) for name, sub in found.items() if sub is not None}
        names = {param.name for param in command.params}
        return {name: value for name, value in settings.items() if name in names}

    return walk(group)


def from_project_config(name: str) -> bool:
    """Whether the running command's option ``name`` came from ``[tool.pyprov]``."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.get_parameter_source(name) is click.core.ParameterSource.DEFAULT_MAP


_route_library_logs()
