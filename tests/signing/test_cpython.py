"""The release-manager flow: sign with --expect-identity and CPython names, verify with --cpython."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sigstore.models import Bundle
from sigstore.verify import policy as sigstore_policy

from pyprov.errors import ProjectError
from pyprov.testing.sigstore import LocalSigstore
from pyprov.verify.cpython import release_manager

PYPROV = [sys.executable, "-m", "pyprov"]
GITHUB_OAUTH = "https://github.com/login/oauth"


@pytest.mark.parametrize(
    ("filename", "identity", "issuer"),
    [
        ("Python-3.12.1.tgz", "thomas@python.org", "https://accounts.google.com"),
        ("Python-3.11.0.tar.xz", "pablogsal@python.org", "https://accounts.google.com"),
        ("python-3.14.0rc2-amd64.exe", "hugo@python.org", GITHUB_OAUTH),
        ("python-3.13.1-docs-html.zip", "thomas@python.org", "https://accounts.google.com"),
        ("Python-3.9.14.tgz", "lukasz@langa.pl", GITHUB_OAUTH),
        ("python-3.7.17-macosx10.9.pkg", "nad@python.org", GITHUB_OAUTH),
    ],
)
def test_release_manager_table(filename: str, identity: str, issuer: str) -> None:
    manager = release_manager(filename)
    assert (manager.identity, manager.issuer) == (identity, issuer)


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("Python-3.10.6.tgz", r"CPython 3\.10\.6 predates Sigstore signing \(3\.10\.7 was the first\)"),
        ("Python-3.99.0.tgz", r"no published Sigstore identity for CPython 3\.99"),
        ("Python-2.7.18.tgz", r"no published Sigstore identity for CPython 2\.7"),
        ("sampleproject-1.0.tar.gz", "is not named like a CPython release artifact"),
    ],
)
def test_unknown_versions_are_refused_not_guessed(filename: str, message: str) -> None:
    with pytest.raises(ProjectError, match=message):
        release_manager(filename)


def make_release(directory: Path) -> list[Path]:
    directory.mkdir()
    files = [directory / "Python-3.14.0.tgz", directory / "python-3.14.0-docs-html.zip"]
    for index, path in enumerate(files):
        path.write_bytes(os.urandom(4096) + bytes([index]))
    return files


def run(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SIGSTORE_ID_TOKEN"}
    if token is not None:
        env["SIGSTORE_ID_TOKEN"] = token
    return subprocess.run(
        [*PYPROV, *args], capture_output=True, text=True, check=False, env=env, stdin=subprocess.DEVNULL
    )


def test_release_manager_signs_and_consumers_verify(local_sigstore: LocalSigstore, tmp_path: Path) -> None:
    files = make_release(tmp_path / "release")
    trust = str(local_sigstore.trust_config_path)
    hugo = local_sigstore.identity_token(email="hugo@python.org", issuer=GITHUB_OAUTH)

    done = run(
        "sign",
        "--cpython-names",
        "--trust-config",
        trust,
        "--expect-identity",
        "hugo@python.org",
        "--expect-issuer",
        GITHUB_OAUTH,
        *map(str, files),
        token=hugo,
    )
    assert done.returncode == 0, done.stderr
    for path in files:
        bundle = path.parent / f"{path.name}.sigstore"
        assert bundle.is_file()
        # the bundle python.org publishes is a plain Sigstore bundle: the sigstore CLI reads it too
        Bundle.from_json(bundle.read_text())
    assert not (tmp_path / "evidence").exists() or not list((tmp_path / "evidence").glob("*.sigstore.json"))

    done = run("verify", "--cpython", "--trust-config", trust, *map(str, files))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "CPython 3.14: Hugo van Kemenade" in done.stdout + done.stderr

    # The same files claimed as 3.12 artifacts: the 3.12 release manager did not sign them.
    renamed = []
    for path in files:
        target = path.with_name(path.name.replace("3.14.0", "3.12.0"))
        path.rename(target)
        (path.parent / f"{path.name}.sigstore").rename(path.parent / f"{target.name}.sigstore")
        renamed.append(target)
    done = run("verify", "--cpython", "--trust-config", trust, *map(str, renamed))
    assert done.returncode == 4, done.stdout + done.stderr
    assert "thomas@python.org" in done.stdout


def test_wrong_account_is_refused_before_signing(local_sigstore: LocalSigstore, tmp_path: Path) -> None:
    files = make_release(tmp_path / "release")
    wrong = local_sigstore.identity_token(email="hugo@personal.example", issuer=GITHUB_OAUTH)
    done = run(
        "sign",
        "--cpython-names",
        "--trust-config",
        str(local_sigstore.trust_config_path),
        "--expect-identity",
        "hugo@python.org",
        *map(str, files),
        token=wrong,
    )
    assert done.returncode == 5
    assert done.stderr.splitlines()[0] == (
        "error: the identity token is for hugo@personal.example, not the expected hugo@python.org; "
        "nothing was signed"
    )
    assert sorted(p.name for p in (tmp_path / "release").iterdir()) == sorted(p.name for p in files)
    assert local_sigstore.requests == []


def test_attest_signs_any_predicate(local_sigstore: LocalSigstore, tmp_path: Path) -> None:
    (artifact,) = make_release(tmp_path / "release")[:1]
    predicate = tmp_path / "predicate.json"
    predicate.write_text(json.dumps({"reviewed-by": "release team", "checks": ["gpg", "sbom"]}))
    done = run(
        "attest",
        "--predicate-type",
        "https://example.com/release-review/v1",
        "--predicate",
        str(predicate),
        "--trust-config",
        str(local_sigstore.trust_config_path),
        str(artifact),
        token=local_sigstore.identity_token(),
    )
    assert done.returncode == 0, done.stderr
    signed = tmp_path / "evidence" / f"{artifact.name}.example-com-release-review-v1.sigstore.json"
    _, payload = local_sigstore.verifier().verify_dsse(
        Bundle.from_json(signed.read_text()),
        sigstore_policy.Identity(identity="signer@example.com", issuer="https://oidc.local-sigstore.invalid"),
    )
    statement = json.loads(payload)
    assert statement["predicateType"] == "https://example.com/release-review/v1"
    assert statement["predicate"] == {"reviewed-by": "release team", "checks": ["gpg", "sbom"]}
    assert statement["subject"][0]["name"] == artifact.name


def test_attest_refuses_a_predicate_that_is_not_an_object(tmp_path: Path) -> None:
    artifact = tmp_path / "file.tgz"
    artifact.write_bytes(b"x")
    predicate = tmp_path / "predicate.json"
    predicate.write_text("[1, 2]")
    done = run(
        "attest",
        "--predicate-type",
        "https://example.com/t/v1",
        "--predicate",
        str(predicate),
        "--trust-config",
        str(tmp_path / "none.json"),
        str(artifact),
    )
    assert done.returncode == 2
    assert done.stderr == f"error: {predicate} holds no JSON object: a predicate is an object\n"
