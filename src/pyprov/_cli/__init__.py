"""The ``pyprov`` command line: click commands over the library, and the one error handler.

Exit codes (documented in the README): 0 success; 1 the build failed; 2 bad input or
usage (pyprov could not run); 3 an output could not be written; 4 verification failed;
5 signing failed; 70 an unexpected internal error; 130 interrupted.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from pyprov import __version__

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


class _Group(click.Group):
    """Maps every error to one line on stderr and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:  # noqa: ANN401 - whatever the command returns
        from pyprov.errors import BuildFailedError, PyprovError  # noqa: PLC0415

        try:
            return super().invoke(ctx)
        except PyprovError as error:
            verbose = is_verbose(ctx)
            if isinstance(error, BuildFailedError) and error.output and not verbose:
                click.echo(error.output.rstrip("\n"), err=True)
            if verbose:
                traceback.print_exc(file=sys.stderr)
            click.echo(f"error: {error.message}", err=True)
            if error.hint:
                click.echo(f"hint: {error.hint}", err=True)
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
            click.echo(f"error: internal error: {type(error).__name__}: {error}", err=True)
            if not verbose:
                click.echo("hint: run with -v for the traceback, and please report it", err=True)
            ctx.exit(EXIT_INTERNAL)


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

verbose_option = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    expose_value=False,
    callback=_remember(_VERBOSE),
    help="Show backend output as it runs, and tracebacks.",
)
quiet_option = click.option(
    "-q",
    "--quiet",
    is_flag=True,
    expose_value=False,
    callback=_remember(_QUIET),
    help="Show nothing but the result and errors.",
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
@verbose_option
@quiet_option
def main() -> None:
    """Build Python distributions and turn the build into verifiable evidence.

    Exit codes: 0 ok, 1 build failed, 2 bad input, 3 cannot write outputs,
    4 verification failed, 5 signing failed, 70 internal error, 130 interrupted.
    """


def _register() -> None:
    from pyprov._cli.build import build_command  # noqa: PLC0415
    from pyprov._cli.inspect import inspect_command  # noqa: PLC0415
    from pyprov._cli.provenance import provenance_group  # noqa: PLC0415
    from pyprov._cli.rebuild import rebuild_command  # noqa: PLC0415
    from pyprov._cli.run import merge_command, run_command  # noqa: PLC0415
    from pyprov._cli.sbom import sbom_command  # noqa: PLC0415
    from pyprov._cli.signing import attest_command, sign_command  # noqa: PLC0415
    from pyprov._cli.verify import verify_command  # noqa: PLC0415

    main.add_command(build_command)
    main.add_command(sbom_command)
    main.add_command(sign_command)
    main.add_command(attest_command)
    main.add_command(verify_command)
    main.add_command(run_command)
    main.add_command(merge_command)
    main.add_command(provenance_group)
    main.add_command(inspect_command)
    main.add_command(rebuild_command)


_register()
