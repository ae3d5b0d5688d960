"""Real attestations signed on Sigstore's production and staging instances verify offline.

The files are tests/assets/pep740 (see tests/assets/README.md); the trusted roots are the
ones embedded in sigstore-python (``--offline``), so nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pyprov.verify import IdentityPolicy, RepositoryPolicy, TrustSource, VerifyOptions, verify_artifacts

from ._release import passed_count

SDIST = "pypi_attestations-0.0.19.tar.gz"
WHEEL = "rfc8785-0.1.2-py3-none-any.whl"
PUBLISHER = ("--repository", "trailofbits/pypi-attestations", "--workflow", "release.yml")
RELEASE_MANAGER = ("--identity", "william@yossarian.net", "--issuer", "https://github.com/login/oauth")


@pytest.mark.parametrize(
    "policy",
    [
        PUBLISHER,
        (*PUBLISHER, "--ref", "refs/tags/v0.0.19"),
        (*PUBLISHER, "--ref", "v0.0.19"),
        ("--repository", "https://github.com/trailofbits/pypi-attestations"),
        (
            "--repository",
            "trailofbits/pypi-attestations",
            "--ref",
            "08802efe1f8e5fec4ad842d6b8ce97656092ee72",
        ),
    ],
)
def test_production_attestations_verify_with_the_publisher(
    run: Callable[..., Result], assets: Path, policy: tuple[str, ...]
) -> None:
    result = run("--offline", *policy, "--require", "provenance,publish", assets / SDIST)
    assert result.exit_code == 0, result.output
    # The SLSA attestation, the publish attestation and the provenance object's attestation.
    assert passed_count(result.stdout, "signer") == 3
    assert passed_count(result.stdout, "source repository") >= 1
    assert (
        "offline: the trusted root in the local TUF cache, or the one embedded in sigstore-python"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (
            ("--repository", "trailofbits/pypi-attestation"),
            "repository: expected https://github.com/trailofbits/pypi-attestation,",
        ),
        (("--repository", "trailofbits/pypi-attestations", "--workflow", "ci.yml"), "workflow: expected"),
        (
            (*PUBLISHER, "--ref", "v0.0.18"),
            "ref: expected refs/tags/v0.0.18 or refs/heads/v0.0.18, found refs/tags/v0.0.19",
        ),
        (
            ("--repository", "https://gitlab.com/trailofbits/pypi-attestations"),
            "issuer: expected https://gitlab.com",
        ),
        (RELEASE_MANAGER, "issuer: expected https://github.com/login/oauth"),
    ],
)
def test_production_attestations_fail_with_another_signer(
    run: Callable[..., Result], assets: Path, policy: tuple[str, ...], reason: str
) -> None:
    result = run("--offline", *policy, assets / SDIST)
    assert result.exit_code == 4
    assert result.stdout.count("✗ signer") == 3
    assert reason in result.stdout


def test_staging_attestations_verify_with_the_release_manager(
    run: Callable[..., Result], assets: Path
) -> None:
    result = run("--offline", "--staging", *RELEASE_MANAGER, "--require", "publish", assets / WHEEL)
    assert result.exit_code == 0, result.output
    # .sigstore (a DSSE bundle), .attestation and .publish.attestation.
    assert passed_count(result.stdout, "signer") == 3


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (
            ("--identity", "someone@example.com", "--issuer", "https://github.com/login/oauth"),
            "identity: expected someone@example.com",
        ),
        (
            ("--identity", "william@yossarian.net", "--issuer", "https://accounts.google.com"),
            "issuer: expected https://accounts.google.com",
        ),
        (PUBLISHER, "repository: expected https://github.com/trailofbits/pypi-attestations, found none"),
    ],
)
def test_staging_attestations_fail_with_another_signer(
    run: Callable[..., Result], assets: Path, policy: tuple[str, ...], reason: str
) -> None:
    result = run("--offline", "--staging", *policy, assets / WHEEL)
    assert result.exit_code == 4
    assert reason in result.stdout


def test_staging_signatures_do_not_verify_under_production(run: Callable[..., Result], assets: Path) -> None:
    result = run("--offline", *RELEASE_MANAGER, assets / WHEEL)
    assert result.exit_code == 4
    assert result.stdout.count("✗ signature") == 3
    assert result.stdout.count("not established: the signature did not verify") == 3


def test_provenance_object_alone(assets: Path) -> None:
    report = verify_artifacts(
        [assets / SDIST],
        RepositoryPolicy.parse("trailofbits/pypi-attestations", workflow="release.yml"),
        TrustSource(offline=True),
        VerifyOptions(provenances=(assets / f"{SDIST}.provenance",), require=frozenset({"publish"})),
    )
    assert report.ok, report.to_dict()
    sources = {check.source for check in report.artifacts[0].checks if check.source}
    assert sources == {f"{assets / SDIST}.provenance#attestation_bundles[0].attestations[0]"}


def test_attestation_for_a_renamed_file_fails(assets: Path) -> None:
    renamed = assets / "pypi_attestations-0.0.20.tar.gz"
    (assets / SDIST).rename(renamed)
    report = verify_artifacts(
        [renamed],
        RepositoryPolicy.parse("trailofbits/pypi-attestations"),
        TrustSource(offline=True),
        VerifyOptions(attestations=(assets / f"{SDIST}.slsa.attestation",)),
    )
    assert not report.ok
    (subject,) = [check for check in report.artifacts[0].checks if check.name == "subject"]
    assert subject.reason == "the statement names another file: 'pypi_attestations-0.0.19.tar.gz'"


def test_pep740_names_compare_as_distributions(assets: Path) -> None:
    # PEP 740 (as pypi-attestations): a non-normalised spelling of the same file name is the same file.
    respelled = assets / "PyPI_Attestations-0.0.19.tar.gz"
    (assets / SDIST).rename(respelled)
    report = verify_artifacts(
        [respelled],
        RepositoryPolicy.parse("trailofbits/pypi-attestations"),
        TrustSource(offline=True),
        VerifyOptions(attestations=(assets / f"{SDIST}.slsa.attestation",)),
    )
    assert report.ok, report.to_dict()


def test_identity_policy_on_a_ci_certificate(assets: Path) -> None:
    signer = (
        "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"
    )
    report = verify_artifacts(
        [assets / SDIST],
        IdentityPolicy(identity=signer, issuer="https://token.actions.githubusercontent.com"),
        TrustSource(offline=True),
    )
    assert report.ok, report.to_dict()
