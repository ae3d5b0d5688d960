"""The documented ways of using the ``local_sigstore`` fixture from another test suite."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pyprov.testing
from pyprov.testing.sigstore import LocalSigstore

_SRC = Path(pyprov.testing.__file__).resolve().parents[2]

_TEST = """
from sigstore.models import ClientTrustConfig
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext
from sigstore.verify.policy import Identity

from pyprov.testing.sigstore import DEFAULT_EMAIL, DEFAULT_EMAIL_ISSUER


def test_sign_and_verify(local_sigstore):
    config = ClientTrustConfig.from_json(local_sigstore.trust_config_path.read_text())
    with SigningContext.from_trust_config(config).signer(IdentityToken(local_sigstore.identity_token())) as s:
        bundle = s.sign_artifact(b"x")
    policy = Identity(identity=DEFAULT_EMAIL, issuer=DEFAULT_EMAIL_ISSUER)
    local_sigstore.verifier().verify_artifact(b"x", bundle, policy)
"""


@pytest.mark.parametrize(
    "conftest",
    [
        'pytest_plugins = ["pyprov.testing.fixtures"]\n',
        "from pyprov.testing import fixtures\n\nlocal_sigstore = fixtures.local_sigstore\n",
    ],
    ids=["pytest_plugins", "assignment"],
)
def test_a_conftest_can_use_the_fixture(tmp_path: Path, conftest: str) -> None:
    (tmp_path / "conftest.py").write_text(conftest)
    (tmp_path / "test_it.py").write_text(textwrap.dedent(_TEST))
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_SRC), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_fixture_yields_a_running_instance(local_sigstore: LocalSigstore) -> None:
    assert local_sigstore.trust_config_path.is_file()
    assert local_sigstore.faults.http_500 == set()
    assert local_sigstore.base_url.startswith("http://127.0.0.1:")


def test_pyprov_testing_is_importable_without_pytest(tmp_path: Path) -> None:
    # A fresh interpreter in which pytest cannot be imported: the sigstore instance still is.
    blocker = tmp_path / "pytest.py"
    blocker.write_text("raise ImportError('no pytest here')\n")
    code = (
        "import pyprov.testing, pyprov.testing.sigstore\n"
        "try:\n    import pyprov.testing.fixtures\nexcept ImportError as e:\n    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == (
        "pyprov.testing.fixtures needs pytest: install pyprov[testing] (pyprov.testing.sigstore does not)"
    )
