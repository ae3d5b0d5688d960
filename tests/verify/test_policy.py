"""Signer policies on decoded certificate identities (no signing needed)."""

from __future__ import annotations

import pytest

from pyprov.verify import CertificateIdentity, IdentityPolicy, RepositoryPolicy, policy_from_publisher
from pyprov.verify.policy import GITHUB_ISSUER, AnyOfPolicy

REPO = "https://github.com/acme/widget"
CONFIG = f"{REPO}/.github/workflows/release.yml@refs/tags/v1.0"
SIGNER = CertificateIdentity(
    sans=(CONFIG,),
    issuer=GITHUB_ISSUER,
    source_repository_uri=REPO,
    source_repository_ref="refs/tags/v1.0",
    source_repository_digest="a" * 40,
    build_config_uri=CONFIG,
)


@pytest.mark.parametrize(
    ("text", "forge", "path"),
    [
        ("acme/widget", "github", "acme/widget"),
        ("https://github.com/acme/widget", "github", "acme/widget"),
        ("https://github.com/acme/widget.git/", "github", "acme/widget"),
        ("https://gitlab.com/group/sub/project", "gitlab", "group/sub/project"),
    ],
)
def test_repository_forms(text: str, forge: str, path: str) -> None:
    policy = RepositoryPolicy.parse(text)
    assert (policy.forge, policy.repository) == (forge, path)


@pytest.mark.parametrize(
    "text", ["acme", "acme/widget/extra", "../x", "acme/..", "http://github.com/a/b", "a b/c"]
)
def test_bad_repositories(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a repository|unsupported repository URL"):
        RepositoryPolicy.parse(text)


@pytest.mark.parametrize("workflow", ["../release.yml", "sub/release.yml", ""])
def test_bad_workflows(workflow: str) -> None:
    with pytest.raises(ValueError, match="not a workflow file name"):
        RepositoryPolicy.parse("acme/widget", workflow=workflow)


@pytest.mark.parametrize(
    ("workflow", "ref", "problems"),
    [
        (None, None, []),
        ("release.yml", None, []),
        ("release.yml", "v1.0", []),
        ("release.yml", "refs/tags/v1.0", []),
        (None, "a" * 40, []),
        ("release", None, [f"workflow: expected {REPO}/.github/workflows/release@<ref>, found {CONFIG}"]),
        (None, "refs/heads/v1.0", ["ref: expected refs/heads/v1.0, found refs/tags/v1.0"]),
        (None, "b" * 40, [f"ref: expected {'b' * 40}, found {'a' * 40}"]),
    ],
)
def test_repository_policy(workflow: str | None, ref: str | None, problems: list[str]) -> None:
    assert RepositoryPolicy.parse("acme/widget", workflow=workflow, ref=ref).mismatches(SIGNER) == problems


def test_build_config_ref_must_be_the_certificates_own() -> None:
    # A build config naming another ref than the certificate's source ref is refused, as PyPI does.
    forged = CertificateIdentity(
        sans=SIGNER.sans,
        issuer=GITHUB_ISSUER,
        source_repository_uri=REPO,
        source_repository_ref="refs/heads/evil",
        build_config_uri=CONFIG,
    )
    problems = RepositoryPolicy.parse("acme/widget", workflow="release.yml").mismatches(forged)
    assert problems == [f"workflow: expected {REPO}/.github/workflows/release.yml@<ref>, found {CONFIG}"]


def test_workflow_prefix_is_not_a_substring_match() -> None:
    other = CertificateIdentity(
        sans=(),
        issuer=GITHUB_ISSUER,
        source_repository_uri=REPO,
        source_repository_ref="refs/tags/v1.0",
        build_config_uri=f"{REPO}/.github/workflows/release.yml.evil@refs/tags/v1.0",
    )
    assert RepositoryPolicy.parse("acme/widget", workflow="release.yml").mismatches(other)


def test_gitlab_build_config() -> None:
    base = "https://gitlab.com/group/project"
    signer = CertificateIdentity(
        sans=(),
        issuer="https://gitlab.com",
        source_repository_uri=base,
        source_repository_ref="refs/heads/main",
        build_config_uri=f"{base}//.gitlab-ci.yml@refs/heads/main",
    )
    assert RepositoryPolicy.parse(base, workflow=".gitlab-ci.yml").mismatches(signer) == []
    assert RepositoryPolicy.parse(base, workflow="other.yml").mismatches(signer)


def test_missing_extensions_are_mismatches() -> None:
    bare = CertificateIdentity(sans=("a@example.com",), issuer="https://accounts.google.com")
    assert RepositoryPolicy.parse("acme/widget").mismatches(bare) == [
        f"issuer: expected {GITHUB_ISSUER}, found https://accounts.google.com",
        f"repository: expected {REPO}, found none",
        f"workflow: expected {REPO}/.github/workflows/..., found no build config URI",
    ]


def test_identity_policy() -> None:
    policy = IdentityPolicy(identity=CONFIG, issuer=GITHUB_ISSUER)
    assert policy.mismatches(SIGNER) == []
    assert IdentityPolicy(identity="x@example.com", issuer="https://other").mismatches(SIGNER) == [
        f"issuer: expected https://other, found {GITHUB_ISSUER}",
        f"identity: expected x@example.com, found {CONFIG}",
    ]


def test_any_of() -> None:
    good = RepositoryPolicy.parse("acme/widget")
    bad = RepositoryPolicy.parse("acme/other")
    assert AnyOfPolicy((bad, good)).mismatches(SIGNER) == []
    assert AnyOfPolicy((bad,)).mismatches(SIGNER)
    assert AnyOfPolicy(()).mismatches(SIGNER) == ["no signer is allowed (empty policy)"]


def test_publishers() -> None:
    github = policy_from_publisher({"kind": "GitHub", "repository": "acme/widget", "workflow": "release.yml"})
    assert github == RepositoryPolicy(forge="github", repository="acme/widget", workflow="release.yml")
    gitlab = policy_from_publisher(
        {"kind": "GitLab", "repository": "g/p", "workflow_filepath": ".gitlab-ci.yml"}
    )
    assert gitlab == RepositoryPolicy(forge="gitlab", repository="g/p", workflow=".gitlab-ci.yml")
    google = policy_from_publisher({"kind": "Google", "email": "sa@p.iam.gserviceaccount.com"})
    assert google == IdentityPolicy(
        identity="sa@p.iam.gserviceaccount.com", issuer="https://accounts.google.com"
    )
    with pytest.raises(ValueError, match="unsupported publisher kind"):
        policy_from_publisher({"kind": "GitHub"})
