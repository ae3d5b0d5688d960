"""Tampered twins: each must fail with a precise reason and exit code 4, never a traceback."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pyprov.testing.sigstore import DEFAULT_EMAIL_ISSUER, LocalSigstore

from ._release import SDIST, WHEEL, WORKFLOW, Signer, provenance_predicate, sha256, write_release

EVIDENCE = ("evidence",)


def _policy(instance: LocalSigstore) -> tuple[str | Path, ...]:
    return (
        "--trust-config",
        instance.trust_config_path,
        "--repository",
        "acme/widget",
        "--workflow",
        "release.yml",
    )


def _failing_line(result: Result, check: str) -> str:
    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output
    assert "error: 1 of 1 artifacts failed verification" in result.stderr
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith(f"✗ {check}")]
    assert lines, result.stdout
    return lines[0]


def test_flipped_byte_in_the_artifact(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    artifact = release / SDIST
    data = bytearray(artifact.read_bytes())
    data[3] ^= 0x01
    artifact.write_bytes(bytes(data))
    result = run(*_policy(instance), artifact)
    assert result.exit_code == 4
    assert "✗ signature [" in result.stdout
    assert "Bundle message digest mismatch" in result.stdout
    subject = _failing_line(result, "subject")
    assert "the statement is about another file: SHA-256 differs" in subject
    assert f"found {SDIST} sha256:{sha256(b'an sdist of widget 1.0' + bytes([10]))}" in subject


def test_another_artifacts_bundles(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    evidence = release.parent / "evidence"
    for suffix in (".sigstore.json", ".intoto.sigstore.json", ".cdx.sigstore.json"):
        shutil.copy(evidence / f"{WHEEL}{suffix}", evidence / f"{SDIST}{suffix}")
    (release / f"{SDIST}.slsa.attestation").unlink()
    result = run(*_policy(instance), release / SDIST)
    assert "Bundle message digest mismatch" in _failing_line(result, "signature")
    assert f"SHA-256 differs; expected {SDIST} sha256:" in _failing_line(result, "subject")


def test_subject_naming_another_file(
    run: Callable[..., Result], instance: LocalSigstore, github_signer: Signer, release: Path
) -> None:
    digest = sha256((release / SDIST).read_bytes())
    bundle = github_signer.dsse(
        {"other-1.0.tar.gz": digest}, "https://slsa.dev/provenance/v1", provenance_predicate()
    )
    path = release.parent / "evidence" / f"{SDIST}.intoto.sigstore.json"
    path.write_text(bundle.to_json())
    line = _failing_line(run(*_policy(instance), release / SDIST), "subject")
    assert "the statement names another file: 'other-1.0.tar.gz'" in line


def test_two_subjects(
    run: Callable[..., Result], instance: LocalSigstore, github_signer: Signer, release: Path
) -> None:
    digest = sha256((release / SDIST).read_bytes())
    subjects = {SDIST: digest, WHEEL: sha256((release / WHEEL).read_bytes())}
    bundle = github_signer.dsse(subjects, "https://slsa.dev/provenance/v1", provenance_predicate())
    (release.parent / "evidence" / f"{SDIST}.intoto.sigstore.json").write_text(bundle.to_json())
    line = _failing_line(run(*_policy(instance), release / SDIST), "subject")
    assert "statement has 2 subjects: exactly one is allowed" in line


def test_unknown_predicate_type(
    run: Callable[..., Result], instance: LocalSigstore, github_signer: Signer, release: Path
) -> None:
    digest = sha256((release / SDIST).read_bytes())
    bundle = github_signer.dsse({SDIST: digest}, "https://example.com/made-up/v1", {"x": 1})
    (release.parent / "evidence" / f"{SDIST}.intoto.sigstore.json").write_text(bundle.to_json())
    line = _failing_line(run(*_policy(instance), release / SDIST), "predicate type")
    assert "unknown predicate type 'https://example.com/made-up/v1'" in line


def test_provenance_from_another_repository(
    run: Callable[..., Result], instance: LocalSigstore, github_signer: Signer, release: Path
) -> None:
    digest = sha256((release / SDIST).read_bytes())
    predicate = provenance_predicate(repository="https://github.com/evil/widget", ref="refs/heads/evil")
    bundle = github_signer.dsse({SDIST: digest}, "https://slsa.dev/provenance/v1", predicate)
    (release.parent / "evidence" / f"{SDIST}.intoto.sigstore.json").write_text(bundle.to_json())
    result = run(*_policy(instance), release / SDIST)
    assert "found https://github.com/evil/widget" in _failing_line(result, "source repository")
    assert "expected refs/tags/v1.0; found refs/heads/evil" in _failing_line(result, "source ref")


def test_bundle_from_another_trust_root(
    run: Callable[..., Result], instance: LocalSigstore, local_sigstore: LocalSigstore, tmp_path: Path
) -> None:
    # Same identity, same files, but signed by a second instance: its CA is not trusted.
    dist = write_release(Signer(local_sigstore, local_sigstore.github_token(WORKFLOW)), tmp_path / "other")
    result = run(*_policy(instance), dist / SDIST)
    line = _failing_line(result, "signature")
    assert "certificate" in line.lower() or "chain" in line.lower(), line
    signer = _failing_line(result, "signer")
    assert "not established: the signature did not verify" in signer


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (
            ["--repository", "acme/gadget"],
            "repository: expected https://github.com/acme/gadget, found https://github.com/acme/widget",
        ),
        (
            ["--repository", "acme/widget", "--workflow", "nightly.yml"],
            (
                "workflow: expected https://github.com/acme/widget/.github/workflows/nightly.yml@<ref>, "
                "found https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.0"
            ),
        ),
        (
            ["--repository", "acme/widget", "--ref", "refs/tags/v2.0"],
            "ref: expected refs/tags/v2.0, found refs/tags/v1.0",
        ),
        (
            ["--repository", "acme/widget", "--ref", "main"],
            "ref: expected refs/tags/main or refs/heads/main, found refs/tags/v1.0",
        ),
        (
            [
                "--identity",
                "someone@example.com",
                "--issuer",
                WORKFLOW_ISSUER := "https://token.actions.githubusercontent.com",
            ],
            "identity: expected someone@example.com, found https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.0",
        ),
        (
            ["--identity", WORKFLOW.build_signer_uri, "--issuer", DEFAULT_EMAIL_ISSUER],
            f"issuer: expected {DEFAULT_EMAIL_ISSUER}, found {WORKFLOW_ISSUER}",
        ),
    ],
    ids=["repository", "workflow", "ref", "short ref", "identity", "issuer"],
)
def test_wrong_signer(
    run: Callable[..., Result], instance: LocalSigstore, release: Path, option: list[str], expected: str
) -> None:
    result = run("--trust-config", instance.trust_config_path, *option, release / WHEEL)
    line = _failing_line(result, "signer")
    assert expected in line
    # Every evidence file fails on its signer, and nothing else is claimed about them.
    assert result.stdout.count("✗ signer") == 4


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("integrated_time_outside_validity", "expired"),
        ("inclusion_proof_for_other_root", "invalid log entry"),
        ("wrong_checkpoint_key_hint", "invalid log entry"),
    ],
)
def test_faulty_log_or_expired_certificate(
    run: Callable[..., Result], local_sigstore: LocalSigstore, tmp_path: Path, fault: str, reason: str
) -> None:
    signer = Signer(local_sigstore, local_sigstore.github_token(WORKFLOW))
    setattr(local_sigstore.faults, fault, True)
    try:
        dist = write_release(signer, tmp_path / "release", {SDIST: b"sdist"})
    finally:
        local_sigstore.faults.reset()
    policy = ("--trust-config", local_sigstore.trust_config_path, "--repository", "acme/widget")
    result = run(*policy, dist / SDIST)
    line = _failing_line(result, "signature")
    assert reason in line.lower(), line
    assert result.stdout.count("✗ signature") == 4


BAD_FILES = {
    "malformed JSON": (
        b'{"mediaType": oops}',
        "✗ parse [{}]: malformed JSON: Expecting value at line 1 column 15",
    ),
    "truncated JSON": (None, "✗ parse [{}]: truncated JSON: "),
    "empty file": (b"", "✗ parse [{}]: empty file"),
    "empty bundle": (b"{}", "✗ bundle [{}]: empty bundle: no verification material and no content"),
    "not an object": (b"[1, 2]", "✗ parse [{}]: expected a JSON object, found an array"),
    "no content": (
        b'{"mediaType": "x"}',
        "✗ bundle [{}]: no content: neither messageSignature nor dsseEnvelope",
    ),
    "not UTF-8": (b'{"a": "\xff"}', "✗ parse [{}]: not UTF-8 text"),
}


@pytest.mark.parametrize(("content", "expected"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_malformed_bundle(
    run: Callable[..., Result], instance: LocalSigstore, release: Path, content: bytes | None, expected: str
) -> None:
    path = release.parent / "evidence" / f"{SDIST}.sigstore.json"
    if content is None:
        content = path.read_bytes()[: len(path.read_bytes()) // 2]
    path.write_bytes(content)
    result = run(*_policy(instance), release / SDIST)
    assert result.exit_code == 4
    assert "Traceback" not in result.output
    assert expected.format(path) in result.stdout


def test_dsse_envelope_with_two_signatures(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    path = release.parent / "evidence" / f"{SDIST}.intoto.sigstore.json"
    bundle = json.loads(path.read_text())
    bundle["dsseEnvelope"]["signatures"].append(dict(bundle["dsseEnvelope"]["signatures"][0]))
    path.write_text(json.dumps(bundle))
    line = _failing_line(run(*_policy(instance), release / SDIST), "bundle")
    assert "DSSE envelope has 2 signatures: exactly one is allowed" in line


def test_malformed_attestation(run: Callable[..., Result], instance: LocalSigstore, release: Path) -> None:
    path = release / f"{SDIST}.slsa.attestation"
    attestation = json.loads(path.read_text())
    attestation["version"] = 2
    path.write_text(json.dumps(attestation))
    line = _failing_line(run(*_policy(instance), release / SDIST), "attestation")
    assert "not a valid PEP 740 attestation: 1 validation error for Attestation" in line


def test_oversized_evidence_is_not_read(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    path = release.parent / "evidence" / f"{SDIST}.sigstore.json"
    with path.open("r+b") as file:
        file.truncate((32 << 20) + 1)
    line = _failing_line(run(*_policy(instance), release / SDIST), "read")
    assert "larger than 32 MiB (33554433 bytes): not read as evidence" in line


def test_evidence_that_is_not_a_file_is_ignored(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    path = release.parent / "evidence" / f"{SDIST}.sigstore.json"
    path.unlink()
    path.mkdir()
    result = run(*_policy(instance), "--require", "provenance", release / SDIST)
    assert result.exit_code == 0, result.output
    assert f"{SDIST}.sigstore.json" not in result.stdout


@pytest.mark.parametrize("content", [b"{", b"", b'{"dsseEnvelope": {"signatures": "x"}}', b"\x00" * 64])
def test_subprocess_never_prints_a_traceback(
    run_process: Callable[..., object], instance: LocalSigstore, release: Path, content: bytes
) -> None:
    path = release.parent / "evidence" / f"{SDIST}.intoto.sigstore.json"
    path.write_bytes(content)
    done = run_process(*_policy(instance), release / SDIST)
    assert done.returncode == 4, done.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in done.stderr  # type: ignore[attr-defined]
    assert "error: 1 of 1 artifacts failed verification" in done.stderr  # type: ignore[attr-defined]


def test_terminal_escapes_in_a_statement_are_not_printed(
    run: Callable[..., Result], instance: LocalSigstore, github_signer: Signer, release: Path
) -> None:
    digest = sha256((release / SDIST).read_bytes())
    bundle = github_signer.dsse(
        {"\x1b[2Jevil.tar.gz": digest}, "https://slsa.dev/provenance/v1", provenance_predicate()
    )
    (release.parent / "evidence" / f"{SDIST}.intoto.sigstore.json").write_text(bundle.to_json())
    result = run(*_policy(instance), release / SDIST)
    assert "\x1b" not in result.stdout
    assert "names another file: '\\x1b[2Jevil.tar.gz'" in _failing_line(result, "subject")
