"""A build frontend holding credentials as pyprov does: ``python -m build``, or pypa/build in the sandbox.

``python frontend.py --identity-token JWT --memory-secret-file PATH [--sandboxed] -- ARGS``:
the identity token is only in this process's argv; the secret read from the file (then
deleted) only in its memory; the test puts others in its environment. Without
``--sandboxed``, ARGS are those of ``python -m build``, run in-process. With it, ARGS is a
source tree whose sdist and wheel pypa/build builds, without isolation, each hook in the
sandbox; the artifacts' paths are printed as JSON.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path

held: list[str] = []
"""Secrets kept in memory only, as a signer holds a token it read from a file."""


REPO = Path(__file__).resolve().parents[2]


def build_sandboxed(source: Path, hidden: tuple[Path, ...]) -> dict[str, str]:
    """The pipeline's layout: source writable; dist and evidence in it read-only; a writable stage in dist."""
    import build

    from pyprov._internal import sandbox

    runner = sandbox.select_runner(allow_unsandboxed=False)
    dist, evidence = source / "dist", source / "evidence"
    stage = dist / ".pyprov-stage"
    stage.mkdir(parents=True)
    evidence.mkdir(exist_ok=True)
    env = {name: value for name, value in os.environ.items() if name.startswith(("PATH", "HOSTILE_BACKEND_"))}

    def spec_for(call: sandbox.HookCall) -> sandbox.SandboxSpec:
        return sandbox.SandboxSpec(
            cwd=call.cwd,
            env=env,
            writable=(source, stage),
            # A clone of the repository under /tmp holds the interpreter: visible, read-only.
            readonly=(dist, evidence, *((REPO,) if REPO.is_relative_to(sandbox.PRIVATE_TMP) else ())),
            hidden=hidden,
            network=False,
        )

    def on_line(line: str) -> None:
        print(line, file=sys.stderr)  # noqa: T201 - the hooks' output, as a frontend shows it

    hooks = sandbox.hook_runner(runner, spec_for, on_line=on_line)
    builder = build.ProjectBuilder(source, python_executable=sys.executable, runner=hooks)
    return {kind: builder.build(kind, stage) for kind in ("sdist", "wheel")}


def main() -> None:
    split = sys.argv.index("--")
    options, args = sys.argv[1:split], sys.argv[split + 1 :]
    secret_file = Path(options[options.index("--memory-secret-file") + 1])
    held.append(secret_file.read_text(encoding="utf-8").strip())
    secret_file.unlink()
    if "--sandboxed" in options:
        hidden = tuple(
            Path(path) for path in os.environ.get("HOSTILE_BACKEND_READ", "").split(os.pathsep) if path
        )
        built = build_sandboxed(Path(args[-1]).resolve(), hidden)
        print(json.dumps(built))  # noqa: T201 - the result
        return
    sys.argv = [sys.argv[0], *args]
    runpy.run_module("build", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
