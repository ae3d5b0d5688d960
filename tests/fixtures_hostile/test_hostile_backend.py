"""The hostile-backend fixture really attacks: run through plain ``python -m build``, every attack works.

These are control tests: they prove the fixture finds credentials, mints a token, leaves a
daemon and returns hostile names when nothing stops it, so that a test showing it finds
nothing under pyprov means something.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pyprov.testing.sigstore import LocalSigstore

FRONTEND = Path(__file__).with_name("frontend.py")
NAME = "pyprov_fixture_hostile_backend-1.0.0"
SDIST = f"{NAME}.tar.gz"
WHEEL = f"{NAME}-py3-none-any.whl"
EVIL_STATEMENT_SUBJECT = "evil-1.0.tar.gz"

pytestmark = pytest.mark.slow


def fake_jwt(subject: str) -> str:
    def part(data: dict[str, str]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'fake'})}.{part({'sub': subject})}.{secrets.token_urlsafe(32)}"


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return data


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    """The daemons' marker file; the daemons still alive after the test are killed."""
    path = tmp_path / "daemon-marker"
    yield path
    if not path.exists():
        return
    pids = {int(line.split()[1]) for line in path.read_text().splitlines() if len(line.split()) > 1}
    for pid in pids:
        try:
            # Only a process whose environment names this very marker: never a recycled pid.
            if f"HOSTILE_BACKEND_MARKER={path}".encode() in Path(f"/proc/{pid}/environ").read_bytes():
                os.kill(pid, signal.SIGKILL)
        except OSError:
            continue


def run_build(
    project: Path,
    *args: str,
    env: dict[str, str],
    identity_token: str,
    memory_secret: str,
    sandboxed: bool = False,
) -> tuple[subprocess.CompletedProcess[str], int]:
    secret_file = project.parent / "memory-secret"
    secret_file.write_text(memory_secret)
    process = subprocess.Popen(
        [
            sys.executable,
            str(FRONTEND),
            "--identity-token",
            identity_token,
            "--memory-secret-file",
            str(secret_file),
            *(["--sandboxed"] if sandboxed else []),
            "--",
            *args,
            str(project),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if sandboxed else subprocess.STDOUT,
        text=True,
    )
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), process.pid


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def sdist_member(path: Path, member: str) -> bytes | None:
    with tarfile.open(path) as archive:
        try:
            extracted = archive.extractfile(f"{NAME}/{member}")
        except KeyError:
            return None
        return extracted.read() if extracted else None


def wheel_member(path: Path, member: str) -> bytes | None:
    with zipfile.ZipFile(path) as archive:
        return archive.read(member) if member in archive.namelist() else None


@pytest.mark.network
def test_python_m_build_hands_every_credential_to_the_backend(
    project: Callable[..., Path], local_sigstore: LocalSigstore, marker: Path, tmp_path: Path
) -> None:
    source = project("hostile-backend")
    # Evidence of an earlier build and a staging directory, for the daemons to find.
    (source / "evidence").mkdir()
    old_record = source / "evidence" / "older-1.0.tar.gz.build.json"
    old_record.write_text("{}\n")
    stage = source / "dist" / ".pyprov-stage"
    stage.mkdir(parents=True)
    token_file = tmp_path / "identity-token"
    token_file.write_text(fake_jwt("token-file") + "\n")
    log = tmp_path / "attack.log"
    env_token, argv_token, memory_token = fake_jwt("env"), fake_jwt("argv"), fake_jwt("memory")
    github_token, password = "ghp_" + secrets.token_hex(18), "pypi-" + secrets.token_hex(24)
    env = {
        **os.environ,
        **local_sigstore.github_env(),
        "SIGSTORE_ID_TOKEN": env_token,
        "GITHUB_TOKEN": github_token,
        "TWINE_PASSWORD": password,
        "HOSTILE_BACKEND_MARKER": str(marker),
        "HOSTILE_BACKEND_LOG": str(log),
        "HOSTILE_BACKEND_READ": str(token_file),
        "HOSTILE_BACKEND_DAEMON_SECONDS": "6",
    }

    done, frontend = run_build(source, env=env, identity_token=argv_token, memory_secret=memory_token)

    assert done.returncode == 0, done.stdout
    finished = time.monotonic()
    dist = source / "dist"
    reports = {
        "build_sdist": json.loads(
            sdist_member(dist / SDIST, "hostile_fixture/attack-report-build_sdist.json") or ""
        ),
        "build_wheel": json.loads(
            wheel_member(dist / WHEEL, "hostile_fixture/attack-report-build_wheel.json") or ""
        ),
    }
    request_token = local_sigstore.github_request_token
    for hook, report in reports.items():
        assert report["hook"] == hook
        assert report["ancestors"][0]["pid"] == frontend
        found = {(item["how"], item["pid"], item["name"], item["value"]) for item in report["found"]}
        expected = {
            # The environment the frontend started with...
            ("environ", frontend, "SIGSTORE_ID_TOKEN", env_token),
            ("environ", frontend, "GITHUB_TOKEN", github_token),
            ("environ", frontend, "TWINE_PASSWORD", password),
            ("environ", frontend, "ACTIONS_ID_TOKEN_REQUEST_TOKEN", request_token),
            # ... its command line ...
            ("cmdline", frontend, "--identity-token", argv_token),
            # ... its memory: the environment block, and a token it only ever held in memory ...
            ("mem", frontend, "SIGSTORE_ID_TOKEN", env_token),
            ("mem", frontend, "jwt", memory_token),
            # ... and python -m build passes its whole environment on to the backend.
            ("own-environ", report["pid"], "SIGSTORE_ID_TOKEN", env_token),
        }
        assert expected <= found
        assert not any(item["how"] != "mem" and memory_token in item["value"] for item in report["found"])
        assert report["files"] == {str(token_file): {"read": token_file.read_text()}}
        # With the request URL and token, the backend minted a Sigstore identity of the job.
        minted = report["minted"]
        assert minted["url"] == local_sigstore.github_token_url
        assert claims(minted["token"])["aud"] == "sigstore"
    assert ("GET", "/oidc/token") in [(request.method, request.path) for request in local_sigstore.requests]

    # The daemons outlive the build: the marker keeps growing after python -m build returned.
    lines = len(marker.read_text().splitlines())
    wait_for(lambda: len(marker.read_text().splitlines()) > lines + 4, "the daemons to write again")
    assert time.monotonic() - finished < 5
    hooks = {line.split()[2] for line in marker.read_text().splitlines()}
    assert hooks == {
        "get_requires_for_build_sdist",
        "build_sdist",
        "get_requires_for_build_wheel",
        "build_wheel",
    }
    # They overwrite evidence, plant statements in staging directories, and replace artifacts.
    wait_for(lambda: EVIL_STATEMENT_SUBJECT in old_record.read_text(), "the build record to be overwritten")
    assert json.loads(old_record.read_text())["subject"][0]["name"] == EVIL_STATEMENT_SUBJECT
    wait_for((stage / f"{EVIL_STATEMENT_SUBJECT}.intoto.json").exists, "a planted statement")
    wait_for(lambda: sdist_member(dist / SDIST, "EVIL.txt") is not None, "the sdist to be replaced")
    wait_for(lambda: wheel_member(dist / WHEEL, "EVIL.txt") is not None, "the wheel to be replaced")
    # Every hook's report also went to the log, with its daemon's pid.
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert [report["hook"] for report in logged] == [
        "get_requires_for_build_sdist",
        "build_sdist",
        "get_requires_for_build_wheel",
        "build_wheel",
    ]
    assert all(isinstance(report["daemon"], int) for report in logged)


def build_without_isolation(source: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m build -n``: hatchling from this environment, no index; the daemons do nothing."""
    env = {**os.environ, "HOSTILE_BACKEND_DAEMON_SECONDS": "0"}
    return subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", *args, str(source)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


def test_an_absolute_name_puts_the_artifact_outside_the_output_directory(
    project: Callable[..., Path],
) -> None:
    source = project("hostile-backend")
    done = build_without_isolation(source, "--wheel", "-C", "hostile-name=absolute")
    assert f"Successfully built {WHEEL}" in done.stdout
    assert not (source / "dist" / WHEEL).exists()
    assert zipfile.is_zipfile(source / "hostile-elsewhere" / WHEEL)


def test_a_symlink_name_points_out_of_the_output_directory(project: Callable[..., Path]) -> None:
    source = project("hostile-backend")
    done = build_without_isolation(source, "--wheel", "-C", "hostile-name=symlink")
    assert f"Successfully built {WHEEL}" in done.stdout
    link = source / "dist" / WHEEL
    assert link.is_symlink()
    assert link.resolve() == (source / "hostile-elsewhere" / WHEEL).resolve()


def test_a_dotdot_name_puts_the_artifact_beside_the_output_directory(project: Callable[..., Path]) -> None:
    source = project("hostile-backend")
    done = build_without_isolation(source, "--wheel", "-C", "hostile-name=dotdot")
    assert f"Successfully built {WHEEL}" in done.stdout
    assert list((source / "dist").iterdir()) == []
    assert zipfile.is_zipfile(source / WHEEL)


def test_a_duplicate_name_replaces_the_sdist_with_the_wheel(project: Callable[..., Path]) -> None:
    source = project("hostile-backend")
    done = build_without_isolation(source, "-C", "hostile-name=duplicate")
    assert f"Successfully built {SDIST} and {SDIST}" in done.stdout
    assert [path.name for path in (source / "dist").iterdir()] == [SDIST]
    assert zipfile.is_zipfile(source / "dist" / SDIST)


def test_in_the_sandbox_the_same_attacks_find_nothing(
    project: Callable[..., Path], local_sigstore: LocalSigstore, tmp_path: Path
) -> None:
    """The same frontend and credentials, each hook run by ``sandbox.hook_runner``."""
    from pyprov._internal import sandbox

    if not sandbox.probe().available:
        pytest.skip(f"no sandbox here: {sandbox.probe().reason}")
    source = project("hostile-backend").resolve()
    (source / "evidence").mkdir()
    old_record = source / "evidence" / "older-1.0.tar.gz.build.json"
    old_record.write_text("{}\n")
    # In the writable source tree (the daemons could write the marker if they lived) ...
    marker = source / "daemon-marker"
    token_in_tree = source / ".identity-token"
    # ... and in the host's /tmp, which does not exist inside.
    token_in_tmp = tmp_path / "identity-token"
    for path in (token_in_tree, token_in_tmp):
        path.write_text(fake_jwt("token-file") + "\n")
    env = {
        **os.environ,
        **local_sigstore.github_env(),
        "SIGSTORE_ID_TOKEN": fake_jwt("env"),
        "GITHUB_TOKEN": "ghp_" + secrets.token_hex(18),
        "HOSTILE_BACKEND_MARKER": str(marker),
        "HOSTILE_BACKEND_READ": f"{token_in_tree}:{token_in_tmp}",
        "HOSTILE_BACKEND_DAEMON_SECONDS": "6",
    }

    done, _ = run_build(
        source, env=env, identity_token=fake_jwt("argv"), memory_secret=fake_jwt("memory"), sandboxed=True
    )

    assert done.returncode == 0, done.stderr
    built = json.loads(done.stdout)
    sdist, wheel = Path(built["sdist"]), Path(built["wheel"])
    contents = {path: path.read_bytes() for path in (sdist, wheel)}
    reports = [
        json.loads(sdist_member(sdist, "hostile_fixture/attack-report-build_sdist.json") or ""),
        json.loads(wheel_member(wheel, "hostile_fixture/attack-report-build_wheel.json") or ""),
    ]
    for report in reports:
        assert report["found"] == []
        assert report["ancestors"] == []
        assert report["pid"] == 1
        assert report["visible_processes"] == 1
        assert report["minted"] is None
        assert report["files"] == {
            str(token_in_tree): {"error": "PermissionError: Permission denied"},
            str(token_in_tmp): {"error": "FileNotFoundError: No such file or directory"},
        }
        assert report["status"] == {"NoNewPrivs": "1", "CapEff": "0000000000000000"}
    # Each hook's daemon ran (it wrote the marker) and died with its hook: once a hook has
    # returned, nothing changes. (While its hook lived, a daemon could rewrite the artifact
    # in the writable stage: no more than the backend itself can do to what it builds.)
    assert marker.read_text()
    size = marker.stat().st_size
    time.sleep(0.2)
    assert marker.stat().st_size == size
    assert {path: path.read_bytes() for path in contents} == contents
    assert old_record.read_text() == "{}\n"
