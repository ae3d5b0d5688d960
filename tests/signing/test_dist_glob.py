"""``dist/*`` after ``pyprov build --sign``: sign and verify take the distributions, not the attestations."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from pyprov._cli import main
from pyprov.testing.sigstore import LocalSigstore

EMAIL_ISSUER = "https://oidc.local-sigstore.invalid"


def _pyprov(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(map(str, args)), catch_exceptions=False)
    return result.exit_code, result.output


def _dist_glob(dist: Path) -> list[Path]:
    """What the shell makes of ``dist/*``."""
    return sorted(path for path in dist.iterdir() if not path.name.startswith("."))


def test_sign_and_verify_take_dist_glob_with_attestations(built: Path, local_sigstore: LocalSigstore) -> None:
    dist, evidence = built / "dist", built / "evidence"
    trust = ("--trust-config", str(local_sigstore.trust_config_path))
    token = ("--identity-token", local_sigstore.identity_token(email="rm@example.com"))
    code, output = _pyprov("sign", *trust, *token, *_dist_glob(dist))
    assert code == 0, output
    assert len([p for p in dist.iterdir() if p.name.endswith(".slsa.attestation")]) == 2

    # Signing again with dist/* now naming the attestations: they are skipped, not signed.
    glob = _dist_glob(dist)
    assert len(glob) == 4
    code, output = _pyprov("sign", *trust, *token, *glob)
    assert code == 0, output
    assert not [p for p in evidence.iterdir() if ".attestation." in p.name], sorted(evidence.iterdir())

    code, output = _pyprov("verify", *trust, "--identity", "rm@example.com", "--issuer", EMAIL_ISSUER, *glob)
    assert code == 0, output
    assert "verified 2 of 2 artifacts" in output


def test_only_evidence_is_one_clear_error(built: Path, local_sigstore: LocalSigstore) -> None:
    attestation = built / "dist" / "x.whl.slsa.attestation"
    attestation.write_text("{}")
    trust = ("--trust-config", str(local_sigstore.trust_config_path))
    code, output = _pyprov("sign", *trust, attestation)
    assert code == 2
    assert f"error: nothing to sign: {attestation} is evidence" in output
    code, output = _pyprov(
        "verify", *trust, "--identity", "a@example.com", "--issuer", EMAIL_ISSUER, attestation
    )
    assert code == 2
    assert f"error: nothing to verify: {attestation} is evidence" in output
    assert "Traceback" not in output
