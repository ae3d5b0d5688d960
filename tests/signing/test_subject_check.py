"""``pyprov sign`` signs a statement only about the artifact it signs: one subject, its name and SHA-256."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pyprov.testing.sigstore import LocalSigstore

PYPROV = [sys.executable, "-m", "pyprov"]


def statement(*subjects: tuple[str, str]) -> dict[str, Any]:
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": digest}} for name, digest in subjects],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "x", "externalParameters": {}}, "runDetails": {}},
    }


@pytest.mark.parametrize(
    ("subjects", "problem"),
    [
        ((("evil-1.0.tar.gz", "ours"), ("x", "ours")), "has 2 subjects, not exactly this artifact"),
        ((("evil-1.0.tar.gz", "ours"),), "is about 'evil-1.0.tar.gz'"),
        ((("a-1.0.tar.gz", "0" * 64),), "is about 'a-1.0.tar.gz' (sha256 '0000"),
        ((), "has 0 subjects"),
    ],
)
def test_sign_refuses_a_statement_about_other_files(
    tmp_path: Path, local_sigstore: LocalSigstore, subjects: tuple[tuple[str, str], ...], problem: str
) -> None:
    dist, evidence = tmp_path / "dist", tmp_path / "evidence"
    dist.mkdir()
    evidence.mkdir()
    artifact = dist / "a-1.0.tar.gz"
    artifact.write_bytes(b"not really an sdist")
    ours = hashlib.sha256(artifact.read_bytes()).hexdigest()
    resolved = [(name, ours if digest == "ours" else digest) for name, digest in subjects]
    (evidence / "a-1.0.tar.gz.intoto.json").write_text(json.dumps(statement(*resolved)))
    token = local_sigstore.identity_token(email="rm@example.com")
    done = subprocess.run(
        [*PYPROV, "sign", "--trust-config", str(local_sigstore.trust_config_path), str(artifact)],
        env={"SIGSTORE_ID_TOKEN": token, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("error: the provenance statement of a-1.0.tar.gz "), first
    assert problem in first
    assert first.endswith("; nothing was signed")
    assert sorted(p.name for p in evidence.iterdir()) == ["a-1.0.tar.gz.intoto.json"]
    assert sorted(p.name for p in dist.iterdir()) == ["a-1.0.tar.gz"]
    assert local_sigstore.requests == []  # refused before asking for a certificate or a log entry
