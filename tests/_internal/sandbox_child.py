"""What the sandbox tests run in the sandbox, and as the parent starting it.

``python sandbox_child.py ACTION ...``: each action prints one JSON document on stdout.
"""
# ruff: noqa: T201, PTH123, PTH208 - a script: its output is its result; /proc is read with os calls

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_MEM_BUDGET = 64 << 20


def _readable_regions(pid: int) -> list[tuple[int, int]]:
    regions = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        start, end = (int(part, 16) for part in fields[0].split("-"))
        name = fields[5] if len(fields) > 5 else ""
        if fields[1].startswith("r") and name in ("", "[heap]", "[stack]"):
            regions.append((start, end))
    return regions


def _memory_contains(pid: int, secret: bytes) -> bool:
    budget = _MEM_BUDGET
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for start, end in _readable_regions(pid):
            size = min(end - start, budget)
            if size <= 0:
                break
            budget -= size
            try:
                mem.seek(start)
                if secret in mem.read(size):
                    return True
            except OSError:
                continue
    return False


def _ancestors(limit: int = 2) -> list[int]:
    """The nearest ancestors only: the test's processes, never whatever runs the tests."""
    pids, pid = [], os.getpid()
    while pid > 1 and len(pids) < limit:
        stat = Path(f"/proc/{pid}/stat").read_text()
        pid = int(stat.rpartition(")")[2].split()[1])
        if pid:
            pids.append(pid)
    return pids


def hunt(secret: str) -> dict[str, object]:
    """Look for ``secret`` in the environ, cmdline and memory of the nearest ancestors; list the visible."""
    needle = secret.encode()
    ancestors = _ancestors()
    found: list[dict[str, object]] = []
    for pid in ancestors:
        for what in ("environ", "cmdline"):
            try:
                if needle in Path(f"/proc/{pid}/{what}").read_bytes():
                    found.append({"pid": pid, "in": what})
            except OSError:
                continue
        try:
            if _memory_contains(pid, needle):
                found.append({"pid": pid, "in": "mem"})
        except OSError:
            continue
    visible = sorted(int(name) for name in os.listdir("/proc") if name.isdigit())
    return {"pid": os.getpid(), "ancestors": ancestors, "visible": visible, "found": found}


def _attempt(action: str, path: str) -> str:
    try:
        if action == "write":
            Path(path).write_text("written by build code\n")
        elif action == "read":
            return "read: " + Path(path).read_text()[:40]
        elif action == "list":
            return "list: " + ",".join(sorted(os.listdir(path)))
    except OSError as error:
        return f"{type(error).__name__}: {error.strerror}"
    return "ok"


def status() -> dict[str, object]:
    lines = Path("/proc/self/status").read_text().splitlines()
    fields = dict(line.split(":\t", 1) for line in lines if ":\t" in line)
    return {name: fields[name].strip() for name in ("NoNewPrivs", "CapEff", "CapPrm", "CapAmb")}


def connect(port: int) -> str:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            return sock.recv(16).decode()
    except OSError as error:
        return f"{type(error).__name__}"


def daemon(marker: str, seconds: float) -> dict[str, object]:
    """Leave a double-forked, setsid daemon behind that appends to ``marker``; exit at once."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            end = time.monotonic() + seconds
            with open(marker, "a", buffering=1) as file:
                while time.monotonic() < end:  # as fast as it can: any write after the run is seen
                    file.write(f"{os.getpid()}\n")
            os._exit(0)
        os._exit(0)
    os.wait()
    # Wait for the daemon's first line: it is really running when we exit.
    while not Path(marker).exists() or not Path(marker).read_text():
        time.sleep(0.001)
    return {"daemon": "started"}


def processes_with(token: str) -> list[int]:
    """Pids of the processes whose command line contains ``token`` (outside or inside)."""
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != os.getpid():
            try:
                cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
            except OSError:
                continue
            if token.encode() in cmdline:
                pids.append(int(name))
    return pids


def parent(mode: str, child: list[str]) -> None:
    """Start ``child`` in the sandbox (or not); the test gives this process secrets in env and argv."""
    # Ctrl-C as a terminal delivers it, whatever this process inherited: a job started in the
    # background by a non-interactive shell (a CI runner) starts with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path.insert(0, str(ROOT / "src"))
    from pyprov._internal import sandbox

    runner: sandbox.Runner = (
        sandbox.select_runner(allow_unsandboxed=False)
        if mode == "sandbox"
        else sandbox.Unsandboxed(reason="test")
    )
    writable = os.environ.get("SANDBOX_WRITABLE")
    spec = sandbox.SandboxSpec(
        cwd=Path("/"),
        env={"PATH": os.environ["PATH"], "NOTHING_SECRET": "here"},
        writable=(Path(writable).resolve(),) if writable else (),
        # A clone of the repository under /tmp holds the interpreter and this script: visible, read-only.
        readonly=(ROOT,) if ROOT.is_relative_to(sandbox.PRIVATE_TMP) else (),
    )
    lines: list[str] = []
    try:
        code = runner.run(spec, [sys.executable, __file__, *child], on_line=lines.append)
    except KeyboardInterrupt:
        token = child[-1]
        print(json.dumps({"interrupted": True, "left": processes_with(token)}), flush=True)
        return
    print("\n".join(lines))
    sys.exit(code)


def main() -> None:
    action, *args = sys.argv[1:]
    if action == "hunt":
        result: object = hunt(args[0])
    elif action in ("write", "read", "list"):
        result = {path: _attempt(action, path) for path in args}
    elif action == "status":
        result = status()
    elif action == "connect":
        result = connect(int(args[0]))
    elif action == "daemon":  # daemon MARKER SECONDS [TOKEN]
        result = daemon(args[0], float(args[1]))
    elif action == "linger":  # linger MARKER SECONDS [TOKEN]: a daemon, and this process sleeps too
        print(json.dumps(daemon(args[0], float(args[1]))), flush=True)
        time.sleep(float(args[1]))
        result = {"slept": True}
    elif action == "sleep":  # sleep SECONDS [TOKEN]: print a line first
        print(json.dumps({"sleeping": os.getpid()}), flush=True)
        time.sleep(float(args[0]))
        result = {"slept": True}
    elif action == "parent":
        mode, _secret, *child = args
        parent(mode, child)
        return
    elif action == "exit":
        sys.exit(int(args[0]))
    elif action == "crash":
        import ctypes

        ctypes.string_at(0)  # SIGSEGV
        result = None
    else:
        raise SystemExit(f"unknown action {action}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
