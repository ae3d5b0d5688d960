"""The bubblewrap sandbox: real bwrap, real processes, real attacks from inside."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyproject_hooks import BuildBackendHookCaller

from pyprov._internal import sandbox

# A clone of the repository under /tmp (CI's, say) holds the interpreter and the scripts these
# tests run inside sandboxes, and the sandbox's /tmp is private: bind it read-only then.
REPO = Path(__file__).resolve().parents[2]
VISIBLE = (REPO,) if REPO.is_relative_to(sandbox.PRIVATE_TMP) else ()


def SandboxSpec(**fields: Any) -> sandbox.SandboxSpec:  # noqa: N802 - stands for the class in these tests
    """``sandbox.SandboxSpec`` with the repository visible (read-only) when it lies under /tmp."""
    return sandbox.SandboxSpec(**{**fields, "readonly": (*VISIBLE, *fields.get("readonly", ()))})


CHILD = Path(__file__).with_name("sandbox_child.py")
ROOT = Path(__file__).resolve().parents[2]
PROBE = sandbox.probe()
needs_bwrap = pytest.mark.skipif(not PROBE.available, reason=f"no sandbox here: {PROBE.reason}")
ENV = {"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8"}


@pytest.fixture
def bwrap() -> sandbox.Bubblewrap:
    if not PROBE.available:
        pytest.skip(f"no sandbox here: {PROBE.reason}")
    runner = sandbox.select_runner(allow_unsandboxed=False)
    assert isinstance(runner, sandbox.Bubblewrap)
    return runner


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A writable directory, resolved (tmp_path lives under /tmp: bound back into the private /tmp)."""
    path = (tmp_path / "work").resolve()
    path.mkdir()
    return path


def run_child(
    runner: sandbox.Runner, spec: sandbox.SandboxSpec, *args: str
) -> tuple[int, list[str], object | None]:
    lines: list[str] = []
    code = runner.run(spec, [sys.executable, str(CHILD), *args], on_line=lines.append)
    result = json.loads(lines[-1]) if lines and lines[-1].startswith(("{", "[", '"')) else None
    return code, lines, result


def processes_with(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


# --- what build code can see of pyprov -----------------------------------------------------------


def hunt_from_a_parent_holding(secret: str, mode: str) -> dict[str, object]:
    """A parent with ``secret`` in its environment and argv runs a child that hunts for it in /proc."""
    done = subprocess.run(
        [sys.executable, str(CHILD), "parent", mode, secret, "hunt", secret],
        env={**os.environ, "SIGSTORE_ID_TOKEN": secret},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


@needs_bwrap
def test_build_code_sees_no_ancestor_environ_cmdline_or_memory() -> None:
    secret = "eyJsecret-" + secrets.token_hex(16)
    found = hunt_from_a_parent_holding(secret, "sandbox")
    assert found["found"] == []
    assert found["ancestors"] == []
    # A fresh /proc: the command is the namespace's pid 1 and the only process.
    assert found["pid"] == 1
    assert found["visible"] == [1]


def test_unsandboxed_the_same_hunt_finds_the_parent_by_environ_cmdline_and_memory() -> None:
    """The control: the hunt works, and plain subprocesses are no boundary."""
    secret = "eyJsecret-" + secrets.token_hex(16)
    found = hunt_from_a_parent_holding(secret, "unsandboxed")
    ancestors = found["ancestors"]
    assert isinstance(ancestors, list)
    parent = ancestors[0]
    assert {"pid": parent, "in": "environ"} in found["found"]  # type: ignore[operator]
    assert {"pid": parent, "in": "cmdline"} in found["found"]  # type: ignore[operator]
    assert {"pid": parent, "in": "mem"} in found["found"]  # type: ignore[operator]


# --- the file system -------------------------------------------------------------------------------


def test_only_the_writable_directories_are_writable(bwrap: sandbox.Bubblewrap, work: Path) -> None:
    (work / "dist").mkdir()
    (work / "dist" / "stage").mkdir()
    home_file = Path.home() / f"pyprov-sandbox-{secrets.token_hex(4)}"
    targets = {
        "writable": work / "ok.txt",
        "readonly re-bind inside it": work / "dist" / "nope.txt",
        "writable inside that": work / "dist" / "stage" / "ok.txt",
        "private /tmp": sandbox.PRIVATE_TMP / "ok.txt",
        "home": home_file,
        "interpreter prefix": Path(sys.prefix) / "nope.txt",
        "source checkout": ROOT / "nope.txt",
    }
    spec = SandboxSpec(
        cwd=work,
        env=ENV,
        writable=(work, work / "dist" / "stage"),
        readonly=(work / "dist",),
    )
    code, _, result = run_child(bwrap, spec, "write", *map(str, targets.values()))
    assert code == 0
    assert isinstance(result, dict)
    outcome = {name: result[str(path)] for name, path in targets.items()}
    assert outcome == {
        "writable": "ok",
        "readonly re-bind inside it": "OSError: Read-only file system",
        "writable inside that": "ok",
        "private /tmp": "ok",
        "home": "OSError: Read-only file system",
        "interpreter prefix": "OSError: Read-only file system",
        "source checkout": "OSError: Read-only file system",
    }
    assert (work / "ok.txt").exists()
    assert (work / "dist" / "stage" / "ok.txt").exists()
    assert not home_file.exists()
    assert not (work / "dist" / "nope.txt").exists()


def test_tmp_is_private(bwrap: sandbox.Bubblewrap, work: Path, tmp_path: Path) -> None:
    tmp = sandbox.PRIVATE_TMP
    if not tmp_path.resolve().is_relative_to(tmp):
        pytest.skip("the test directory is not under /tmp")
    host_file = tmp_path / "host-secret.txt"
    host_file.write_text("secret")
    inside = tmp / f"from-inside-{secrets.token_hex(4)}"
    spec = SandboxSpec(cwd=work, env=ENV, writable=(work,))
    code, _, listed = run_child(bwrap, spec, "list", str(tmp))
    assert code == 0
    visible = {work.relative_to(tmp).parts[0], *(path.relative_to(tmp).parts[0] for path in VISIBLE)}
    assert listed == {str(tmp): "list: " + ",".join(sorted(visible))}
    _, _, read = run_child(bwrap, spec, "read", str(host_file))
    assert read == {str(host_file): "FileNotFoundError: No such file or directory"}
    run_child(bwrap, spec, "write", str(inside))
    assert not inside.exists()


def test_hidden_paths_are_unreadable(bwrap: sandbox.Bubblewrap, work: Path) -> None:
    token_file = work / "identity-token"
    token_file.write_text("eyJsecret")
    secret_dir = work / "dot-config-gh"
    secret_dir.mkdir()
    (secret_dir / "hosts.yml").write_text("oauth_token: gho_secret")
    link = work / "link-to-token"
    link.symlink_to(token_file)
    spec = SandboxSpec(
        cwd=work,
        env=ENV,
        writable=(work,),
        hidden=(link, secret_dir, work / "does-not-exist"),
    )
    _, _, result = run_child(bwrap, spec, "read", str(token_file), str(link), str(secret_dir / "hosts.yml"))
    assert result == {
        str(token_file): "PermissionError: Permission denied",
        str(link): "PermissionError: Permission denied",
        str(secret_dir / "hosts.yml"): "FileNotFoundError: No such file or directory",
    }
    _, _, listed = run_child(bwrap, spec, "list", str(secret_dir))
    assert listed == {str(secret_dir): "list: "}
    _, _, written = run_child(bwrap, spec, "write", str(secret_dir / "planted"), str(token_file))
    assert written == {
        str(secret_dir / "planted"): "OSError: Read-only file system",
        str(token_file): "PermissionError: Permission denied",
    }
    assert token_file.read_text() == "eyJsecret"


def test_a_unix_socket_is_reachable_through_read_only_binds_unless_hidden(
    bwrap: sandbox.Bubblewrap, work: Path
) -> None:
    """Like docker.sock or an ssh-agent: read-only mounts and network=False do not stop connect()."""
    path = work / "agent.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen()
    server.settimeout(10)

    def serve() -> None:
        with contextlib.suppress(OSError):
            connection, _ = server.accept()
            with connection:
                connection.sendall(b"agent")

    threading.Thread(target=serve, daemon=True).start()
    script = (
        "import socket, sys\nclient = socket.socket(socket.AF_UNIX)\n"
        "try:\n    client.connect(sys.argv[1]); print(client.recv(16).decode())\n"
        "except OSError as error:\n    print(type(error).__name__)"
    )
    try:
        for hidden, expected in (((), "agent"), ((path,), "ConnectionRefusedError")):
            lines: list[str] = []
            spec = SandboxSpec(cwd=Path("/"), env=ENV, readonly=(work,), hidden=hidden, network=False)
            bwrap.run(spec, [sys.executable, "-c", script, str(path)], on_line=lines.append)
            assert lines == [expected]
    finally:
        server.close()


def test_a_symlink_planted_in_a_writable_tree_is_refused(bwrap: sandbox.Bubblewrap, work: Path) -> None:
    elsewhere = work.parent / "elsewhere"
    elsewhere.mkdir()
    (work / "dist").symlink_to(elsewhere)
    for spec in (
        SandboxSpec(cwd=work, env=ENV, writable=(work, work / "dist")),
        SandboxSpec(cwd=work, env=ENV, writable=(work,), readonly=(work / "dist",)),
    ):
        with pytest.raises(sandbox.UnsafePathError, match="leads through a symlink"):
            bwrap.run(spec, ["true"])


def test_paths_must_exist_and_be_visible(bwrap: sandbox.Bubblewrap, work: Path) -> None:
    with pytest.raises(sandbox.UnsafePathError, match="does not exist"):
        bwrap.run(SandboxSpec(cwd=work, env=ENV, writable=(work / "missing",)), ["true"])
    with pytest.raises(sandbox.UnsafePathError, match=r"working directory .* is under /tmp and not bound"):
        bwrap.run(SandboxSpec(cwd=work, env=ENV), ["true"])
    with pytest.raises(FileNotFoundError, match="no-such-command"):
        bwrap.run(SandboxSpec(cwd=Path("/"), env=ENV), ["no-such-command"])


# --- privileges and network -----------------------------------------------------------------------


def test_no_new_privileges_and_no_capabilities(bwrap: sandbox.Bubblewrap) -> None:
    _, _, result = run_child(bwrap, SandboxSpec(cwd=Path("/"), env=ENV), "status")
    assert result == {
        "NoNewPrivs": "1",
        "CapEff": "0000000000000000",
        "CapPrm": "0000000000000000",
        "CapAmb": "0000000000000000",
    }


@pytest.fixture
def loopback_server() -> Iterator[int]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(10)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.sendall(b"hello")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    server.close()


def test_network_false_cannot_reach_the_host(bwrap: sandbox.Bubblewrap, loopback_server: int) -> None:
    allowed = SandboxSpec(cwd=Path("/"), env=ENV, network=True)
    assert run_child(bwrap, allowed, "connect", str(loopback_server))[2] == "hello"
    hermetic = SandboxSpec(cwd=Path("/"), env=ENV, network=False)
    assert run_child(bwrap, hermetic, "connect", str(loopback_server))[2] == "ConnectionRefusedError"
    assert bwrap.isolation(hermetic).network == "none"


# --- processes ------------------------------------------------------------------------------------


def test_a_daemon_is_dead_when_the_runner_returns(bwrap: sandbox.Bubblewrap, work: Path) -> None:
    token = f"pyprov-daemon-{secrets.token_hex(6)}"
    marker = work / token
    spec = SandboxSpec(cwd=work, env=ENV, writable=(work,))
    for _ in range(10):  # without --as-pid-1 a daemon outlived bwrap in about one run in ten
        code, _, result = run_child(bwrap, spec, "daemon", str(marker), "30", token)
        size = marker.stat().st_size
        assert (code, result) == (0, {"daemon": "started"})
        time.sleep(0.02)
        assert marker.stat().st_size == size
        assert processes_with(token) == []


def test_an_exception_in_the_line_callback_kills_the_sandbox(bwrap: sandbox.Bubblewrap) -> None:
    token = f"pyprov-sleeper-{secrets.token_hex(6)}"

    def interrupt(_line: str) -> None:
        raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        bwrap.run(
            SandboxSpec(cwd=Path("/"), env=ENV),
            [sys.executable, str(CHILD), "sleep", "30", token],
            on_line=interrupt,
        )
    assert processes_with(token) == []
    assert time.monotonic() - started < 10


def test_a_started_sandbox_writes_its_output_and_is_waited_for(
    bwrap: sandbox.Bubblewrap, tmp_path: Path
) -> None:
    log = tmp_path / "log"
    with log.open("wb") as output:
        started = bwrap.start(
            SandboxSpec(cwd=Path("/"), env=ENV),
            ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"],
            output=output,
        )
    assert started.wait() == 3
    assert sorted(log.read_text().split()) == ["err", "out"]
    started.kill()  # after wait: nothing left to kill


def test_killing_a_started_sandbox_kills_its_daemons(bwrap: sandbox.Bubblewrap, work: Path) -> None:
    token = f"pyprov-started-{secrets.token_hex(6)}"
    marker = work / token
    spec = SandboxSpec(cwd=work, env=ENV, writable=(work,))
    with (work / "log").open("wb") as output:
        started = bwrap.start(
            spec, [sys.executable, str(CHILD), "daemon", str(marker), "30", token], output=output
        )
    deadline = time.monotonic() + 10
    while not processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert processes_with(token)
    started.kill()
    assert processes_with(token) == []


@needs_bwrap
def test_ctrl_c_kills_the_sandbox_and_its_daemons(tmp_path: Path) -> None:
    """SIGINT to pyprov (as the terminal sends it): every process of the sandbox is dead on return."""
    token = f"pyprov-interrupted-{secrets.token_hex(6)}"
    marker = tmp_path / "marker"
    parent = subprocess.Popen(
        [sys.executable, str(CHILD), "parent", "sandbox", "-", "linger", str(marker), "30", token],
        env={**os.environ, "SANDBOX_WRITABLE": str(tmp_path)},
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not (marker.exists() and marker.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), "the daemon never started"
    parent.send_signal(signal.SIGINT)
    out, _ = parent.communicate(timeout=20)
    assert json.loads(out) == {"interrupted": True, "left": []}
    size = marker.stat().st_size
    time.sleep(0.02)
    assert marker.stat().st_size == size


def test_exit_status_and_output(bwrap: sandbox.Bubblewrap, tmp_path: Path) -> None:
    spec = SandboxSpec(cwd=Path("/"), env=ENV)
    assert run_child(bwrap, spec, "exit", "3")[0] == 3
    assert run_child(bwrap, spec, "crash")[0] == 128 + signal.SIGSEGV
    lines: list[str] = []
    script = (
        "import sys; sys.stdout.write('one\\n'); sys.stdout.flush(); sys.stderr.buffer.write(b'two \\xff\\n')"
    )
    assert bwrap.run(spec, [sys.executable, "-c", script], on_line=lines.append) == 0
    assert lines == ["one", "two \N{REPLACEMENT CHARACTER}"]
    out, err = tmp_path / "out", tmp_path / "err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        code = bwrap.run(
            spec, ["sh", "-c", "echo out; echo err >&2; cat; echo $TMPDIR"], stdout=stdout, stderr=stderr
        )
    assert code == 0
    assert out.read_text() == "out\n/tmp\n"  # stdin is /dev/null; TMPDIR is the private /tmp
    assert err.read_text() == "err\n"
    with pytest.raises(ValueError, match="either on_line or stdout/stderr"):
        bwrap.run(spec, ["true"], on_line=lines.append, stdout=subprocess.DEVNULL)


def test_the_environment_is_exactly_the_given_one(bwrap: sandbox.Bubblewrap) -> None:
    lines: list[str] = []
    bwrap.run(SandboxSpec(cwd=Path("/"), env={"ONLY": "this"}), ["/usr/bin/env"], on_line=lines.append)
    assert sorted(lines) == ["ONLY=this", "PWD=/", "TMPDIR=/tmp"]  # bwrap sets PWD


# --- the probe, the choice of runner and the fallback ---------------------------------------------


def test_probe_starts_a_sandbox_and_reports_the_version() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("Linux only")
    if not PROBE.available:
        pytest.skip(f"no sandbox here: {PROBE.reason}")
    assert PROBE.version
    assert PROBE.sandbox == f"bubblewrap {PROBE.version}"
    assert sandbox.probe() is PROBE  # cached


def test_probe_without_bwrap_says_it_is_not_installed(tmp_path: Path) -> None:
    found = sandbox.probe(path=str(tmp_path))
    assert not found.available
    assert found.reason == "bubblewrap (bwrap) is not installed"
    with pytest.raises(sandbox.SandboxUnavailableError, match="not installed") as raised:
        sandbox.select_runner(allow_unsandboxed=False, checked=found)
    assert raised.value.hint is not None
    assert "apt-get install bubblewrap" in raised.value.hint


def test_probe_reports_a_refusing_bwrap_in_one_line(tmp_path: Path) -> None:
    """What GitHub's ubuntu-24.04 runners do: bwrap exists but cannot create namespaces."""
    fake = tmp_path / "bwrap"
    fake.write_text(
        "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\necho more >&2\nexit 1\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    found = sandbox.probe(path=str(tmp_path))
    assert (
        found.reason
        == "bubblewrap cannot create a sandbox here: bwrap: setting up uid map: Permission denied"
    )
    runner = sandbox.select_runner(allow_unsandboxed=True, checked=found)
    assert isinstance(runner, sandbox.Unsandboxed)
    assert runner.isolation(SandboxSpec(cwd=tmp_path, env={})).to_dict() == {
        "sandbox": None,
        "pidNamespace": False,
        "privateTmp": False,
        "network": "allowed",
        "noNewPrivileges": False,
        "capabilitiesDropped": False,
        "reason": found.reason,
    }


@needs_bwrap
@pytest.mark.parametrize("uid", ["0", "1000"])
def test_probe_where_namespaces_are_refused(uid: str) -> None:
    """A real refusal: the probe runs inside a sandbox that may create no user namespace."""
    script = (
        f"import json, sys; sys.path.insert(0, {str(ROOT / 'src')!r});"
        "from pyprov._internal import sandbox;"
        "found = sandbox.probe(); print(json.dumps([found.reason, found.hint]))"
    )
    outer = [PROBE.executable or "bwrap", "--unshare-user", "--uid", uid, "--disable-userns"]
    outer += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", str(sandbox.PRIVATE_TMP)]
    for path in VISIBLE:
        outer += ["--ro-bind", str(path), str(path)]
    done = subprocess.run(
        [*outer, "--", sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot nest sandboxes here: {done.stderr.strip()}")
    reason, hint = json.loads(done.stdout)
    assert reason.startswith("bubblewrap cannot create a sandbox here: bwrap: ")
    assert "\n" not in reason
    assert "user namespaces" in hint


def test_isolation_of_a_sandboxed_run(bwrap: sandbox.Bubblewrap) -> None:
    assert bwrap.isolation(SandboxSpec(cwd=Path("/"), env={})).to_dict() == {
        "sandbox": f"bubblewrap {bwrap.version}",
        "pidNamespace": True,
        "privateTmp": True,
        "network": "allowed",
        "noNewPrivileges": True,
        "capabilitiesDropped": True,
        "reason": None,
    }


def test_unsandboxed_has_the_same_interface(tmp_path: Path) -> None:
    runner = sandbox.Unsandboxed(reason="test")
    spec = SandboxSpec(cwd=tmp_path, env={"ONLY": "this"})
    lines: list[str] = []
    assert runner.run(spec, ["/usr/bin/env"], on_line=lines.append) == 0
    assert lines == ["ONLY=this"]
    assert runner.run(spec, ["/bin/sh", "-c", "pwd; exit 4"], on_line=lines.append) == 4
    assert lines[-1] == str(tmp_path)
    assert runner.run(spec, ["/bin/sh", "-c", "kill -TERM $$"]) == 128 + signal.SIGTERM
    with pytest.raises(FileNotFoundError):
        runner.run(spec, ["no-such-command"])
    with (tmp_path / "log").open("wb") as output:
        started = runner.start(spec, ["/bin/sh", "-c", "echo $ONLY; exit 5"], output=output)
    assert started.wait() == 5
    assert (tmp_path / "log").read_text() == "this\n"


# --- pyproject_hooks ------------------------------------------------------------------------------

BACKEND = """
import os, tarfile

def get_requires_for_build_sdist(config_settings=None):
    return ["from-the-sandbox", os.environ["_PYPROJECT_HOOKS_BUILD_BACKEND"], os.environ.get("HOME", "")]

def build_sdist(sdist_directory, config_settings=None):
    if (config_settings or {}).get("fail"):
        raise SystemExit(7)
    name = "demo-1.0.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz"):
        pass
    open("written-in-the-source-tree", "w").close()
    return name
"""


@pytest.mark.parametrize("kind", ["sandbox", "unsandboxed"])
def test_hook_runner_runs_pyproject_hooks(kind: str, work: Path) -> None:
    if kind == "sandbox" and not PROBE.available:
        pytest.skip(f"no sandbox here: {PROBE.reason}")
    runner = (
        sandbox.select_runner(allow_unsandboxed=True)
        if kind == "sandbox"
        else sandbox.Unsandboxed(reason="t")
    )
    source, out = work / "source", work / "out"
    source.mkdir()
    out.mkdir()
    (source / "backend.py").write_text(BACKEND)
    calls: list[sandbox.HookCall] = []

    def spec_for(call: sandbox.HookCall) -> sandbox.SandboxSpec:
        calls.append(call)
        return SandboxSpec(cwd=Path("/"), env={"PATH": ENV["PATH"]}, readonly=(source,), writable=(out,))

    lines: list[str] = []
    hooks = BuildBackendHookCaller(
        str(source),
        "backend",
        backend_path=["."],
        python_executable=sys.executable,
        runner=sandbox.hook_runner(runner, spec_for, on_line=lines.append),
    )
    assert hooks.get_requires_for_build_sdist() == ["from-the-sandbox", "backend", ""]
    assert calls[0].hook == "get_requires_for_build_sdist"
    assert calls[0].cwd == source
    if kind == "sandbox":
        # The source tree is read-only here: the backend's write fails and the hook with it.
        with pytest.raises(subprocess.CalledProcessError):
            hooks.build_sdist(str(out))
        assert any("Read-only file system" in line for line in lines)
        assert (out / "demo-1.0.tar.gz").exists()
    else:
        assert hooks.build_sdist(str(out)) == "demo-1.0.tar.gz"
    with pytest.raises(subprocess.CalledProcessError) as failed:
        hooks.build_sdist(str(out), {"fail": "1"})
    assert failed.value.returncode == 7


@needs_bwrap
def test_pypa_build_builds_a_real_project_in_the_sandbox(tmp_path: Path) -> None:
    """pypa/build with the sandboxed runner, without isolation: hatchling from pyprov's environment."""
    import shutil

    import build

    source = (tmp_path / "project").resolve()
    shutil.copytree(ROOT / "fixtures" / "hatchling-pure", source)
    out = source / "dist"
    out.mkdir()
    runner = sandbox.select_runner(allow_unsandboxed=False)
    lines: list[str] = []
    hook_runner = sandbox.hook_runner(
        runner,
        lambda call: SandboxSpec(cwd=call.cwd, env=ENV, writable=(source,), network=False),
        on_line=lines.append,
    )
    builder = build.ProjectBuilder(source, python_executable=sys.executable, runner=hook_runner)
    wheel = Path(builder.build("wheel", out))
    sdist = Path(builder.build("sdist", out))
    assert wheel.parent == out
    assert wheel.name.endswith(".whl")
    assert sdist.name.endswith(".tar.gz")
