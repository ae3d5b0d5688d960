"""Running build code in a bubblewrap sandbox: the one process runner for every piece of build code.

Build code (PEP 517 backends, the installer of their requirements and the ``setup.py``
files it runs, the command of ``pyprov run``) is hostile. Removing credentials from
``os.environ`` is not a boundary: any process of the same user can read
``/proc/<pid>/environ``, ``cmdline`` and ``mem`` of its ancestors. In the sandbox:

- a new PID namespace with a fresh ``/proc``: no process outside it is visible;
- the whole file system read-only, except the directories a run may write
  (:attr:`SandboxSpec.writable`); a private ``/tmp`` and ``/dev``; some paths hidden;
- no capabilities, ``PR_SET_NO_NEW_PRIVS`` (sudo and setuid binaries cannot elevate),
  a new session (no ``TIOCSTI`` into pyprov's terminal), optionally no network;
- when the command exits, every process it left behind is dead before :meth:`Runner.run`
  returns, so nothing of one run can act during the next step or after the build.

The last point needs ``--as-pid-1``: by default bwrap returns as soon as its command
exits and its own pid 1 is killed only afterwards, through ``PR_SET_PDEATHSIG`` (a
double-forked daemon was measured still writing files after bwrap had returned in
about one run in ten). With ``--as-pid-1`` the command is the namespace's init; bwrap
waits for it, and the kernel reaps an init only after every other process of its
namespace is gone. The price: like any pid 1, the command ignores signals it sends
*itself* without having a handler (``kill -TERM $$``; ``abort()`` ends in SIGSEGV), and
processes orphaned inside the sandbox stay zombies until it exits.

This module imports nothing from the rest of pyprov.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, Protocol

__all__ = [
    "Bubblewrap",
    "HookCall",
    "HookRunner",
    "Isolation",
    "Probe",
    "Runner",
    "SandboxSpec",
    "SandboxUnavailableError",
    "UnsafePathError",
    "Unsandboxed",
    "hook_runner",
    "probe",
    "select_runner",
]

PRIVATE_TMP = Path("/tmp")  # noqa: S108 - the sandbox's own, empty /tmp
"""Inside the sandbox a fresh tmpfs: nothing of the host's ``/tmp`` is visible unless bound."""

_BASE_OPTIONS = (
    # The host's file system, read-only; then fresh /dev, /proc and /tmp on top.
    "--ro-bind", "/", "/",
    "--dev", "/dev",
    "--proc", "/proc",
    "--tmpfs", str(PRIVATE_TMP),
    "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
    # The command is the namespace's init: see the module docstring.
    "--as-pid-1",
    # Killed (SIGKILL) with pyprov, even if pyprov itself is killed.
    "--die-with-parent",
    # setsid(): no controlling terminal, so no TIOCSTI into pyprov's terminal.
    "--new-session",
    # pyprov may run as root: the sandbox has no capability (bwrap also sets no-new-privs).
    "--cap-drop", "ALL",
)  # fmt: skip
_PROBE_TIMEOUT = 10.0
_KILL_TIMEOUT = 5.0
_VERSION = re.compile(r"bubblewrap\s+(\S+)")

Output = IO[Any] | int | None
"""Where a stream goes: a file object, a descriptor, or ``None`` (pyprov's own)."""


class SandboxUnavailableError(RuntimeError):
    """No sandbox can be made here, and running unsandboxed was not accepted."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class UnsafePathError(ValueError):
    """A path to bind into the sandbox is unusable: missing, relative, or reached through a symlink."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SandboxSpec:
    """What one sandboxed run may see and do. Every path must be absolute.

    ``writable`` and ``readonly`` paths must exist and be given without symlinks (resolve
    them once, before any build code runs): between two runs a symlink inside a writable
    tree can only come from build code, e.g. an output directory swapped for a link to
    ``~/.ssh``, and binding it would make its target writable. :meth:`Runner.run` raises
    :class:`UnsafePathError` then.
    """

    cwd: Path
    env: Mapping[str, str]
    """The complete environment of the command: nothing is inherited. In the sandbox ``TMPDIR``
    is set to ``/tmp`` and bwrap sets ``PWD``."""
    writable: tuple[Path, ...] = ()
    """Directories (or files) bound read-write at the same path; also under ``/tmp``."""
    readonly: tuple[Path, ...] = ()
    """Paths bound read-only at the same path, on top of writable ones that contain them
    (the final output directory inside a writable source tree); a writable path inside a
    read-only one stays writable: deeper paths are bound last."""
    hidden: tuple[Path, ...] = ()
    """Paths made unreadable: ``/dev/null`` (on a ``nodev`` mount: opening fails) over a file,
    an empty read-only tmpfs over a directory. Missing paths are skipped. Everything else the
    user can read stays readable (``~/.pypirc``, ``~/.netrc``, ``~/.git-credentials``,
    ``~/.ssh``, ``~/.config/gh``, ``~/.docker/config.json``, a token file), and Unix sockets
    on the read-only file system still accept connections, ``network=False`` or not
    (``/var/run/docker.sock``, D-Bus, ``$SSH_AUTH_SOCK``): hide them."""
    network: bool = True
    """``False``: a network namespace with only a loopback interface (SLSA "hermetic")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Isolation:
    """What protection a run had, for the build record and the provenance."""

    sandbox: str | None
    """``"bubblewrap 0.8.0"``, or ``None`` when the command ran unsandboxed."""
    pid_namespace: bool
    private_tmp: bool
    network: Literal["allowed", "none"]
    no_new_privileges: bool
    capabilities_dropped: bool
    reason: str | None = None
    """Why there was no sandbox (``None`` when there was one)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form, with camelCase keys."""
        return {
            "sandbox": self.sandbox,
            "pidNamespace": self.pid_namespace,
            "privateTmp": self.private_tmp,
            "network": self.network,
            "noNewPrivileges": self.no_new_privileges,
            "capabilitiesDropped": self.capabilities_dropped,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Probe:
    """Whether a sandbox can be made here; see :func:`probe`."""

    executable: str | None = None
    """The bwrap binary found (resolved), if any."""
    version: str | None = None
    reason: str | None = None
    """One line saying why no sandbox can be made; ``None`` when one can."""
    hint: str | None = None
    """What the user can do about it, when known."""

    @property
    def available(self) -> bool:
        """Whether a trial sandbox ran."""
        return self.reason is None

    @property
    def sandbox(self) -> str | None:
        """``"bubblewrap <version>"`` when available."""
        return f"bubblewrap {self.version}" if self.available else None


class Runner(Protocol):
    """Runs one command of build code; :class:`Bubblewrap` and :class:`Unsandboxed` implement it."""

    def run(
        self,
        spec: SandboxSpec,
        argv: Sequence[str],
        *,
        on_line: Callable[[str], None] | None = None,
        stdout: Output = None,
        stderr: Output = None,
    ) -> int:
        """Run ``argv`` as ``spec`` says; return its exit status (killed by signal N: 128 + N)."""
        ...

    def start(self, spec: SandboxSpec, argv: Sequence[str], *, output: IO[bytes]) -> Started:
        """Start ``argv`` as :meth:`run` would, its output (stdout and stderr) to ``output``; do not wait."""
        ...

    def isolation(self, spec: SandboxSpec) -> Isolation:
        """The protection a run of ``spec`` gets."""
        ...


class Started:
    """A command started by :meth:`Runner.start`: wait for it, or kill it and everything it started.

    Either must be called once; both may be (kill after wait does nothing).
    """

    def __init__(
        self, process: subprocess.Popen[bytes], kill: Callable[[], None], close: Callable[[], None]
    ) -> None:
        self._process = process
        self._kill = kill
        self._close = close
        self._done = False

    def wait(self) -> int:
        """Its exit status once every process it started is dead (killed by signal N: 128 + N)."""
        try:
            status = self._process.wait()
        except BaseException:
            self.kill()
            raise
        self._finish()
        return status if status >= 0 else 128 - status

    def kill(self) -> None:
        """Kill it (the whole sandbox), if it still runs."""
        if not self._done:
            try:
                if self._process.poll() is None:
                    self._kill()
                else:
                    self._process.wait()
            finally:
                self._finish()

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self._close()


def probe(executable: str = "bwrap", *, path: str | None = None) -> Probe:
    """Say whether a sandbox can be made here, by starting a trivial one (a few ms, once).

    ``executable`` is looked up on ``path`` (default: ``PATH``). The result is cached
    per bwrap binary. The trial uses every option a real run uses, ``--unshare-net``
    included, and runs ``bwrap --version`` inside, which also gives the version.
    """
    if not sys.platform.startswith("linux"):
        return Probe(reason=f"sandboxing build code needs Linux (bubblewrap); this is {sys.platform}")
    found = shutil.which(executable, path=path)
    if found is None:
        return Probe(
            reason=f"bubblewrap ({executable}) is not installed",
            hint="install it: apt-get install bubblewrap, dnf install bubblewrap, apk add bubblewrap",
        )
    return _probe_executable(os.path.realpath(found))


@functools.cache
def _probe_executable(executable: str) -> Probe:
    argv = [executable, *_BASE_OPTIONS, "--unshare-net", "--", executable, "--version"]
    try:
        done = subprocess.run(
            argv,
            env={},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=_PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return Probe(executable=executable, reason=f"cannot run {executable}: {error}")
    found = _VERSION.search(done.stdout)
    if done.returncode == 0 and found:
        return Probe(executable=executable, version=found.group(1))
    message = next((line for line in done.stderr.splitlines() if line.strip()), "")
    message = message or f"exit status {done.returncode}"
    return Probe(
        executable=executable,
        reason=f"bubblewrap cannot create a sandbox here: {message}",
        hint=_refusal_hint(message),
    )


def _refusal_hint(message: str) -> str | None:
    if "Unknown option" in message or "Usage" in message:
        return "this bubblewrap is too old; pyprov needs 0.4 or later"
    if any(word in message for word in ("namespace", "uid map", "not permitted", "Permission denied")):
        # Ubuntu 24.04 (and GitHub's ubuntu-24.04 runners) restrict unprivileged user
        # namespaces through AppArmor: actions/runner-images#10443.
        return (
            "bwrap needs user namespaces: check sysctl user.max_user_namespaces; on Ubuntu 24.04 "
            "run 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' (or load an "
            "AppArmor profile allowing userns for bwrap); a container must allow namespaces"
        )
    return None


def select_runner(*, allow_unsandboxed: bool, checked: Probe | None = None) -> Bubblewrap | Unsandboxed:
    """The runner for build code here: the sandbox, or, if the user accepted it, none.

    Raises :class:`SandboxUnavailableError` (with the probe's reason and hint) when no
    sandbox can be made and ``allow_unsandboxed`` is false. ``checked`` defaults to
    :func:`probe`.
    """
    result = checked or probe()
    if result.available and result.executable and result.version:
        return Bubblewrap(executable=result.executable, version=result.version)
    reason = result.reason or "bubblewrap is not usable"
    if not allow_unsandboxed:
        raise SandboxUnavailableError(reason, result.hint)
    return Unsandboxed(reason=reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class Bubblewrap:
    """The sandboxed runner; make it with :func:`select_runner` (or from a :class:`Probe`)."""

    executable: str
    version: str

    def isolation(self, spec: SandboxSpec) -> Isolation:
        """The protection a run of ``spec`` gets."""
        return Isolation(
            sandbox=f"bubblewrap {self.version}",
            pid_namespace=True,
            private_tmp=True,
            network="allowed" if spec.network else "none",
            no_new_privileges=True,
            capabilities_dropped=True,
        )

    def command(self, spec: SandboxSpec, argv: Sequence[str], *, info_fd: int | None = None) -> list[str]:
        """The bwrap command line that runs ``argv`` as ``spec`` says.

        Raises :class:`UnsafePathError` for a bound path that is relative, missing or
        reached through a symlink, or a ``cwd`` that would not exist inside.
        """
        return self._command(spec, argv, _binds(spec), info_fd)

    def _command(
        self, spec: SandboxSpec, argv: Sequence[str], binds: Sequence[_Bind], info_fd: int | None
    ) -> list[str]:
        if not _visible(spec.cwd, binds):
            raise UnsafePathError(f"the working directory {spec.cwd} is under /tmp and not bound")
        command = [self.executable, *_BASE_OPTIONS]
        if not spec.network:
            command.append("--unshare-net")
        if info_fd is not None:
            command += ["--info-fd", str(info_fd)]
        for path, writable in binds:
            command += ["--bind" if writable else "--ro-bind", str(path), str(path)]
        for path in _hidden(spec.hidden, binds):
            if path.is_dir():
                command += ["--tmpfs", str(path), "--remount-ro", str(path)]
            else:
                command += ["--ro-bind", "/dev/null", str(path)]
        command += ["--chdir", str(spec.cwd), "--", *argv]
        return command

    def run(
        self,
        spec: SandboxSpec,
        argv: Sequence[str],
        *,
        on_line: Callable[[str], None] | None = None,
        stdout: Output = None,
        stderr: Output = None,
    ) -> int:
        """Run ``argv`` in the sandbox; return its exit status once every process in it is dead.

        With ``on_line``, stdout and stderr are read together, line by line (decoded
        with replacement, newline removed) and passed to it; otherwise they go to
        ``stdout``/``stderr`` (default: pyprov's own). stdin is ``/dev/null``. On any
        exception, ``KeyboardInterrupt`` included, the whole sandbox is killed before it
        propagates. Raises :class:`FileNotFoundError` when ``argv[0]`` cannot be found
        (on ``spec.env``'s ``PATH``, as inside) and :class:`UnsafePathError` for bad paths.
        """
        binds = _binds(spec)
        _check_executable(argv, spec, binds)
        env = {**spec.env, "TMPDIR": str(PRIVATE_TMP)}
        # bwrap writes the pid of its child here: needed only to kill the sandbox (_kill_sandbox).
        info_read, info_write = os.pipe()
        process: subprocess.Popen[bytes] | None = None
        try:
            try:
                command = self._command(spec, argv, binds, info_write)
                process = _start(command, env, None, on_line, stdout, stderr, pass_fds=(info_write,))
            finally:
                os.close(info_write)
            return _finish(process, on_line, lambda: _kill_sandbox(process, info_read))
        except BaseException:
            # Ctrl-C can land between the start and _finish (a busy machine): kill it then too.
            if process is not None and process.poll() is None:
                _kill_sandbox(process, info_read)
            raise
        finally:
            os.close(info_read)

    def start(self, spec: SandboxSpec, argv: Sequence[str], *, output: IO[bytes]) -> Started:
        """Start ``argv`` in the sandbox, its output to ``output``; :meth:`Started.wait` or ``kill`` it."""
        binds = _binds(spec)
        _check_executable(argv, spec, binds)
        env = {**spec.env, "TMPDIR": str(PRIVATE_TMP)}
        info_read, info_write = os.pipe()
        try:
            try:
                command = self._command(spec, argv, binds, info_write)
                process = _start(command, env, None, None, output, subprocess.STDOUT, pass_fds=(info_write,))
            finally:
                os.close(info_write)
        except BaseException:
            os.close(info_read)
            raise
        return Started(process, lambda: _kill_sandbox(process, info_read), lambda: os.close(info_read))


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsandboxed:
    """The fallback: a plain subprocess with the environment passed explicitly.

    Not a boundary: the command can read pyprov's memory and leave daemons behind. Only
    ``env``, ``cwd`` and the output of ``spec`` apply; its paths and ``network`` do not.
    The command gets its own session and process group, killed when it exits.
    """

    reason: str
    """Why there is no sandbox (from :class:`Probe`)."""

    def isolation(self, spec: SandboxSpec) -> Isolation:  # noqa: ARG002 - nothing of spec applies
        """The protection a run gets: none."""
        return Isolation(
            sandbox=None,
            pid_namespace=False,
            private_tmp=False,
            network="allowed",
            no_new_privileges=False,
            capabilities_dropped=False,
            reason=self.reason,
        )

    def run(
        self,
        spec: SandboxSpec,
        argv: Sequence[str],
        *,
        on_line: Callable[[str], None] | None = None,
        stdout: Output = None,
        stderr: Output = None,
    ) -> int:
        """Run ``argv`` as a plain subprocess, with the interface of :meth:`Bubblewrap.run`."""
        process = _start(list(argv), dict(spec.env), spec.cwd, on_line, stdout, stderr, pass_fds=())
        try:
            return _finish(process, on_line, lambda: _kill_group(process))
        finally:
            # Background processes left in its group go too (setsid daemons escape: no boundary).
            _kill_group(process)

    def start(self, spec: SandboxSpec, argv: Sequence[str], *, output: IO[bytes]) -> Started:
        """Start ``argv`` as a plain subprocess, with the interface of :meth:`Bubblewrap.start`."""
        process = _start(list(argv), dict(spec.env), spec.cwd, None, output, subprocess.STDOUT, pass_fds=())
        return Started(process, lambda: _kill_group(process), lambda: _kill_group(process))


@dataclass(frozen=True, slots=True, kw_only=True)
class HookCall:
    """One call of a PEP 517 hook by pyproject_hooks: ``[python, script, hook, control_dir]``."""

    argv: tuple[str, ...]
    hook: str
    """The hook's name, e.g. ``build_wheel``."""
    cwd: Path
    """The source tree (pyproject_hooks passes it)."""
    control_dir: Path
    """pyproject_hooks' temporary directory: ``input.json`` in, ``output.json`` out."""
    extra_environ: Mapping[str, str]


class HookRunner(Protocol):
    """pyproject_hooks' subprocess runner interface (also pypa/build's ``runner``)."""

    def __call__(
        self, cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None: ...


def hook_runner(
    runner: Runner, spec_for: Callable[[HookCall], SandboxSpec], *, on_line: Callable[[str], None]
) -> HookRunner:
    """A pyproject_hooks runner that runs each hook call with ``runner``.

    ``spec_for`` gives the policy of each call (environment, writable output directory,
    read-only build environment, network). Taken from the call and added to it: ``cwd``,
    pyproject_hooks' variables (over ``spec.env``), the control directory (writable) and
    the hook script when it lies in ``/tmp`` (read-only). Output goes to ``on_line``. A
    failing hook raises :class:`subprocess.CalledProcessError`, as pyproject_hooks expects.
    """

    def run(
        cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None
    ) -> None:
        # pyproject_hooks created the control directory an instant ago, before any build
        # code of this call ran: resolving it cannot follow a link planted by the backend.
        control = Path(cmd[-1]).resolve()
        call = HookCall(
            argv=tuple(cmd),
            hook=cmd[2] if len(cmd) > 3 else "",  # noqa: PLR2004 - [python, script, hook, control_dir]
            cwd=Path(cwd).absolute() if cwd else Path.cwd(),
            control_dir=control,
            extra_environ=dict(extra_environ or {}),
        )
        spec = spec_for(call)
        script = Path(cmd[1]).resolve() if len(cmd) > 1 else None
        extra = (script,) if script and script.is_file() and script.is_relative_to(PRIVATE_TMP) else ()
        spec = dataclasses.replace(
            spec,
            cwd=call.cwd,
            env={**spec.env, **call.extra_environ},
            writable=(*spec.writable, control),
            readonly=(*spec.readonly, *extra),
        )
        # The script by its resolved path: a symlinked directory under /tmp does not exist inside.
        argv = [cmd[0], str(script), *cmd[2:]] if script is not None and script.is_file() else list(cmd)
        status = runner.run(spec, argv, on_line=on_line)
        if status:
            raise subprocess.CalledProcessError(status, list(cmd))

    return run


# --- running ------------------------------------------------------------------------------------


def _start(
    command: list[str],
    env: dict[str, str],
    cwd: Path | None,
    on_line: Callable[[str], None] | None,
    stdout: Output,
    stderr: Output,
    *,
    pass_fds: tuple[int, ...],
) -> subprocess.Popen[bytes]:
    if on_line is not None:
        if stdout is not None or stderr is not None:
            raise ValueError("give either on_line or stdout/stderr, not both")
        stdout, stderr = subprocess.PIPE, subprocess.STDOUT
    # A session of its own: Ctrl-C in pyprov's terminal reaches pyprov only, which then
    # kills the sandbox in the one safe order (see _kill_sandbox); the terminal's SIGINT
    # killing bwrap first would leave its child to die asynchronously.
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
        pass_fds=pass_fds,
    )


def _finish(
    process: subprocess.Popen[bytes], on_line: Callable[[str], None] | None, kill: Callable[[], None]
) -> int:
    try:
        if on_line is not None and process.stdout is not None:
            with process.stdout:
                for raw in process.stdout:
                    on_line(raw.decode("utf-8", "replace").rstrip("\r\n"))
        status = process.wait()
    except BaseException:
        kill()
        raise
    # Killed by signal N: reported as a shell does (128 + N); bwrap already does so for its command.
    return status if status >= 0 else 128 - status


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _kill_sandbox(process: subprocess.Popen[bytes], info_read: int) -> None:
    """Kill the sandbox's init (the command), then wait for bwrap, which reaps it.

    The kernel reaps a PID namespace's init only after every other process in it is gone,
    and bwrap exits only after reaping it: once ``wait()`` returns, nothing is left.
    Killing bwrap first would not do: its child would die later, through PDEATHSIG, or
    never, if bwrap is killed between its clone() and the child's exec.
    """
    child = _sandbox_init(process, info_read)
    if child is not None:
        try:
            signal.pidfd_send_signal(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
        finally:
            os.close(child)
        try:
            process.wait(timeout=_KILL_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        else:
            return
    process.kill()
    process.wait()


def _sandbox_init(process: subprocess.Popen[bytes], info_read: int) -> int | None:
    """A pidfd for bwrap's child (the sandbox's init), or ``None`` if there is none (any more).

    bwrap writes ``{"child-pid": N, ...}`` to the info pipe right after clone() and then
    closes it; until bwrap has exited and been reaped (by us), its child cannot be reaped
    by anyone else, so checking after pidfd_open() that its parent is bwrap pins it.
    """
    data = b""
    while True:
        ready, _, _ = select.select([info_read], [], [], _KILL_TIMEOUT)
        chunk = os.read(info_read, 4096) if ready else b""
        if not chunk:
            break
        data += chunk
    try:
        pid = int(json.loads(data)["child-pid"])
        pidfd = os.pidfd_open(pid)
    except (ValueError, KeyError, TypeError, OSError):
        return None  # bwrap failed before clone(), or its child is already gone
    if _parent(pid) != process.pid:
        os.close(pidfd)
        return None
    return pidfd


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may contain spaces and parentheses.
    fields = stat.rpartition(")")[2].split()
    return int(fields[1]) if len(fields) > 1 else None


# --- paths --------------------------------------------------------------------------------------

_Bind = tuple[Path, bool]


def _binds(spec: SandboxSpec) -> list[_Bind]:
    """The binds of ``spec``, parents before children; at the same path read-only wins."""
    binds = [(_checked(path, "writable"), True) for path in spec.writable]
    binds += [(_checked(path, "readonly"), False) for path in spec.readonly]
    binds.sort(key=lambda bind: (len(bind[0].parts), not bind[1], bind[0]))
    return binds


def _checked(path: Path, what: str) -> Path:
    if not path.is_absolute():
        raise UnsafePathError(f"the {what} path {path} is not absolute")
    resolved = Path(os.path.realpath(path))
    if resolved != Path(os.path.normpath(path)):
        raise UnsafePathError(f"the {what} path {path} leads through a symlink to {resolved}")
    if not resolved.exists():
        raise UnsafePathError(f"the {what} path {path} does not exist")
    return resolved


def _hidden(paths: Sequence[Path], binds: Sequence[_Bind]) -> list[Path]:
    """What to hide: each path resolved (a link to a secret hides the secret), if it exists inside."""
    resolved = (Path(os.path.realpath(path)) for path in paths)
    return [path for path in resolved if path.exists() and _visible(path, binds)]


def _visible(path: Path, binds: Sequence[_Bind]) -> bool:
    """Whether ``path`` exists inside: outside ``/tmp``, or under a bound path."""
    return not path.is_relative_to(PRIVATE_TMP) or any(path.is_relative_to(bound) for bound, _ in binds)


def _check_executable(argv: Sequence[str], spec: SandboxSpec, binds: Sequence[_Bind]) -> None:
    """Raise FileNotFoundError as subprocess would, rather than let bwrap exit 1 with a message."""
    if not argv:
        raise ValueError("no command to run")
    name = argv[0]
    if os.sep in name:
        found: str | None = str(spec.cwd / name) if os.access(spec.cwd / name, os.X_OK) else None
    else:
        found = shutil.which(name, path=os.pathsep.join(os.get_exec_path(dict(spec.env))))
    if found is None:
        raise FileNotFoundError(2, "No such file or directory", name)
    if not _visible(Path(found).absolute(), binds):
        raise FileNotFoundError(2, "not visible in the sandbox: it is under /tmp and not bound", found)
