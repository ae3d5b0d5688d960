"""What build code may see and do: the one sandbox policy of installers, PEP 517 hooks and commands.

Build code (backends, their requirements' ``setup.py``, the installer, ``pyprov run``'s
command) runs through :mod:`pyprov._internal.sandbox`. This module decides the policy of
each run: the environment without credentials, which directories it may write, which
stay read-only although they lie inside a writable tree (the output and evidence
directories, ``.git``), and which files and sockets that hold credentials are hidden.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyprov._internal import environ, sandbox
from pyprov._internal.sandbox import HookCall, Runner, SandboxSpec
from pyprov.errors import ProjectError
from pyprov.record import BuildIsolation

L3_WORKFLOW_HINT = (
    "pass --allow-unsandboxed to build anyway, or build in pyprov's reusable workflow "
    "(.github/workflows/build-provenance.yml), which keeps signing credentials out of the build job"
)

CREDENTIAL_FILES = (
    "~/.pypirc",
    "~/.netrc",
    "~/.git-credentials",
    "~/.ssh",
    "~/.gnupg",
    "~/.config/gh",
    "~/.config/hub",
    "~/.docker/config.json",
    "~/.aws",
    "~/.azure",
    "~/.config/gcloud",
    "~/.kube",
    "~/.local/share/python_keyring",
    "~/.local/share/keyrings",
    "~/.config/pypoetry/auth.toml",
    "~/.config/uv/credentials.toml",
)
"""Files and directories of the user that hold credentials; build code cannot read them."""

SOCKETS = ("/var/run/docker.sock", "/run/docker.sock", "/run/podman/podman.sock")
"""Unix sockets that grant more than the build needs (reachable even without network)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildPolicy:
    """The sandbox policy of one ``pyprov build`` or ``pyprov run``."""

    runner: Runner
    env: Mapping[str, str]
    """The environment of build code: pyprov's own, without any credential variable."""
    readonly: tuple[Path, ...]
    """Paths build code must see that would otherwise vanish (pyprov's interpreter under /tmp...)."""
    protected: tuple[Path, ...]
    """Read-only even inside a writable tree: the output and evidence directories, ``.git``."""
    hidden: tuple[Path, ...]
    hermetic: bool = False
    """No network for the backend hooks (the installer of build requirements keeps it)."""

    @property
    def sandboxed(self) -> bool:
        """Whether build code runs in a sandbox."""
        return self.isolation().sandbox is not None

    def isolation(self) -> BuildIsolation:
        """What the backend hooks of this build were protected by, for the record."""
        found = self.runner.isolation(self._spec(Path("/"), (), network=not self.hermetic))
        return BuildIsolation(
            sandbox=found.sandbox,
            pid_namespace=found.pid_namespace,
            private_tmp=found.private_tmp,
            network=found.network,
            no_new_privileges=found.no_new_privileges,
            capabilities_dropped=found.capabilities_dropped,
            credential_files_hidden=found.sandbox is not None,
            reason=found.reason,
        )

    def installer_spec(self, cwd: Path, writable: Sequence[Path]) -> SandboxSpec:
        """The policy of the installer of build requirements: it writes the environment only."""
        return self._spec(cwd, tuple(writable), network=True)

    def installer_cache(self, installer: str) -> Path | None:
        """The user's cache of ``installer`` (pip, uv), to lend to a wheels-only installation.

        Only such an installation may write it: the installer then runs no build code, so
        no build can poison the cache for another. ``None`` when the user disabled the
        cache, when it cannot be created, or when it lies in a path build code must not
        write (credentials, the output and evidence directories).
        """
        if not self.sandboxed:
            return None  # the installer uses its cache as it always does
        cache = _installer_cache(installer, self.env)
        if cache is None:
            return None
        try:
            cache.mkdir(parents=True, exist_ok=True)
            cache = cache.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not cache.is_dir() or any(
            cache.is_relative_to(path) or path.is_relative_to(cache)
            for path in (*self.hidden, *self.protected)
        ):
            return None
        return cache

    def command_spec(
        self, cwd: Path, writable: Sequence[Path], env: Mapping[str, str], argv: Sequence[str] = ()
    ) -> SandboxSpec:
        """The policy of ``pyprov run``'s command: the project writable, evidence read-only.

        What the command line names under /tmp (a script beside the project, with the files
        beside it) stays visible, read-only: the user chose it. For a file, its directory.
        """
        spec = self._spec(cwd, tuple(writable), network=not self.hermetic)
        named = [Path(arg) for arg in argv if arg.startswith("/tmp/") and ".." not in arg]  # noqa: S108
        named = [path if path.is_dir() else path.parent for path in named]
        return SandboxSpec(
            cwd=spec.cwd,
            env=env,
            writable=spec.writable,
            readonly=(
                *spec.readonly,
                *(
                    path
                    for path in _existing(named)
                    if not any(path.is_relative_to(w) for w in spec.writable)
                ),
            ),
            hidden=spec.hidden,
            network=spec.network,
        )

    def hook_specs(
        self, writable: Sequence[Path], readonly: Sequence[Path], extra_environ: Mapping[str, str]
    ) -> Callable[[HookCall], SandboxSpec]:
        """The policy of each PEP 517 hook call of one build (for :func:`sandbox.hook_runner`)."""

        def spec_for(call: HookCall) -> SandboxSpec:
            spec = self._spec(call.cwd, tuple(writable), network=not self.hermetic)
            return SandboxSpec(
                cwd=call.cwd,
                env={**spec.env, **extra_environ},
                writable=spec.writable,
                readonly=(*readonly, *spec.readonly),
                hidden=spec.hidden,
                network=spec.network,
            )

        return spec_for

    def _spec(self, cwd: Path, writable: tuple[Path, ...], *, network: bool) -> SandboxSpec:
        return SandboxSpec(
            cwd=cwd,
            env=dict(self.env),
            writable=writable,
            readonly=(*self.readonly, *self.protected),
            hidden=self.hidden,
            network=network,
        )


def make_policy(
    *,
    protected: Sequence[Path],
    hidden: Sequence[Path] = (),
    allow_unsandboxed: bool = False,
    credentials_present: bool = False,
    hermetic: bool = False,
    runner: Runner | None = None,
    base_environ: Mapping[str, str] | None = None,
) -> BuildPolicy:
    """The policy for build code here, with the sandbox if one can be made.

    Without a sandbox, build code could read every credential of pyprov and its parents:
    with ``credentials_present`` (signing requested, or a credential in the environment)
    that raises :class:`~pyprov.errors.ProjectError` unless ``allow_unsandboxed``. Paths
    in ``protected`` that exist stay read-only; ``hidden`` adds to the credential files.
    """
    base = dict(os.environ if base_environ is None else base_environ)
    if runner is None:
        probe = sandbox.probe()
        if not probe.available and credentials_present and not allow_unsandboxed:
            raise ProjectError(
                f"refusing to run build code next to signing credentials without a sandbox: {probe.reason}",
                hint=(probe.hint + "; or " if probe.hint else "") + L3_WORKFLOW_HINT,
            )
        runner = sandbox.select_runner(allow_unsandboxed=True, checked=probe)
    env = environ.without_credentials(base)
    return BuildPolicy(
        runner=runner,
        env=env,
        readonly=_needed_paths(env),
        protected=tuple(_existing(protected)),
        hidden=tuple(_existing([*_credential_paths(base), *hidden])),
        hermetic=hermetic,
    )


def _installer_cache(installer: str, env: Mapping[str, str]) -> Path | None:
    """Where ``installer`` keeps its cache, from the variables it reads itself."""
    prefix = "PIP" if installer == "pip" else "UV"
    if env.get(f"{prefix}_NO_CACHE") or env.get(f"{prefix}_NO_CACHE_DIR"):
        return None  # pip reads any value as "no cache"; so does pyprov for uv's
    if env.get(f"{prefix}_CACHE_DIR"):
        return Path(env[f"{prefix}_CACHE_DIR"]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(base) / installer


def credentials_in(environ_: Mapping[str, str]) -> bool:
    """Whether ``environ_`` holds a signing or publishing credential."""
    return any(environ.is_credential(name) and value for name, value in environ_.items())


def _credential_paths(environ_: Mapping[str, str]) -> list[Path]:
    home = environ_.get("HOME") or str(Path.home())
    paths = [Path(home) / item[2:] for item in CREDENTIAL_FILES]
    paths += [Path(item) for item in SOCKETS]
    paths.append(Path(f"/run/user/{os.getuid()}"))  # D-Bus session bus, keyrings, ssh/gpg agents
    for name in ("SSH_AUTH_SOCK", "GPG_AGENT_INFO", "DOCKER_HOST", "GIT_ASKPASS", "SSH_ASKPASS"):
        value = environ_.get(name, "").removeprefix("unix://").split(":")[0]
        if value.startswith("/"):
            paths.append(Path(value))
    return paths


def _needed_paths(env: Mapping[str, str]) -> tuple[Path, ...]:
    """Paths under /tmp that build code needs: the sandbox gives it a private, empty /tmp.

    pyprov's own interpreter (a virtual environment created under /tmp), and the paths
    that the installer's and interpreter's own variables name there (``PIP_CONSTRAINT``,
    ``HOME``, ``PATH`` entries...). Other variables' paths stay out of sight: a variable
    may name a credential file.
    """
    candidates = [Path(sys.prefix), Path(sys.exec_prefix), Path(sys.base_prefix), Path(sys.executable).parent]
    for name, value in env.items():
        if not (name in _PATH_VARIABLES or name.startswith(("PIP_", "UV_"))):
            continue
        for part in value.replace(os.pathsep, " ").split():
            if part.startswith("/tmp/") and ".." not in part:  # noqa: S108 - the host's /tmp
                candidates.append(Path(part))
    found: list[Path] = []
    for candidate in candidates:
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if resolved.is_relative_to(sandbox.PRIVATE_TMP) and resolved not in found:
            found.append(resolved)
    return tuple(found)


_PATH_VARIABLES = frozenset(
    {"HOME", "PATH", "PYTHONPATH", "VIRTUAL_ENV", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE"}
)
"""Variables whose paths under /tmp build code may need (besides ``PIP_*`` and ``UV_*``)."""


def _existing(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if resolved not in found:
            found.append(resolved)
    return found
