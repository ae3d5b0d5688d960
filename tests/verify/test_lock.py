"""``pyprov verify --lock pylock.toml --files DIR``: hashes and attestation identities of PEP 751 locks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pyprov.errors import ProjectError
from pyprov.testing.sigstore import LocalSigstore
from pyprov.verify import TrustSource, verify_lock

from ._release import SDIST, WHEEL, passed_count

REAL_SDIST = "pypi_attestations-0.0.19.tar.gz"
GITHUB = '{ kind = "GitHub", repository = "trailofbits/pypi-attestations", workflow = "release.yml" }'


def _digest(path: Path, algorithm: str = "sha256") -> str:
    return hashlib.new(algorithm, path.read_bytes()).hexdigest()


def _lock(directory: Path, body: str) -> Path:
    path = directory / "pylock.toml"
    path.write_text(f'lock-version = "1.0"\ncreated-by = "tests"\n\n{body}')
    return path


def _real_lock(assets: Path, identities: str = GITHUB, digest: str | None = None) -> Path:
    sdist = assets / REAL_SDIST
    return _lock(
        assets.parent,
        f"""[[packages]]
name = "pypi-attestations"
version = "0.0.19"
attestation-identities = [{identities}]
sdist.url = "https://files.example/{REAL_SDIST}"
sdist.size = {sdist.stat().st_size}
sdist.hashes.sha256 = "{digest or _digest(sdist)}"
sdist.hashes.sha512 = "{_digest(sdist, "sha512")}"
wheels = [{{ name = "pypi_attestations-0.0.19-py3-none-any.whl", hashes = {{ sha256 = "{"0" * 64}" }} }}]

[[packages]]
name = "local-thing"
directory = {{ path = "../thing" }}
""",
    )


def test_real_lock_verifies_hashes_and_attestations(run: Callable[..., Result], assets: Path) -> None:
    result = run("--offline", "--lock", _real_lock(assets), "--files", assets)
    assert result.exit_code == 0, result.output
    assert "✓ size, sha256, sha512 [packages[0].sdist]" in result.stdout
    assert passed_count(result.stdout, "signer") == 3
    assert "! lock [" in result.stdout
    assert "local-thing (packages[1]): a VCS or directory package" in result.stdout
    # The wheel the lock names is not in the directory: not checked.
    assert "py3-none-any.whl" not in result.stdout


def test_lock_hash_mismatch(run: Callable[..., Result], assets: Path) -> None:
    result = run("--offline", "--lock", _real_lock(assets, digest="1" * 64), "--files", assets)
    assert result.exit_code == 4
    assert (
        f"✗ sha256 [packages[0].sdist]: the file differs from the lock; expected {'1' * 64}" in result.stdout
    )
    assert "✗ signer" not in result.stdout  # attestations are only checked for the locked file


@pytest.mark.parametrize(
    ("identities", "reason"),
    [
        (
            '{ kind = "GitHub", repository = "trailofbits/other", workflow = "release.yml" }',
            "repository: expected https://github.com/trailofbits/other",
        ),
        (
            '{ kind = "Google", email = "someone@example.com" }',
            "issuer: expected https://accounts.google.com",
        ),
        ('{ kind = "Martian" }', "unsupported publisher kind 'Martian'"),
    ],
)
def test_lock_wrong_identity(run: Callable[..., Result], assets: Path, identities: str, reason: str) -> None:
    result = run("--offline", "--lock", _real_lock(assets, identities), "--files", assets)
    assert result.exit_code == 4
    assert reason in result.stdout


def test_lock_identities_but_no_attestation(run: Callable[..., Result], assets: Path) -> None:
    for path in assets.glob(f"{REAL_SDIST}.*"):
        path.unlink()
    result = run("--offline", "--lock", _real_lock(assets), "--files", assets)
    assert result.exit_code == 4
    assert (
        f"the lock names attestation identities, but no attestation of {REAL_SDIST} is beside it"
        in result.stdout
    )


def test_lock_without_identities_needs_no_trust_root(release: Path, tmp_path: Path) -> None:
    sdist = release / SDIST
    lock = _lock(
        tmp_path,
        f'[[packages]]\nname = "widget"\n'
        f'sdist = {{ path = "dist/{SDIST}", hashes = {{ sha256 = "{_digest(sdist)}" }} }}\n',
    )
    report = verify_lock(lock, release, TrustSource(kind="trusted-root", path=tmp_path / "absent.json"))
    assert report.ok, report.to_dict()
    assert report.trust == "(not needed: no attestation-identities)"


def test_lock_with_local_instance(instance: LocalSigstore, release: Path, tmp_path: Path) -> None:
    wheel = release / WHEEL
    identity = '{ kind = "GitHub", repository = "acme/widget", workflow = "release.yml" }'
    lock = _lock(
        tmp_path,
        f'[[packages]]\nname = "widget"\nattestation-identities = [{identity}]\n'
        f'wheels = [{{ name = "{WHEEL}", hashes = {{ sha256 = "{_digest(wheel)}" }} }}]\n',
    )
    report = verify_lock(lock, release, TrustSource(kind="trust-config", path=instance.trust_config_path))
    assert report.ok, report.to_dict()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("lock-version = [", "is not a TOML file"),
        ('lock-version = "2.0"', "unsupported lock-version '2.0'"),
        (
            'lock-version = "1.0"\n[[packages]]\nname = "x"\nsdist = { name = "x.tar.gz" }',
            "packages[0].sdist.hashes: expected a table",
        ),
        (
            (
                'lock-version = "1.0"\n[[packages]]\nname = "x"\n'
                'sdist = { name = "../x.tar.gz", hashes = { sha256 = "a" } }'
            ),
            "no usable file name",
        ),
        (
            (
                'lock-version = "1.0"\n[[packages]]\nname = "x"\n'
                'sdist = { url = "https://x/", hashes = { sha256 = "a" } }'
            ),
            "no usable file name",
        ),
    ],
)
def test_malformed_lock_exit_2(run: Callable[..., Result], tmp_path: Path, body: str, message: str) -> None:
    lock = tmp_path / "pylock.toml"
    lock.write_text(body)
    result = run("--offline", "--lock", lock, "--files", tmp_path)
    assert result.exit_code == 2
    assert message in result.stderr


def test_lock_and_policy_options_do_not_mix(run: Callable[..., Result], tmp_path: Path) -> None:
    result = run("--lock", tmp_path / "pylock.toml", "--files", tmp_path, "--repository", "a/b")
    assert result.exit_code == 2
    assert "--lock verifies against the lock's attestation-identities" in result.stderr


def test_no_locked_file_present(tmp_path: Path) -> None:
    lock = _lock(
        tmp_path, '[[packages]]\nname = "x"\nsdist = { name = "x-1.tar.gz", hashes = { sha256 = "aa" } }\n'
    )
    with pytest.raises(ProjectError, match="none of the 1 files"):
        verify_lock(lock, tmp_path, TrustSource(offline=True))
