"""``python -m pyprov.testing.sigstore serve --dir D`` as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sigstore.models import ClientTrustConfig
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext
from sigstore.verify import Verifier
from sigstore.verify.policy import Identity

import pyprov.testing
from pyprov.testing.sigstore import DEFAULT_EMAIL_ISSUER

_SRC = Path(pyprov.testing.__file__).resolve().parents[2]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_until_signalled(tmp_path: Path, stop_signal: signal.Signals) -> None:
    directory = tmp_path / "instance"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_SRC), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "pyprov.testing.sigstore", "serve", "--dir", str(directory)]
    command += ["--email", "ci@example.com"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    ) as process:
        try:
            deadline = time.monotonic() + 20
            while not (directory / "identity_token").exists():
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the instance did not start"
                time.sleep(0.05)

            config = ClientTrustConfig.from_json((directory / "trust_config.json").read_text())
            token = IdentityToken((directory / "identity_token").read_text().strip())
            with SigningContext.from_trust_config(config).signer(token) as signer:
                bundle = signer.sign_artifact(b"data")
            policy = Identity(identity="ci@example.com", issuer=DEFAULT_EMAIL_ISSUER)
            Verifier(trusted_root=config.trusted_root).verify_artifact(b"data", bundle, policy)
            details = json.loads((directory / "instance.json").read_text())
            assert (
                details["github_env"]["ACTIONS_ID_TOKEN_REQUEST_URL"] == details["base_url"] + "/oidc/token"
            )
        finally:
            process.send_signal(stop_signal)
            stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert stderr == ""
    assert "INSECURE, FOR TESTS ONLY" in stdout
    assert f"export ACTIONS_ID_TOKEN_REQUEST_URL={details['base_url']}/oidc/token" in stdout
    assert stdout.rstrip().endswith("stopped")
