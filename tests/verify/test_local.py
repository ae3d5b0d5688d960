"""Releases signed against a local Sigstore instance verify with each policy form."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pyprov.testing.sigstore import DEFAULT_EMAIL_ISSUER, GITHUB_ISSUER, LocalSigstore
from pyprov.verify import (
    IdentityPolicy,
    RepositoryPolicy,
    TrustSource,
    VerifyOptions,
    verify_artifacts,
)

from ._release import (
    ARTIFACTS,
    BUILDER_ID,
    SDIST,
    WHEEL,
    WORKFLOW,
    Signer,
    provenance_predicate,
    sha256,
    write_release,
)
from .conftest import EMAIL

POLICIES = {
    "owner/name": ["--repository", "acme/widget"],
    "url": ["--repository", "https://github.com/acme/widget"],
    "workflow": ["--repository", "acme/widget", "--workflow", "release.yml"],
    "workflow path": ["--repository", "acme/widget", "--workflow", ".github/workflows/release.yml"],
    "full ref": ["--repository", "acme/widget", "--workflow", "release.yml", "--ref", "refs/tags/v1.0"],
    "short ref": ["--repository", "acme/widget", "--ref", "v1.0"],
    "commit": ["--repository", "acme/widget", "--ref", WORKFLOW.sha],
    "identity": ["--identity", WORKFLOW.build_signer_uri, "--issuer", GITHUB_ISSUER],
}


@pytest.mark.parametrize("policy", POLICIES.values(), ids=POLICIES.keys())
def test_release_verifies_with_each_policy_form(
    run: Callable[..., Result], instance: LocalSigstore, release: Path, policy: list[str]
) -> None:
    result = run(
        "--trust-config",
        instance.trust_config_path,
        *policy,
        "--require",
        "provenance,sbom,signature",
        release,
    )
    assert result.exit_code == 0, result.output
    assert f"✓ {release / SDIST}" in result.stdout
    assert f"✓ {release / WHEEL}" in result.stdout
    assert "✗" not in result.stdout


def test_every_evidence_file_is_checked(instance: LocalSigstore, release: Path) -> None:
    report = verify_artifacts(
        [release / WHEEL],
        RepositoryPolicy.parse("acme/widget", workflow="release.yml"),
        TrustSource(kind="trust-config", path=instance.trust_config_path),
        VerifyOptions(require=frozenset({"signature", "provenance", "sbom"})),
    )
    assert report.ok
    (result,) = report.artifacts
    sources = {Path(check.source).name for check in result.checks if check.source}
    assert sources == {
        f"{WHEEL}.sigstore.json",
        f"{WHEEL}.intoto.sigstore.json",
        f"{WHEEL}.cdx.sigstore.json",
        f"{WHEEL}.slsa.attestation",
    }
    names = [check.name for check in result.checks]
    for name in (
        "signature",
        "signer",
        "subject",
        "predicate type",
        "builder id",
        "source repository",
        "source ref",
        "sbom",
    ):
        assert name in names
    assert result.sha256 == sha256((release / WHEEL).read_bytes())


def test_email_signed_cpython_style_signature(
    run: Callable[..., Result], instance: LocalSigstore, email_signer: Signer, tmp_path: Path
) -> None:
    tarball = tmp_path / "Python-3.14.0.tgz"
    tarball.write_bytes(b"CPython sources")
    (tmp_path / "Python-3.14.0.tgz.sigstore").write_text(
        email_signer.artifact(tarball.read_bytes()).to_json()
    )
    trust = ("--trust-config", instance.trust_config_path)
    ok = run(*trust, "--identity", EMAIL, "--issuer", DEFAULT_EMAIL_ISSUER, "--require", "signature", tarball)
    assert ok.exit_code == 0, ok.output
    assert "✓ signature" in ok.stdout
    wrong = run(*trust, "--identity", "someone@example.com", "--issuer", DEFAULT_EMAIL_ISSUER, tarball)
    assert wrong.exit_code == 4
    assert "identity: expected someone@example.com, found release-manager@example.com" in wrong.stdout


def test_digest_artifact_with_explicit_bundle(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    digest = sha256((release / SDIST).read_bytes())
    bundle = release.parent / "evidence" / f"{SDIST}.intoto.sigstore.json"
    result = run(
        "--trust-config",
        instance.trust_config_path,
        "--repository",
        "acme/widget",
        "--bundle",
        bundle,
        "--json",
        f"sha256:{digest}",
    )
    assert result.exit_code == 0, result.output
    (checked,) = json.loads(result.stdout)["artifacts"]
    subject = next(check for check in checked["checks"] if check["name"] == "subject")
    assert subject["expected"] == f"(any name: artifact given by digest) sha256:{digest}"
    other = run(
        "--trust-config",
        instance.trust_config_path,
        "--repository",
        "acme/widget",
        "--bundle",
        bundle,
        "sha256:" + "0" * 64,
    )
    assert other.exit_code == 4
    assert "SHA-256 differs" in other.stdout


def test_message_signature_by_digest(instance: LocalSigstore, release: Path) -> None:
    digest = sha256((release / WHEEL).read_bytes())
    report = verify_artifacts(
        [f"sha256:{digest}"],
        IdentityPolicy(identity=WORKFLOW.build_signer_uri, issuer=GITHUB_ISSUER),
        TrustSource(kind="trust-config", path=instance.trust_config_path),
        VerifyOptions(bundles=(release.parent / "evidence" / f"{WHEEL}.sigstore.json",)),
    )
    assert report.ok, report.to_dict()


def test_directory_and_parallel_jobs(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    result = run(
        "--trust-config",
        instance.trust_config_path,
        "--repository",
        "acme/widget",
        "-j",
        "4",
        "--json",
        release,
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert [Path(item["artifact"]).name for item in report["artifacts"]] == sorted([SDIST, WHEEL])
    assert report["policy"] == "https://github.com/acme/widget (any workflow) (any ref)"


def test_builder_id_allow_list(run: Callable[..., Result], instance: LocalSigstore, release: Path) -> None:
    trust = ("--trust-config", instance.trust_config_path, "--repository", "acme/widget")
    assert (
        run(
            *trust, "--builder-id", "https://example.com/other", "--builder-id", BUILDER_ID, release / SDIST
        ).exit_code
        == 0
    )
    refused = run(*trust, "--builder-id", "https://example.com/other", release / SDIST)
    assert refused.exit_code == 4
    assert (
        f"builder not in the allow-list; expected https://example.com/other; found {BUILDER_ID}"
        in refused.stdout
    )


def test_missing_evidence_warns_or_fails_with_require(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    evidence = release.parent / "evidence"
    (evidence / f"{SDIST}.cdx.sigstore.json").unlink()
    trust = ("--trust-config", instance.trust_config_path, "--repository", "acme/widget")
    warned = run(*trust, release / SDIST)
    assert warned.exit_code == 0, warned.output
    assert "! sbom: no verified sbom (use --require sbom to make this a failure)" in warned.stdout
    required = run(*trust, "--require", "sbom", release / SDIST)
    assert required.exit_code == 4
    assert "✗ required sbom: no verified sbom evidence" in required.stdout


def test_no_evidence_at_all_fails(
    run: Callable[..., Result], instance: LocalSigstore, tmp_path: Path
) -> None:
    lonely = tmp_path / "dist" / SDIST
    lonely.parent.mkdir()
    lonely.write_bytes(b"x")
    result = run("--trust-config", instance.trust_config_path, "--repository", "acme/widget", lonely)
    assert result.exit_code == 4
    assert "✗ evidence: no signature, attestation or provenance found beside the artifact" in result.stdout


def test_gitlab_repository_policy_is_matched_on_gitlab_claims(instance: LocalSigstore, release: Path) -> None:
    report = verify_artifacts(
        [release / SDIST],
        RepositoryPolicy.parse("https://gitlab.com/acme/widget"),
        TrustSource(kind="trust-config", path=instance.trust_config_path),
    )
    assert not report.ok
    signer = next(check for check in report.artifacts[0].checks if check.name == "signer")
    assert signer.reason is not None
    assert signer.reason.startswith(f"issuer: expected https://gitlab.com, found {GITHUB_ISSUER}")


L3_BUILDER = "https://github.com/acme/widget/.github/workflows/l3-builder.yml@refs/tags/v1.0"


def test_builder_id_must_be_the_signing_workflow(
    run: Callable[..., Result], instance: LocalSigstore, github_signer: Signer, tmp_path: Path
) -> None:
    """An L2 workflow that writes an L3 builder's id into its statement is refused."""
    forged = write_release(
        github_signer,
        tmp_path / "forged",
        {SDIST: ARTIFACTS[SDIST]},
        predicate=provenance_predicate(builder_id=L3_BUILDER),
    )
    args = (
        "--trust-config",
        instance.trust_config_path,
        "--repository",
        "acme/widget",
        "--builder-id",
        L3_BUILDER,
    )
    refused = run(*args, forged / SDIST)
    assert refused.exit_code == 4
    assert (
        f"the statement claims builder {L3_BUILDER}, but it was signed by workflow {BUILDER_ID}"
        in refused.stdout
    )
    # Without an allow-list nothing is claimed about the builder, and the release verifies.
    assert (
        run(
            "--trust-config", instance.trust_config_path, "--repository", "acme/widget", forged / SDIST
        ).exit_code
        == 0
    )


def test_a_personal_signature_cannot_vouch_for_a_builder(
    run: Callable[..., Result], instance: LocalSigstore, email_signer: Signer, tmp_path: Path
) -> None:
    release = write_release(email_signer, tmp_path / "personal", {SDIST: ARTIFACTS[SDIST]})
    refused = run(
        "--trust-config",
        instance.trust_config_path,
        "--identity",
        EMAIL,
        "--issuer",
        instance.email_issuer,
        "--builder-id",
        BUILDER_ID,
        release / SDIST,
    )
    assert refused.exit_code == 4
    assert "not by a build platform's workflow identity: the builder id is only claimed" in refused.stdout
