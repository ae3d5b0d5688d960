"""One PEP 517 build, as ``python -m build`` runs it, with every piece of build code in the sandbox.

pypa/build drives the hooks (its public ``ProjectBuilder`` and ``IsolatedEnv``); pyprov
creates the isolated environment itself, so that the installer of the build
requirements runs through the same sandbox as the hooks. Each hook writes into a fresh
directory of its own; the file it names is accepted only if it is a plain file name of
a regular file in that directory, and is moved out of reach of any later build code.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import stat
import sys
import tempfile
import venv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pyprov._internal import sandbox
from pyprov._internal.clock import Clock, rfc3339
from pyprov.errors import BuildFailedError, ProjectError
from pyprov.events import BuildEvent, EventHandler
from pyprov.evidence import ArtifactTransform
from pyprov.producers.inventory import installed_distributions, venv_site_packages
from pyprov.producers.policy import BuildPolicy
from pyprov.record import BuildEnvironment, DistributionKind, InstalledDistribution, Installer

_T = TypeVar("_T")
_Config = dict[str, str | list[str]] | None

OUTPUT_TAIL_LINES = 40
_MAX_REPORT_BYTES = 64 << 20
_PIP_WITH_PYTHON_OPTION = (22, 3)


@dataclass(frozen=True, slots=True)
class Built:
    """One distribution the backend built, held where no build code can reach it."""

    path: Path
    environment: BuildEnvironment
    started_on: str
    finished_on: str


class SandboxedEnv:
    """An isolated build environment (``build.env.IsolatedEnv``) that pyprov creates and fills.

    The virtual environment is created in-process, without pip; the installer runs
    from pyprov's environment (``pip --python``) inside the sandbox.
    """

    def __init__(self, path: Path, *, with_pip: bool) -> None:
        self.path = path
        venv.EnvBuilder(symlinks=os.name != "nt", with_pip=with_pip).create(path)
        scripts = "Scripts" if os.name == "nt" else "bin"
        self.scripts_dir = str(path / scripts)
        self._python = str(path / scripts / ("python.exe" if os.name == "nt" else "python"))

    @property
    def python_executable(self) -> str:
        """The environment's interpreter."""
        return self._python

    def make_extra_environ(self) -> dict[str, str]:
        """What pypa/build adds to the hooks' environment: the scripts first on ``PATH``."""
        return {
            "PATH": os.pathsep.join(filter(None, [self.scripts_dir, os.environ.get("PATH")])),
            "PYTHONPATH": "",
        }


class PreparedEnvironment:
    """A build environment whose ``[build-system]`` requirements install while something else builds.

    :meth:`Pep517Builder.prepare_environment` makes it; :meth:`Pep517Builder.build` uses it
    when the tree it builds asks for the same requirements, else builds in a new one.
    :meth:`close` kills the installer if it still runs and removes the environment.
    """

    def __init__(self, requires: tuple[str, ...], *, outer_pip: bool) -> None:
        self.requires = requires
        self.outer_pip = outer_pip
        self._dirs = [
            tempfile.TemporaryDirectory(prefix="pyprov-env-"),
            tempfile.TemporaryDirectory(prefix="pyprov-scratch-"),
        ]
        self.env_path = Path(self._dirs[0].name).resolve()
        self.scratch = Path(self._dirs[1].name).resolve()
        self.log = self.scratch / "installer.log"
        self.env: SandboxedEnv | None = None
        self.started: sandbox.Started | None = None
        self.report: Path | None = None
        self.failed = False
        """The wheels-only installation failed: a new environment installs with sdists allowed."""

    def close(self) -> None:
        """Stop the installer if it still runs; remove the environment."""
        try:
            if self.started is not None:
                self.started.kill()
        finally:
            for directory in self._dirs:
                directory.cleanup()


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildSystem:
    """The ``[build-system]`` table as PEP 517 and PEP 518 read it (with their defaults)."""

    backend: str
    backend_path: tuple[str, ...]


def read_build_system(srcdir: Path) -> BuildSystem:
    """Read ``[build-system]`` of ``srcdir/pyproject.toml``; pypa/build has validated it already."""
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    try:
        data = tomllib.loads((srcdir / "pyproject.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError, RecursionError) as error:
        raise ProjectError(f"cannot read {srcdir / 'pyproject.toml'}: {error}") from error
    table = data.get("build-system", {})
    if not isinstance(table, dict) or "build-backend" not in table:
        return BuildSystem(backend="setuptools.build_meta:__legacy__", backend_path=())
    return BuildSystem(
        backend=str(table["build-backend"]), backend_path=tuple(str(p) for p in table.get("backend-path", ()))
    )


class Pep517Builder:
    """Builds one distribution at a time; each result lands in ``holding``."""

    def __init__(
        self,
        *,
        policy: BuildPolicy,
        installer: Installer,
        isolation: bool,
        config_settings: Mapping[str, str | list[str]],
        transforms: Sequence[ArtifactTransform],
        holding: Path,
        on_event: EventHandler,
        now: Clock,
    ) -> None:
        self.policy = policy
        self.installer = installer
        self.isolation = isolation
        self.config: _Config = dict(config_settings) or None
        self.transforms = transforms
        self.holding = holding
        self.on_event = on_event
        self.now = now
        self.output: list[str] = []

    def prepare_environment(self, srcdir: Path) -> PreparedEnvironment | None:
        """Start making the isolated environment of a later build from a tree like ``srcdir``.

        The environment is created and its ``[build-system]`` requirements (read from
        ``srcdir``) start installing in the sandbox, wheels only, with the installer's cache
        (as for any fresh environment), while the caller builds something else: pyprov's
        wheel environment installs while the sdist builds. ``None`` when that cannot be
        done ahead (no isolation, no installer cache, requirements given by URL); the
        caller must :meth:`PreparedEnvironment.close` what it gets.
        """
        import build  # noqa: PLC0415

        cache = self.policy.installer_cache(self.installer) if self.isolation else None
        if cache is None:
            return None
        prepared = PreparedEnvironment((), outer_pip=self.installer == "pip" and _outer_pip())
        try:
            env = SandboxedEnv(prepared.env_path, with_pip=self.installer == "pip" and not prepared.outer_pip)
            try:
                requires = _declared_requires(env, srcdir)
            except build.BuildException:
                prepared.close()
                return None  # the build itself reports it
            if not requires or not _by_name(requires):
                prepared.close()
                return None
            prepared.requires, prepared.env = requires, env
            argv, spec, prepared.report = self._installer_command(
                env, requires, prepared.scratch, prepared.outer_pip, cache
            )
            with prepared.log.open("wb") as output:
                prepared.started = self.policy.runner.start(spec, argv, output=output)
        except BaseException:
            prepared.close()
            raise
        return prepared

    def build(
        self, kind: DistributionKind, srcdir: Path, *, prepared: PreparedEnvironment | None = None
    ) -> Built:
        """Build ``kind`` from ``srcdir`` (absolute, without symlinks), in ``prepared`` if it fits."""
        started = rfc3339(self.now())
        self.output = []
        try:
            with tempfile.TemporaryDirectory(prefix="pyprov-out-") as work:
                if self.isolation:
                    returned, environment = self._build_isolated(kind, srcdir, Path(work).resolve(), prepared)
                else:
                    returned, environment = self._build_in_place(kind, srcdir, Path(work).resolve())
                path = accept_output(kind, returned, Path(work).resolve(), self.holding)
        except BuildFailedError as error:
            if not error.output:
                error.output = "\n".join(self.output[-OUTPUT_TAIL_LINES:])
            raise
        for transform in self.transforms:
            if transform.applies_to(kind):
                transform.transform(path, environment)
        self.on_event(BuildEvent(distribution=kind, step="built", message=path.name))
        return Built(path=path, environment=environment, started_on=started, finished_on=rfc3339(self.now()))

    def _line(self, kind: DistributionKind) -> Callable[[str], None]:
        def on_line(line: str) -> None:
            self.output.append(line)
            self.on_event(BuildEvent(distribution=kind, step="output", message=line))

        return on_line

    def _build_isolated(
        self, kind: DistributionKind, srcdir: Path, work: Path, prepared: PreparedEnvironment | None
    ) -> tuple[str, BuildEnvironment]:
        self.on_event(BuildEvent(distribution=kind, step="environment", message=f"venv+{self.installer}"))
        if prepared is not None and prepared.env is not None:
            try:
                done = self._build_prepared(kind, srcdir, work, prepared, prepared.env)
            finally:
                prepared.close()
            if done is not None:
                return done
        with (
            tempfile.TemporaryDirectory(prefix="pyprov-env-") as env_dir,
            tempfile.TemporaryDirectory(prefix="pyprov-scratch-") as scratch,
        ):
            env_path, scratch_path = Path(env_dir).resolve(), Path(scratch).resolve()
            outer_pip = self.installer == "pip" and _outer_pip()
            env = SandboxedEnv(env_path, with_pip=self.installer == "pip" and not outer_pip)
            wheels_failed = prepared is not None and prepared.failed
            if wheels_failed:
                self.on_event(
                    BuildEvent(
                        distribution=kind, step="requirements", message="not all as wheels: sdists allowed"
                    )
                )
            return self._build_in(
                kind, srcdir, work, env, scratch_path, outer_pip, None, fresh=not wheels_failed
            )

    def _build_prepared(
        self,
        kind: DistributionKind,
        srcdir: Path,
        work: Path,
        prepared: PreparedEnvironment,
        env: SandboxedEnv,
    ) -> tuple[str, BuildEnvironment] | None:
        """Build in ``prepared`` if ``srcdir`` asks for its requirements and they installed; else ``None``."""
        requires = _project_builder(kind, lambda: _declared_requires(env, srcdir))
        if requires != prepared.requires or prepared.started is None or prepared.report is None:
            return None
        self.on_event(BuildEvent(distribution=kind, step="requirements", message=", ".join(requires)))
        status = prepared.started.wait()
        for line in _read_log(prepared.log):
            self._line(kind)(line)
        if status:
            prepared.failed = True
            return None
        reports = _read_report(prepared.report)
        return self._build_in(kind, srcdir, work, env, prepared.scratch, prepared.outer_pip, reports)

    def _build_in(
        self,
        kind: DistributionKind,
        srcdir: Path,
        work: Path,
        env: SandboxedEnv,
        scratch_path: Path,
        outer_pip: bool,
        installed_reports: list[Mapping[str, Any]] | None,
        *,
        fresh: bool = True,
    ) -> tuple[str, BuildEnvironment]:
        """Build in ``env``, its ``[build-system]`` requirements installed (``installed_reports``) or not."""
        import build  # noqa: PLC0415 - imported when a build runs, so that `pyprov --help` starts fast

        env_path = env.path
        hooks = sandbox.hook_runner(
            self.policy.runner,
            self.policy.hook_specs((srcdir, work), (env_path,), env.make_extra_environ()),
            on_line=self._line(kind),
        )
        builder = _project_builder(kind, lambda: build.ProjectBuilder.from_isolated_env(env, srcdir, hooks))
        requires = tuple(sorted(builder.build_system_requires))
        if installed_reports is None:
            reports = self._install(kind, env, requires, scratch_path, outer_pip=outer_pip, fresh=fresh)
        else:
            reports = list(installed_reports)
        backend_requires = tuple(
            sorted(backend_call(kind, lambda: builder.get_requires_for_build(kind, self.config)))
        )
        reports += self._install(kind, env, backend_requires, scratch_path, outer_pip=outer_pip)
        # The environment is deleted when this block ends: list it now.
        installed = installed_distributions(venv_site_packages(env_path), installer_reports=reports)
        system = read_build_system(srcdir)
        self.on_event(BuildEvent(distribution=kind, step="backend", message=system.backend))
        returned = backend_call(kind, lambda: builder.build(kind, work, self.config))
        return returned, self._environment(system, self.installer, requires, backend_requires, installed)

    def _build_in_place(
        self, kind: DistributionKind, srcdir: Path, work: Path
    ) -> tuple[str, BuildEnvironment]:
        import build  # noqa: PLC0415

        hooks = sandbox.hook_runner(
            self.policy.runner, self.policy.hook_specs((srcdir, work), (), {}), on_line=self._line(kind)
        )
        builder = _project_builder(kind, lambda: build.ProjectBuilder(srcdir, runner=hooks))
        missing = backend_call(kind, lambda: builder.check_dependencies(kind, self.config))
        if missing:
            unmet = ", ".join(sorted(" -> ".join(chain) for chain in missing))
            raise BuildFailedError(
                f"missing build requirements for the {kind} without isolation: {unmet}",
                hint="install them, or build without --no-isolation",
            )
        backend_requires = tuple(
            sorted(backend_call(kind, lambda: builder.get_requires_for_build(kind, self.config)))
        )
        installed = installed_distributions()
        system = read_build_system(srcdir)
        self.on_event(BuildEvent(distribution=kind, step="backend", message=system.backend))
        returned = backend_call(kind, lambda: builder.build(kind, work, self.config))
        requires = tuple(sorted(builder.build_system_requires))
        return returned, self._environment(system, None, requires, backend_requires, installed)

    def _install(
        self,
        kind: DistributionKind,
        env: SandboxedEnv,
        requirements: Sequence[str],
        scratch: Path,
        *,
        outer_pip: bool,
        fresh: bool = False,
    ) -> list[Mapping[str, Any]]:
        """Install ``requirements`` into ``env`` in the sandbox; the installer's reports.

        Into a ``fresh`` environment (nothing of the build's own installed yet), the
        installer first tries wheels only with the user's installer cache writable: it then
        runs no code but its own and pyprov's interpreter, so nothing can poison the cache
        for later builds, and a warm cache makes the environment as fast as
        ``python -m build``'s. If that fails (a requirement has no wheel, a source build is
        needed), it installs again as any other time: sdists allowed, no shared cache.
        """
        if not requirements:
            return []
        self.on_event(BuildEvent(distribution=kind, step="requirements", message=", ".join(requirements)))
        cache = self.policy.installer_cache(self.installer) if fresh and _by_name(requirements) else None
        if cache is not None:
            held: list[str] = []
            status, reports = self._run_installer(env, requirements, scratch, outer_pip, cache, held.append)
            if not status:
                for line in held:
                    self._line(kind)(line)
                return reports
            self.on_event(
                BuildEvent(
                    distribution=kind, step="requirements", message="not all as wheels: again, sdists allowed"
                )
            )
        status, reports = self._run_installer(env, requirements, scratch, outer_pip, None, self._line(kind))
        if status:
            raise BuildFailedError(
                f"installing the build requirements of the {kind} failed (exit status {status})"
            )
        return reports

    def _run_installer(
        self,
        env: SandboxedEnv,
        requirements: Sequence[str],
        scratch: Path,
        outer_pip: bool,
        cache: Path | None,
        on_line: Callable[[str], None],
    ) -> tuple[int, list[Mapping[str, Any]]]:
        """One installer run: its exit status and reports."""
        argv, spec, report = self._installer_command(env, requirements, scratch, outer_pip, cache)
        try:
            status = self.policy.runner.run(spec, argv, on_line=on_line)
        except FileNotFoundError as error:
            raise BuildFailedError(f"cannot run the installer {argv[0]}: {error}") from error
        return status, [] if status else _read_report(report)

    def _installer_command(
        self,
        env: SandboxedEnv,
        requirements: Sequence[str],
        scratch: Path,
        outer_pip: bool,
        cache: Path | None,
    ) -> tuple[list[str], sandbox.SandboxSpec, Path]:
        """The installer's command line, its sandbox and where its report will be.

        With ``cache``: wheels only, the installer's cache writable; else sdists allowed.
        """
        # pip does not honour environment markers on the command line, but does in a file.
        listing = Path(tempfile.mkstemp(dir=scratch, prefix="requirements-", suffix=".txt")[1])
        listing.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        report = listing.with_suffix(".report.json")
        wheels_only = ["--only-binary", ":all:"] if cache is not None else []
        extra: dict[str, str] = {}
        if self.installer == "pip":
            pip = (
                [_own_python(), "-m", "pip", "--python", env.python_executable]
                if outer_pip
                else [env.python_executable, "-Im", "pip"]
            )
            # pip writes an installation report with the hash of every file it installed.
            argv = [
                *pip,
                "install",
                "--use-pep517",
                "--no-warn-script-location",
                "--no-compile",
                "--no-input",
                "--disable-pip-version-check",
                *(["--cache-dir", str(cache)] if cache is not None else self._no_pip_cache()),
                *wheels_only,
                "--report",
                str(report),
                "-r",
                str(listing),
            ]
        else:
            # uv has no installation report (the record says so by omission). Its cache must be
            # writable: without the shared one, a private one per environment.
            argv = [
                _uv_binary(),
                "pip",
                "install",
                *wheels_only,
                "--python",
                env.python_executable,
                "-r",
                str(listing),
            ]
            extra = {"UV_CACHE_DIR": str(cache if cache is not None else scratch / "uv-cache")}
        spec = self.policy.installer_spec(
            scratch, (env.path, scratch, *([cache] if cache is not None else []))
        )
        spec = sandbox.SandboxSpec(
            cwd=spec.cwd,
            env={**spec.env, **env.make_extra_environ(), **extra},
            writable=spec.writable,
            readonly=spec.readonly,
            hidden=spec.hidden,
            network=spec.network,
        )
        return argv, spec, report

    def _no_pip_cache(self) -> list[str]:
        # In the sandbox the user's cache is read-only, so pip could not use it anyway.
        return ["--no-cache-dir"] if self.policy.sandboxed else []

    def _environment(
        self,
        system: BuildSystem,
        installer: Installer | None,
        requires: tuple[str, ...],
        backend_requires: tuple[str, ...],
        installed: tuple[InstalledDistribution, ...],
    ) -> BuildEnvironment:
        return BuildEnvironment(
            isolated=installer is not None,
            installer=installer,
            backend=system.backend,
            backend_path=system.backend_path,
            build_system_requires=requires,
            backend_requires=backend_requires,
            installed=installed,
            isolation=self.policy.isolation(),
        )


def accept_output(kind: DistributionKind, returned: str, work: Path, holding: Path) -> Path:
    """Move the file a backend named into ``holding``, if it is what PEP 517 says it must be.

    The name must be a plain file name (pypa/build joins it to the output directory), of a
    regular file, not a symlink, of the right kind, and not the name of an artifact
    already built. Raises :class:`BuildFailedError` otherwise.
    """
    # String operations on purpose: pathlib would drop the "." and trailing "/" a backend wrote.
    name = os.path.basename(returned)  # noqa: PTH119
    directory = os.path.dirname(returned)  # noqa: PTH120
    if directory != str(work) or name in ("", ".", ".."):
        shown = returned.removeprefix(str(work) + os.sep)
        raise BuildFailedError(
            f"the backend named {shown!r} as the {kind}: not a file name in its output directory"
        )
    _check_name(kind, name)
    try:
        fd = os.open(work / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        what = "a symbolic link" if (work / name).is_symlink() else (error.strerror or str(error))
        raise BuildFailedError(f"the {kind} {name} the backend named is {what}") from error
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BuildFailedError(f"the {kind} {name} the backend named is not a regular file")
    finally:
        os.close(fd)
    target = holding / name
    if target.exists():
        raise BuildFailedError(f"the backend named {name} as the {kind}, the name of another artifact")
    (work / name).rename(target)
    return target


def _check_name(kind: DistributionKind, name: str) -> None:
    from packaging.utils import (  # noqa: PLC0415
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if kind == "wheel":
            parse_wheel_filename(name)
        else:
            parse_sdist_filename(name)
    except (InvalidWheelFilename, InvalidSdistFilename) as error:
        raise BuildFailedError(f"the backend named {name!r} as the {kind}: {error}") from error


def _declared_requires(env: SandboxedEnv, srcdir: Path) -> tuple[str, ...]:
    """``srcdir``'s ``[build-system]`` requirements as pypa/build reads them; no hook can run here."""
    import build  # noqa: PLC0415

    def no_hook(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("reading the build requirements runs no hook")

    return tuple(sorted(build.ProjectBuilder.from_isolated_env(env, srcdir, no_hook).build_system_requires))


def _by_name(requirements: Sequence[str]) -> bool:
    """Whether every requirement names a project (no URL, which could be a source tree)."""
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    try:
        return all(Requirement(line).url is None for line in requirements)
    except InvalidRequirement:
        return False


def _read_log(path: Path) -> list[str]:
    """The lines the installer wrote to ``path`` (bounded: the last 64 MiB at most)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(_MAX_REPORT_BYTES)
    except OSError:
        return []
    return data.decode("utf-8", "replace").splitlines()


def _read_report(path: Path) -> list[Mapping[str, Any]]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return []
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return []
        data = stream.read(_MAX_REPORT_BYTES + 1)
    if len(data) > _MAX_REPORT_BYTES:
        return []
    try:
        report = json.loads(data)
    except (ValueError, RecursionError):
        return []
    return [report] if isinstance(report, dict) else []


def _own_python() -> str:
    """The path of pyprov's interpreter without symlinked directories (what the sandbox binds)."""
    executable = Path(sys.executable)
    return str(executable.parent.resolve() / executable.name)


@functools.cache
def _outer_pip() -> bool:
    """Whether pyprov's environment has a pip that can install into another (``--python``)."""
    if importlib.util.find_spec("pip") is None:
        return False
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        parts = version("pip").split(".")
        return (int(parts[0]), int(parts[1])) >= _PIP_WITH_PYTHON_OPTION
    except (PackageNotFoundError, ValueError, IndexError):
        return False


def _uv_binary() -> str:
    try:
        import uv  # noqa: PLC0415

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which(os.environ.get("UV") or "uv")
    if found is None:
        raise ProjectError(
            "cannot create the build environment: uv executable not found",
            hint="install uv, e.g. pip install 'pyprov-build[uv]'",
        )
    return found


def _project_builder(kind: DistributionKind, make: Callable[[], _T]) -> _T:
    import build  # noqa: PLC0415

    try:
        return make()
    except build.BuildException as error:  # malformed pyproject.toml or build-system table
        raise ProjectError(str(error)) from error
    except build.BuildBackendException as error:
        raise BuildFailedError(f"building the {kind} failed: {error}") from error


def check_project(srcdir: Path) -> None:
    """Parse and validate ``pyproject.toml`` without running anything: bad input fails first."""
    if not srcdir.exists():
        raise ProjectError(f"source directory {srcdir} does not exist")
    if not srcdir.is_dir():
        raise ProjectError(f"source {srcdir} is not a directory")
    if not (srcdir / "pyproject.toml").is_file() and not (srcdir / "setup.py").is_file():
        raise ProjectError(
            f"{srcdir} has no pyproject.toml",
            hint="pyprov builds Python projects: run it in a directory with a pyproject.toml",
        )
    import build  # noqa: PLC0415

    _project_builder("sdist", lambda: build.ProjectBuilder(srcdir))


def backend_call(kind: DistributionKind, call: Callable[[], _T]) -> _T:
    """Run a hook through pypa/build, turning its errors into :class:`BuildFailedError`."""
    import build  # noqa: PLC0415

    try:
        return call()
    except (build.BuildBackendException, build.BuildException) as error:
        raise BuildFailedError(f"building the {kind} failed: {error}") from error
