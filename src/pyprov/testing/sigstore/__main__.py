"""``python -m pyprov.testing.sigstore serve --dir D``: run a local Sigstore instance (TESTS ONLY).

Writes ``D/trust_config.json``, ``D/instance.json`` (URLs and the GitHub request token) and, last,
``D/identity_token`` (an e-mail identity token), prints how to use them, and serves until SIGINT
or SIGTERM. The instance is insecure and throwaway: never sign anything real with it.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from ._instance import DEFAULT_EMAIL, DEFAULT_TOKEN_LIFETIME, LocalSigstore, write_atomically

IDENTITY_TOKEN_FILE = "identity_token"  # noqa: S105  (a file name, not a secret)
INSTANCE_FILE = "instance.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pyprov.testing.sigstore",
        description="A local, INSECURE Sigstore instance on 127.0.0.1, for tests only.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve until SIGINT or SIGTERM")
    serve.add_argument("--dir", required=True, type=Path, help="where to write the trust config and token")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: chosen by the OS)")
    serve.add_argument("--email", default=DEFAULT_EMAIL, help="identity of the written identity token")
    serve.add_argument(
        "--token-lifetime",
        type=int,
        default=DEFAULT_TOKEN_LIFETIME,
        help="seconds the written identity token stays valid",
    )
    return parser


def _serve(directory: Path, port: int, email: str, token_lifetime: int) -> int:
    stop = threading.Event()

    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    with LocalSigstore(directory, port=port) as instance:
        details = {
            "base_url": instance.base_url,
            "trust_config": str(instance.trust_config_path),
            "identity_token": str(directory / IDENTITY_TOKEN_FILE),
            "email": email,
            "email_issuer": instance.email_issuer,
            "github_env": instance.github_env(),
        }
        write_atomically(directory / INSTANCE_FILE, json.dumps(details, indent=2) + "\n")
        token = instance.identity_token(email, lifetime=token_lifetime)
        write_atomically(directory / IDENTITY_TOKEN_FILE, token + "\n")
        print("local Sigstore instance (INSECURE, FOR TESTS ONLY)")
        print(f"  serving on      {instance.base_url}")
        print(f"  trust config    {instance.trust_config_path}")
        print(f"  identity token  {directory / IDENTITY_TOKEN_FILE}")
        print(f"    for {email}, issuer {instance.email_issuer}")
        print("  GitHub Actions-style ambient credentials:")
        for name, value in instance.github_env().items():
            print(f"    export {name}={value}")
        print("stop with Ctrl-C or SIGTERM", flush=True)
        while not stop.wait(0.2):
            pass
    print("stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args.dir, args.port, args.email, args.token_lifetime)
    return 2  # pragma: no cover  (argparse rejects unknown commands first)


if __name__ == "__main__":
    sys.exit(main())
