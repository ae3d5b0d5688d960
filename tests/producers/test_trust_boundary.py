"""The hostile-backend fixture under pyprov: it finds no credential, plants nothing, publishes nothing.

`tests/fixtures_hostile/` shows that every attack of the fixture works through plain
``python -m build``; here the same fixture runs through ``pyprov build --sign`` (with a
GitHub Actions ambient identity, with a token on the command line, with a token file)
and through ``pyprov run``, in the real bubblewrap sandbox, against the local Sigstore
instance.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pyprov._internal import sandbox
from pyprov.testing.sigstore import LocalSigstore

PYPROV = [sys.executable, "-m", "pyprov"]
NAME = "pyprov_fixture_hostile_backend-1.0.0"
SDIST = f"{NAME}.tar.gz"
WHEEL = f"{NAME}-py3-none-any.whl"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.network,
    pytest.mark.skipif(not sandbox.probe().available, reason=f"no sandbox here: {sandbox.probe().reason}"),
]


def processes_with(marker: str) -> list[int]:
    """Pids of live processes whose environment holds ``marker`` (the fixture's daemons)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture
def hostile_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Settings of the fixture, with secrets it should not find; its daemons are killed afterwards."""
    marker = tmp_path / "daemon-marker"
    secret_file = tmp_path / "secret-file"
    secret_file.write_text("file-secret-" + os.urandom(8).hex())
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("SIGSTORE_ID_TOKEN", "GITHUB_ACTIONS")},
        "HOSTILE_BACKEND_MARKER": str(marker),
        "HOSTILE_BACKEND_ANCESTORS": "5",
        "HOSTILE_BACKEND_DAEMON_SECONDS": "20",
        "HOSTILE_BACKEND_READ": str(secret_file),
        "GITHUB_TOKEN": "ghp_" + os.urandom(18).hex(),
        "TWINE_PASSWORD": "pypi-" + os.urandom(24).hex(),
    }
    yield env
    for pid in processes_with(f"HOSTILE_BACKEND_MARKER={marker}"):
        os.kill(pid, 9)


def reports(dist: Path) -> dict[str, dict[str, Any]]:
    """The fixture's attack reports, which it smuggles into the artifacts it builds."""
    with tarfile.open(dist / SDIST) as archive:
        member = archive.extractfile(f"{NAME}/hostile_fixture/attack-report-build_sdist.json")
        assert member is not None
        sdist_report = json.loads(member.read())
    with zipfile.ZipFile(dist / WHEEL) as wheel:
        wheel_report = json.loads(wheel.read("hostile_fixture/attack-report-build_wheel.json"))
    # (Its daemons may rewrite an artifact while its hook still runs: that is what the backend
    # built. What matters is that nothing changes it once the hook is over: see below.)
    return {"build_sdist": sdist_report, "build_wheel": wheel_report}


def assert_found_nothing(report: dict[str, Any], secrets: list[str]) -> None:
    assert report["found"] == [], report["found"]
    assert report["ancestors"] == []  # the hook is pid 1 of its own namespace
    assert report["visible_processes"] <= 3  # itself (and a child or two), nothing of pyprov
    assert report["minted"] is None
    assert report["status"]["NoNewPrivs"] == "1"
    assert report["status"]["CapEff"] == "0000000000000000"
    for path, outcome in report["files"].items():
        assert "read" not in outcome, f"{path} was readable"
    text = json.dumps(report)
    for secret in secrets:
        assert secret not in text


def assert_signed_what_was_built(source: Path) -> None:
    """Every statement pyprov wrote and signed is about the artifact it built, nothing else."""
    dist, evidence = source / "dist", source / "evidence"
    assert sorted(p.name for p in dist.iterdir()) == sorted(
        [SDIST, WHEEL, f"{SDIST}.slsa.attestation", f"{WHEEL}.slsa.attestation"]
    )
    assert not [p for p in evidence.iterdir() if p.name.startswith("evil")]
    for name in (SDIST, WHEEL):
        digest = hashlib.sha256((dist / name).read_bytes()).hexdigest()
        statement = json.loads((evidence / f"{name}.intoto.json").read_bytes())
        assert statement["subject"] == [{"name": name, "digest": {"sha256": digest}}]
        bundle = json.loads((evidence / f"{name}.intoto.sigstore.json").read_bytes())
        signed = base64.b64decode(bundle["dsseEnvelope"]["payload"])
        assert signed == (evidence / f"{name}.intoto.json").read_bytes()
        record = json.loads((evidence / f"{name}.build.json").read_bytes())
        isolation = record["environment"]["isolation"]
        assert isolation["sandbox"].startswith("bubblewrap ")
        assert isolation["pidNamespace"]
        assert isolation["noNewPrivileges"]
        internal = statement["predicate"]["buildDefinition"]["internalParameters"]
        assert internal["isolation"] == isolation


def test_a_hostile_backend_finds_no_ambient_github_credential(
    project: Callable[..., Path], local_sigstore: LocalSigstore, hostile_env: dict[str, str]
) -> None:
    source = project("hostile-backend")
    workflow = local_sigstore.github_workflow
    env = {
        **hostile_env,
        **local_sigstore.github_env(),
        "GITHUB_REPOSITORY": workflow.repository,
        "GITHUB_SHA": workflow.sha,
        "GITHUB_REF": workflow.ref,
        "GITHUB_WORKFLOW_REF": workflow.workflow_ref,
        "GITHUB_RUN_ID": "1",
        "GITHUB_RUN_ATTEMPT": "1",
    }
    done = subprocess.run(
        [*PYPROV, "build", "--sign", "--trust-config", str(local_sigstore.trust_config_path), str(source)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    # Every process the backend started died with its sandbox, before pyprov hashed anything.
    assert processes_with(f"HOSTILE_BACKEND_MARKER={hostile_env['HOSTILE_BACKEND_MARKER']}") == []
    assert not Path(hostile_env["HOSTILE_BACKEND_MARKER"]).exists()
    secrets = [
        local_sigstore.github_request_token,
        hostile_env["GITHUB_TOKEN"],
        hostile_env["TWINE_PASSWORD"],
        Path(hostile_env["HOSTILE_BACKEND_READ"]).read_text(),
    ]
    for report in reports(source / "dist").values():
        assert_found_nothing(report, secrets)
    # The one token request is pyprov's own, for signing.
    token_requests = [r for r in local_sigstore.requests if r.path.startswith("/oidc/token")]
    assert len(token_requests) == 1
    assert_signed_what_was_built(source)


@pytest.mark.parametrize("given", ["argv", "file", "stdin"])
def test_a_hostile_backend_finds_no_identity_token(
    project: Callable[..., Path],
    local_sigstore: LocalSigstore,
    hostile_env: dict[str, str],
    tmp_path: Path,
    given: str,
) -> None:
    source = project("hostile-backend")
    token = local_sigstore.identity_token(email="rm@example.com")
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    how = {
        "argv": ["--identity-token", token],
        "file": ["--identity-token-file", str(token_file)],
        "stdin": ["--identity-token-file", "-"],
    }[given]
    env = {**hostile_env, "HOSTILE_BACKEND_READ": f"{hostile_env['HOSTILE_BACKEND_READ']}:{token_file}"}
    done = subprocess.run(
        [
            *PYPROV,
            "build",
            "--sign",
            *how,
            "--trust-config",
            str(local_sigstore.trust_config_path),
            str(source),
        ],
        env=env,
        input=token if given == "stdin" else None,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert ("visible to every process" in done.stderr or "can be read by every process" in done.stderr) == (
        given == "argv"
    )
    assert processes_with(f"HOSTILE_BACKEND_MARKER={hostile_env['HOSTILE_BACKEND_MARKER']}") == []
    for report in reports(source / "dist").values():
        assert_found_nothing(report, [token, hostile_env["GITHUB_TOKEN"], hostile_env["TWINE_PASSWORD"]])
    assert_signed_what_was_built(source)


@pytest.mark.parametrize("hostile_name", ["absolute", "symlink", "dotdot", "duplicate"])
def test_a_hostile_output_name_fails_the_build_and_publishes_nothing(
    project: Callable[..., Path], hostile_env: dict[str, str], hostile_name: str
) -> None:
    source = project("hostile-backend")
    env = {**hostile_env, "HOSTILE_BACKEND_HOSTILE_NAME": hostile_name, "HOSTILE_BACKEND_DAEMON_SECONDS": "0"}
    done = subprocess.run(
        [*PYPROV, "build", str(source)], env=env, capture_output=True, text=True, check=False, timeout=600
    )
    assert done.returncode == 1, done.stderr
    (error,) = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    kind = "wheel" if hostile_name == "duplicate" else "sdist"
    assert error.startswith((f"error: the {kind} ", "error: the backend named")), error
    assert "Traceback" not in done.stderr
    assert list((source / "dist").iterdir()) == []
    assert list((source / "evidence").iterdir()) == []
    assert not (source / "hostile-elsewhere").exists()


HOSTILE_COMMAND = textwrap.dedent(
    """
    import json, os, subprocess, sys
    from pathlib import Path

    secret = os.environ.get("SECRET_REVERSED", "")[::-1]  # not itself in the command's environ
    found, visible = [], 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        visible += 1
        for what in ("environ", "cmdline"):
            try:
                if secret and secret.encode() in (entry / what).read_bytes():
                    found.append(f"{entry.name}/{what}")
            except OSError:
                pass
    try:
        Path("evidence/planted.intoto.json").write_text("{}")
        planted = True
    except OSError:
        planted = False
    # A daemon that outlives the command, if nothing kills it.
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
    Path("dist").mkdir(exist_ok=True)
    Path("dist/product.txt").write_text(json.dumps({"found": found, "visible": visible, "planted": planted,
                                                    "own": [k for k in os.environ if "TOKEN" in k]}))
    """
)


def test_pyprov_run_keeps_its_command_away_from_credentials(
    tmp_path: Path, hostile_env: dict[str, str]
) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "hostile.py").write_text(HOSTILE_COMMAND)
    secret = "ghp_" + os.urandom(18).hex()
    env = {**hostile_env, "GITHUB_TOKEN": secret, "SIGSTORE_ID_TOKEN": "eyJ" + os.urandom(20).hex()}
    # The command looks for the secret in every process it can see; it is in pyprov's own environ.
    env["SECRET_REVERSED"] = secret[::-1]
    done = subprocess.run(
        [*PYPROV, "run", "-p", "dist/product.txt", "--", sys.executable, "hostile.py"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((workdir / "dist" / "product.txt").read_text())
    assert report["found"] == []
    assert report["visible"] <= 3
    assert report["planted"] is False
    assert report["own"] == []
    assert not (workdir / "evidence" / "planted.intoto.json").exists()
    assert processes_with(f"SECRET_REVERSED={secret[::-1]}") == []  # its daemon died with it
    record = json.loads((workdir / "evidence" / "product.txt.run.json").read_text())
    assert record["isolation"]["sandbox"].startswith("bubblewrap ")
    assert secret not in (workdir / "evidence" / "product.txt.run.json").read_text()


@pytest.fixture
def no_bwrap_path(tmp_path: Path) -> str:
    """A PATH on which bubblewrap cannot be found (git stays)."""
    bin_dir = tmp_path / "bin-without-bwrap"
    bin_dir.mkdir()
    for tool in ("git",):
        found = subprocess.run(["which", tool], capture_output=True, text=True, check=True).stdout.strip()
        (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def test_without_a_sandbox_signing_is_refused_unless_allowed(
    project: Callable[..., Path], local_sigstore: LocalSigstore, no_bwrap_path: str, tmp_path: Path
) -> None:
    source = project("hatchling-pure")
    token_file = tmp_path / "token"
    token_file.write_text(local_sigstore.identity_token(email="rm@example.com"))
    env = {k: v for k, v in os.environ.items() if k not in ("SIGSTORE_ID_TOKEN", "GITHUB_ACTIONS")}
    env["PATH"] = no_bwrap_path
    sign = [
        "--sign",
        "--identity-token-file",
        str(token_file),
        "--trust-config",
        str(local_sigstore.trust_config_path),
    ]
    done = subprocess.run(
        [*PYPROV, "build", *sign, str(source)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0].startswith(
        "error: refusing to run build code next to signing credentials without a sandbox"
    )
    assert "bubblewrap (bwrap) is not installed" in lines[0]
    assert "--allow-unsandboxed" in done.stderr
    assert "build-provenance.yml" in done.stderr
    assert not (source / "dist").exists() or list((source / "dist").iterdir()) == []
    assert local_sigstore.requests == []

    done = subprocess.run(
        [*PYPROV, "build", "--allow-unsandboxed", *sign, str(source)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "warning: build code ran without a sandbox (bubblewrap (bwrap) is not installed)" in done.stderr
    record = json.loads(next((source / "evidence").glob("*.whl.build.json")).read_text())
    assert record["environment"]["isolation"] == {
        "sandbox": None,
        "pidNamespace": False,
        "privateTmp": False,
        "network": "allowed",
        "noNewPrivileges": False,
        "capabilitiesDropped": False,
        "credentialFilesHidden": False,
        "reason": "bubblewrap (bwrap) is not installed",
    }


def test_without_a_sandbox_or_credentials_the_build_says_so_and_goes_on(
    project: Callable[..., Path], no_bwrap_path: str
) -> None:
    source = project("hatchling-pure")
    env = {k: v for k, v in os.environ.items() if k not in ("SIGSTORE_ID_TOKEN", "GITHUB_ACTIONS")}
    env["PATH"] = no_bwrap_path
    done = subprocess.run(
        [*PYPROV, "build", "--json", str(source)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "warning: build code ran without a sandbox" in done.stderr
    (sdist, wheel) = [artifact["record"] for artifact in json.loads(done.stdout)["artifacts"]]
    assert sdist["environment"]["isolation"]["sandbox"] is None
    assert wheel["environment"]["isolation"]["reason"] == "bubblewrap (bwrap) is not installed"
