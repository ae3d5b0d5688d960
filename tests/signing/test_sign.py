"""pyprov's signing, checked by independent consumers: the sigstore CLI, pypi-attestations, twine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pypi_attestations import Attestation, Distribution
from sigstore.hashes import Hashed
from sigstore.verify import policy as sigstore_policy
from sigstore_models.common.v1 import HashAlgorithm

from pyprov.build import BuildOptions, build_project
from pyprov.errors import SigningError
from pyprov.events import BuildEvent
from pyprov.provenance import ProvenanceWriter
from pyprov.signing import SigningPolicy, SigstoreSigner, sign_files
from pyprov.testing.sigstore import GITHUB_ISSUER, LocalSigstore

PYPROV = [sys.executable, "-m", "pyprov"]
EMAIL_ISSUER = "https://oidc.local-sigstore.invalid"


def sigstore_cli_verify(
    instance: LocalSigstore, bundle: Path, artifact: Path, identity: str, issuer: str
) -> None:
    """The real `sigstore verify identity` accepts the bundle for the artifact."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sigstore",
            "--trust-config",
            str(instance.trust_config_path),
            "verify",
            "identity",
            "--cert-identity",
            identity,
            "--cert-oidc-issuer",
            issuer,
            "--bundle",
            str(bundle),
            str(artifact),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"OK: {artifact}" in done.stderr


def test_build_sign_end_to_end_keeps_credentials_from_the_backend(
    project: Callable[..., Path], local_sigstore: LocalSigstore, tmp_path: Path
) -> None:
    source = project("credential-reader")
    seen = tmp_path / "seen.jsonl"
    env = {
        **os.environ,
        "SIGSTORE_ID_TOKEN": local_sigstore.identity_token(email="rm@example.com"),
        "PYPROV_FIXTURE_CREDENTIAL_LOG": str(seen),
    }
    done = subprocess.run(
        [*PYPROV, "build", "--sign", "--trust-config", str(local_sigstore.trust_config_path), str(source)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"signed by rm@example.com (issuer {EMAIL_ISSUER})" in done.stdout
    assert not seen.exists()  # written in the sandbox's private /tmp, gone with it
    dist, evidence = source / "dist", source / "evidence"
    artifacts = sorted(p for p in dist.iterdir() if not p.name.endswith(".attestation"))
    assert len(artifacts) == 2
    for artifact in artifacts:
        for suffix in (".sigstore.json", ".intoto.sigstore.json"):
            sigstore_cli_verify(
                local_sigstore, evidence / (artifact.name + suffix), artifact, "rm@example.com", EMAIL_ISSUER
            )
        assert (dist / (artifact.name + ".slsa.attestation")).is_file()
        assert not (dist / (artifact.name + ".publish.attestation")).exists()
    statement = json.loads((evidence / (artifacts[0].name + ".intoto.json")).read_text())
    level = statement["predicate"]["buildDefinition"]["internalParameters"]["slsaBuildLevel"]
    assert level["signing"] == "personal-identity"
    assert level["level"] == 1

    # pyprov verify closes the loop, then refuses the same wheel with one byte changed.
    verify = [
        *PYPROV,
        "verify",
        "--identity",
        "rm@example.com",
        "--issuer",
        EMAIL_ISSUER,
        "--trust-config",
        str(local_sigstore.trust_config_path),
        "--require",
        "provenance,sbom",
    ]
    done = subprocess.run([*verify, *map(str, artifacts)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified 2 of 2 artifacts" in done.stdout + done.stderr
    wheel = next(p for p in artifacts if p.suffix == ".whl")
    data = bytearray(wheel.read_bytes())
    data[len(data) // 2] ^= 0x01
    wheel.write_bytes(bytes(data))
    done = subprocess.run([*verify, str(wheel)], capture_output=True, text=True, check=False)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.usefixtures("no_credentials")
def test_github_ambient_identity_is_fetched_after_the_build(
    project: Callable[..., Path],
    local_sigstore: LocalSigstore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workflow = local_sigstore.github_workflow
    for name, value in {
        **local_sigstore.github_env(),
        "GITHUB_REPOSITORY": workflow.repository,
        "GITHUB_SHA": workflow.sha,
        "GITHUB_REF": workflow.ref,
        "GITHUB_WORKFLOW_REF": workflow.workflow_ref,
        "GITHUB_RUN_ID": "1",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_SERVER_URL": "https://github.com",
        "RUNNER_ENVIRONMENT": "github-hosted",
    }.items():
        monkeypatch.setenv(name, value)
    source = project("hatchling-pure")
    from pyprov.signing import Instance, identity_source

    identity = identity_source(None, interactive=False)
    assert identity.kind == "ambient"
    assert identity.is_github_actions
    signer = SigstoreSigner(
        SigningPolicy(
            instance=Instance(kind="trust-config", trust_config=local_sigstore.trust_config_path),
            identity=identity,
            pep740_publish=True,
        )
    )
    requests_during_build: list[int] = []

    def on_event(event: BuildEvent) -> None:
        if event.step == "built":
            requests_during_build.append(len(local_sigstore.requests))

    result = build_project(
        BuildOptions(
            srcdir=source, evidence_writers=(ProvenanceWriter(signing="hosted-identity"),), signer=signer
        ),
        on_event=on_event,
    )
    assert requests_during_build == [0, 0]  # nothing asked for a token while backends ran
    assert local_sigstore.requests[0].service == "oidc"
    assert signer.result is not None
    assert signer.result.identity == workflow.build_signer_uri
    assert signer.result.issuer == GITHUB_ISSUER

    verifier = local_sigstore.verifier()
    github_policy = sigstore_policy.AllOf(
        [
            sigstore_policy.OIDCIssuerV2(GITHUB_ISSUER),
            sigstore_policy.OIDCSourceRepositoryURI(f"https://github.com/{workflow.repository}"),
            sigstore_policy.OIDCBuildConfigURI(workflow.build_config_uri),
        ]
    )
    for artifact in result.artifacts:
        distribution = Distribution.from_file(artifact)
        for kind in ("slsa", "publish"):
            attestation = Attestation.model_validate_json(
                (artifact.parent / f"{artifact.name}.{kind}.attestation").read_text()
            )
            _, payload = verifier.verify_dsse(attestation.to_bundle(), github_policy)
            statement = json.loads(payload)
            assert statement["subject"] == [
                {"name": distribution.name, "digest": {"sha256": distribution.digest}}
            ]
    level = json.loads(result.evidence_files[0][1].read_text())
    assert level["predicate"]["buildDefinition"]["internalParameters"]["slsaBuildLevel"]["level"] == 2


def test_sign_files_signs_provenance_found_in_the_evidence(
    built: Path, local_sigstore: LocalSigstore, policy: Callable[..., SigningPolicy]
) -> None:
    artifacts = sorted((built / "dist").iterdir())
    result, signed = sign_files(artifacts, policy())
    assert result.identity == "signer@example.com"
    verifier = local_sigstore.verifier()
    identity = sigstore_policy.Identity(identity="signer@example.com", issuer=EMAIL_ISSUER)
    for artifact, item in zip(artifacts, signed, strict=True):
        assert item.artifact == artifact
        assert sorted(path.name for path in item.files) == sorted(
            [
                f"{artifact.name}.sigstore.json",
                f"{artifact.name}.intoto.sigstore.json",
                f"{artifact.name}.slsa.attestation",
            ]
        )
        from sigstore.models import Bundle

        bundle = Bundle.from_json((built / "evidence" / f"{artifact.name}.sigstore.json").read_text())
        digest = Hashed(
            algorithm=HashAlgorithm.SHA2_256,
            digest=bytes.fromhex(__import__("hashlib").sha256(artifact.read_bytes()).hexdigest()),
        )
        verifier.verify_artifact(digest, bundle, identity)
        provenance = Bundle.from_json(
            (built / "evidence" / f"{artifact.name}.intoto.sigstore.json").read_text()
        )
        _, payload = verifier.verify_dsse(provenance, identity)
        assert payload == (built / "evidence" / f"{artifact.name}.intoto.json").read_bytes()


def test_sbom_is_signed_as_a_cyclonedx_attestation(
    built: Path, local_sigstore: LocalSigstore, policy: Callable[..., SigningPolicy]
) -> None:
    artifact = next((built / "dist").glob("*.whl"))
    sbom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}
    (built / "evidence" / f"{artifact.name}.cdx.json").write_text(json.dumps(sbom))
    sign_files([artifact], policy())
    from sigstore.models import Bundle

    bundle = Bundle.from_json((built / "evidence" / f"{artifact.name}.cdx.sigstore.json").read_text())
    _, payload = local_sigstore.verifier().verify_dsse(
        bundle, sigstore_policy.Identity(identity="signer@example.com", issuer=EMAIL_ISSUER)
    )
    statement = json.loads(payload)
    assert statement["predicateType"] == "https://cyclonedx.org/bom"
    assert statement["predicate"] == sbom
    assert statement["subject"][0]["name"] == artifact.name


def test_expected_identity_mismatch_signs_nothing(
    built: Path, local_sigstore: LocalSigstore, policy: Callable[..., SigningPolicy]
) -> None:
    artifacts = sorted((built / "dist").iterdir())
    before = sorted(p.name for p in (built / "evidence").iterdir())
    with pytest.raises(
        SigningError, match=r"not the expected release-manager@python\.org; nothing was signed"
    ):
        sign_files(artifacts, policy(expect_identity="release-manager@python.org"))
    assert local_sigstore.requests == []  # refused before asking Fulcio for anything
    assert sorted(p.name for p in (built / "evidence").iterdir()) == before
    sign_files(artifacts, policy(expect_identity="signer@example.com", expect_issuer=EMAIL_ISSUER))


FAULTS = [
    ("bad_sct", "could not get a signing certificate from Fulcio .*SCT verify failed"),
    ("chain_too_short", "could not get a signing certificate from Fulcio"),
    ("wrong_checkpoint_key_hint", "does not verify against the trust root"),
    ("inclusion_proof_for_other_root", "does not verify against the trust root"),
    ("integrated_time_outside_validity", "does not verify against the trust root"),
]


@pytest.mark.parametrize(("fault", "message"), FAULTS)
def test_fault_leaves_no_signature(
    built: Path, local_sigstore: LocalSigstore, policy: Callable[..., SigningPolicy], fault: str, message: str
) -> None:
    setattr(local_sigstore.faults, fault, True)
    before = {p.name for p in (built / "evidence").iterdir()} | {p.name for p in (built / "dist").iterdir()}
    with pytest.raises(SigningError, match=message):
        sign_files(sorted((built / "dist").iterdir()), policy())
    after = {p.name for p in (built / "evidence").iterdir()} | {p.name for p in (built / "dist").iterdir()}
    assert after == before


@pytest.mark.parametrize(
    ("service", "message"),
    [
        ("fulcio", r"could not get a signing certificate from Fulcio at the instance of .* after 2 attempts"),
        ("rekor", r"could not sign with Rekor at the instance of .* after 2 attempts"),
    ],
)
def test_service_errors_are_retried_then_reported(
    built: Path,
    local_sigstore: LocalSigstore,
    policy: Callable[..., SigningPolicy],
    service: str,
    message: str,
) -> None:
    local_sigstore.faults.http_500.add(service)  # type: ignore[arg-type]
    with pytest.raises(SigningError, match=message):
        sign_files(sorted((built / "dist").iterdir()), policy())
    attempts = [r for r in local_sigstore.requests if r.service == service and r.method == "POST"]
    assert len(attempts) == 2
    assert not list((built / "evidence").glob("*.sigstore.json"))


def test_a_hung_service_times_out(
    built: Path, local_sigstore: LocalSigstore, policy: Callable[..., SigningPolicy]
) -> None:
    local_sigstore.faults.delay["rekor"] = 30.0
    with pytest.raises(
        SigningError,
        match=r"could not sign with Rekor .* after 1 attempts: TimeoutError: no answer within 1 s",
    ):
        sign_files(sorted((built / "dist").iterdir()), policy(attempts=1, timeout=1.0))


@pytest.mark.usefixtures("no_credentials")
def test_cli_sign_without_identity_fails_cleanly(built: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SIGSTORE_ID_TOKEN", "GITHUB_ACTIONS")}
    done = subprocess.run(
        [*PYPROV, "sign", "--trust-config", "/nonexistent.json", *map(str, (built / "dist").iterdir())],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot read trust config /nonexistent.json")


def build_sdist_signed(
    source: Path, instance: LocalSigstore, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``pyprov build --sdist --sign`` against the local instance, as a real subprocess without a terminal."""
    command = [
        *PYPROV,
        "build",
        "--sdist",
        "--sign",
        "--trust-config",
        str(instance.trust_config_path),
        str(source),
    ]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )


@pytest.mark.usefixtures("no_credentials")
def test_cli_build_sign_without_identity_writes_nothing(
    project: Callable[..., Path], local_sigstore: LocalSigstore
) -> None:
    source = project("flit-core")
    env = {k: v for k, v in os.environ.items() if k not in ("SIGSTORE_ID_TOKEN", "GITHUB_ACTIONS")}
    done = build_sdist_signed(source, local_sigstore, env)
    assert done.returncode == 5
    assert done.stderr.splitlines()[-2:] == [
        "error: no signing identity: nothing to sign with in a non-interactive session",
        (
            "hint: set SIGSTORE_ID_TOKEN or pass --identity-token; in GitHub Actions grant the job "
            "`permissions: id-token: write`"
        ),
    ]
    assert not (source / "dist").exists() or not list((source / "dist").iterdir())


def test_cli_build_sign_fault_reports_the_service(
    project: Callable[..., Path], local_sigstore: LocalSigstore
) -> None:
    source = project("flit-core")
    local_sigstore.faults.http_500.add("fulcio")
    done = build_sdist_signed(
        source, local_sigstore, {**os.environ, "SIGSTORE_ID_TOKEN": local_sigstore.identity_token()}
    )
    assert done.returncode == 5
    last = done.stderr.splitlines()[-1]
    assert last.startswith("error: could not get a signing certificate from Fulcio at the instance of ")
    assert last.endswith("; nothing was written")
    assert "Traceback" not in done.stderr
    assert not list((source / "dist").iterdir())
    assert not list((source / "evidence").iterdir())
