"""The release manager's flow, every step a real pyprov subprocess (issue: artifacts not built by PEP 517).

make builds a tarball and a docs zip under `pyprov run`; `pyprov sbom --source --merge` describes the
tarball with its vendored components, each file checked against the hash the vendored SBOM claims;
`pyprov sign --expect-identity` signs with the release manager's identity (and refuses another);
`pyprov verify` accepts the result and refuses a tampered tarball.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pyprov.testing.sigstore import LocalSigstore
from tests.conftest import copy_fixture

PYPROV = [sys.executable, "-m", "pyprov"]
ISSUER = "https://github.com/login/oauth"


def pyprov(cwd: Path, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SIGSTORE_ID_TOKEN"}
    if token is not None:
        env["SIGSTORE_ID_TOKEN"] = token
    return subprocess.run(
        [*PYPROV, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_release_is_recorded_described_signed_and_verified(
    local_sigstore: LocalSigstore, tmp_path: Path
) -> None:
    release = copy_fixture("release", tmp_path / "release", git_init=True)
    trust = str(local_sigstore.trust_config_path)
    tarball, docs = "dist/release-1.0.tar.gz", "dist/release-1.0-docs.zip"

    done = pyprov(release, "run", "-p", "dist/*", "-m", "Makefile", "-m", "src/*.c", "--", "make", "dist")
    assert done.returncode == 0, done.stderr
    for product in (tarball, docs):
        statement = json.loads((release / "evidence" / f"{Path(product).name}.intoto.json").read_text())
        assert statement["subject"][0]["name"] == Path(product).name

    done = pyprov(
        release,
        "sbom",
        "--source",
        ".",
        "--merge",
        "Misc/sbom.spdx.json",
        "--strict-hashes",
        "-o",
        "evidence/release-1.0.tar.gz.cdx.json",
        tarball,
    )
    assert done.returncode == 0, done.stderr
    sbom = json.loads((release / "evidence" / "release-1.0.tar.gz.cdx.json").read_text())
    names = json.dumps(sbom)
    assert "minilib" in names
    assert "_fastmath" in names or "fastmath" in names
    assert '"pyprov:vendored:check"' in names or "pyprov:vendored:check" in names

    wrong = local_sigstore.identity_token(email="someone@example.com", issuer=ISSUER)
    done = pyprov(
        release,
        "sign",
        "--trust-config",
        trust,
        "--expect-identity",
        "rm@example.com",
        tarball,
        docs,
        token=wrong,
    )
    assert done.returncode == 5
    assert "not the expected rm@example.com; nothing was signed" in done.stderr
    assert not list((release / "evidence").glob("*.sigstore.json"))

    right = local_sigstore.identity_token(email="rm@example.com", issuer=ISSUER)
    done = pyprov(
        release,
        "sign",
        "--trust-config",
        trust,
        "--expect-identity",
        "rm@example.com",
        "--expect-issuer",
        ISSUER,
        tarball,
        docs,
        token=right,
    )
    assert done.returncode == 0, done.stderr
    for suffix in (".sigstore.json", ".intoto.sigstore.json", ".cdx.sigstore.json"):
        assert (release / "evidence" / f"release-1.0.tar.gz{suffix}").is_file()
    # PEP 740 attestations only for what parses as a Python distribution: not the docs archive
    assert (release / "dist" / "release-1.0.tar.gz.slsa.attestation").is_file()
    assert not (release / "dist" / "release-1.0-docs.zip.slsa.attestation").exists()

    verify = ["verify", "--identity", "rm@example.com", "--issuer", ISSUER, "--trust-config", trust]
    done = pyprov(release, *verify, "--require", "provenance,sbom", tarball)
    assert done.returncode == 0, done.stdout + done.stderr
    done = pyprov(release, *verify, "--require", "provenance", docs)
    assert done.returncode == 0, done.stdout + done.stderr

    (release / tarball).write_bytes((release / tarball).read_bytes() + b"\0")
    done = pyprov(release, *verify, tarball)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
