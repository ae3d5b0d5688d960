"""``pyprov verify NAME==VERSION``: files and PEP 740 provenance fetched from an index, as PyPI serves them.

The index is `pyprov.testing.index.LocalIndex` on 127.0.0.1, serving the real PyPI
distribution and provenance object in tests/assets/pep740 (signed on Sigstore's production
instance by trailofbits/pypi-attestations' release.yml); they verify offline.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from pyprov.testing.index import LocalIndex

SDIST = "pypi_attestations-0.0.19.tar.gz"
WHEEL_WITHOUT_PROVENANCE = "rfc8785-0.1.2-py3-none-any.whl"
PUBLISHER = ("--offline", "--repository", "trailofbits/pypi-attestations", "--workflow", "release.yml")


@pytest.fixture
def served(assets: Path, tmp_path: Path) -> Path:
    """The index's directory: the sdist with its provenance, and a wheel without any."""
    directory = tmp_path / "index"
    directory.mkdir()
    for name in (SDIST, f"{SDIST}.provenance", WHEEL_WITHOUT_PROVENANCE):
        shutil.copy(assets / name, directory / name)
    return directory


@pytest.fixture
def index(served: Path) -> Iterator[LocalIndex]:
    with LocalIndex(served) as running:
        yield running


def test_name_and_version_verify_from_the_index(run: Callable[..., Result], index: LocalIndex) -> None:
    result = run(*PUBLISHER, "--index-url", index.url, "--require", "publish", "pypi-attestations==0.0.19")
    assert result.exit_code == 0, result.output
    assert f"✓ {SDIST} (pypi-attestations==0.0.19)" in result.stdout
    assert "✓ index hash" in result.stdout
    # The provenance is named by the URL it came from.
    assert (
        "✓ publisher (as the index claims), signature, signer, statement, subject, predicate type [http://127.0.0.1:"
        in result.stdout
    )
    assert "/integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance#" in result.stdout
    assert "verified 1 of 1 artifacts" in result.output


def test_a_file_by_its_digest(run: Callable[..., Result], index: LocalIndex, served: Path) -> None:
    digest = hashlib.sha256((served / SDIST).read_bytes()).hexdigest()
    result = run(*PUBLISHER, "--index-url", index.url, f"pypi_attestations@sha256:{digest}")
    assert result.exit_code == 0, result.output
    assert "verified 1 of 1 artifacts" in result.output


def test_a_tampered_download_fails_with_exit_4(run: Callable[..., Result], served: Path) -> None:
    with LocalIndex(served, tampered=frozenset({SDIST})) as index:
        result = run(*PUBLISHER, "--index-url", index.url, "pypi-attestations==0.0.19")
    assert result.exit_code == 4
    assert "✗ index hash" in result.stdout
    assert "the downloaded file is not the one the index lists" in result.stdout
    assert "Traceback" not in result.output


def test_a_file_without_provenance_fails(run: Callable[..., Result], index: LocalIndex) -> None:
    result = run(*PUBLISHER, "--index-url", index.url, "rfc8785==0.1.2")
    assert result.exit_code == 4
    assert "no signature, attestation or provenance" in result.stdout


def test_another_signer_fails(run: Callable[..., Result], index: LocalIndex) -> None:
    result = run(
        "--offline", "--repository", "octo/other", "--index-url", index.url, "pypi-attestations==0.0.19"
    )
    assert result.exit_code == 4


@pytest.mark.parametrize(
    ("requirement", "message"),
    [
        ("pypi-attestations==9.9", "error: pypi-attestations==9.9: the index has no file of version 9.9"),
        ("no-such-project==1.0", "error: no project 'no-such-project' on http://127.0.0.1:"),
        (
            f"pypi-attestations@sha256:{'0' * 64}",
            "no file of pypi-attestations on the index has this SHA-256",
        ),
    ],
)
def test_what_the_index_lacks_is_one_clear_error(
    run: Callable[..., Result], index: LocalIndex, requirement: str, message: str
) -> None:
    result = run(*PUBLISHER, "--index-url", index.url, requirement)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_redirect_to_another_host_is_not_followed(run: Callable[..., Result], served: Path) -> None:
    with LocalIndex(served, redirect="http://localhost:9/elsewhere") as index:
        result = run(*PUBLISHER, "--index-url", index.url, "pypi-attestations==0.0.19")
    assert result.exit_code == 2
    assert "redirects to another host (http://localhost:9/elsewhere): not followed" in result.output


def test_files_and_names_are_not_mixed(run: Callable[..., Result], served: Path) -> None:
    result = run(*PUBLISHER, served / SDIST, "pypi-attestations==0.0.19")
    assert result.exit_code == 2
    assert "not both in one run" in result.output


IDENTITY = '{ kind = "GitHub", repository = "trailofbits/pypi-attestations", workflow = "release.yml" }'


def _lock(directory: Path, served: Path, *, wheel: str | None = None) -> Path:
    sdist = served / SDIST
    extra = f'wheels = [{{ name = "{wheel}", hashes = {{ sha256 = "{"0" * 64}" }} }}]\n' if wheel else ""
    path = directory / "pylock.toml"
    path.write_text(
        f"""lock-version = "1.0"
created-by = "tests"

[[packages]]
name = "pypi-attestations"
version = "0.0.19"
attestation-identities = [{IDENTITY}]
sdist.url = "https://files.example/{SDIST}"
sdist.hashes.sha256 = "{hashlib.sha256(sdist.read_bytes()).hexdigest()}"
{extra}"""
    )
    return path


def test_a_whole_lock_verifies_from_the_index(
    run: Callable[..., Result], index: LocalIndex, served: Path, tmp_path: Path
) -> None:
    result = run("--offline", "--index-url", index.url, "--lock", _lock(tmp_path, served))
    assert result.exit_code == 0, result.output
    assert "✓ sha256 [packages[0].sdist]" in result.stdout
    assert "signature, signer, statement" in result.stdout


def test_a_locked_file_the_index_lacks_fails(
    run: Callable[..., Result], index: LocalIndex, served: Path, tmp_path: Path
) -> None:
    lock = _lock(tmp_path, served, wheel="pypi_attestations-0.0.19-py3-none-any.whl")
    result = run("--offline", "--index-url", index.url, "--lock", lock)
    assert result.exit_code == 4
    assert "the index does not list pypi_attestations-0.0.19-py3-none-any.whl" in result.stdout


def test_a_tampered_locked_file_fails(run: Callable[..., Result], served: Path, tmp_path: Path) -> None:
    with LocalIndex(served, tampered=frozenset({SDIST})) as index:
        result = run("--offline", "--index-url", index.url, "--lock", _lock(tmp_path, served))
    assert result.exit_code == 4
    assert "✗ sha256 [packages[0].sdist]" in result.stdout


def test_before_api_version_1_3_the_integrity_api_is_asked(run: Callable[..., Result], served: Path) -> None:
    with LocalIndex(served, api_version="1.1") as index:
        result = run(*PUBLISHER, "--index-url", index.url, "pypi-attestations==0.0.19")
        assert result.exit_code == 0, result.output
        assert (
            "/integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance#" in result.stdout
        )
        # A file the integrity API has nothing for (404) simply has no provenance.
        result = run(*PUBLISHER, "--index-url", index.url, "rfc8785==0.1.2")
        assert result.exit_code == 4
        assert "no signature, attestation or provenance" in result.stdout
