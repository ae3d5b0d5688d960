"""Fixtures for the tests of pyprov.testing: the local Sigstore instance and sigstore clients.

The root conftest.py already fails any connection beyond loopback (its autouse `_loopback_only`).
"""

from __future__ import annotations

import pytest
from sigstore.models import ClientTrustConfig
from sigstore.sign import SigningContext
from sigstore.verify import Verifier

from pyprov.testing.sigstore import LocalSigstore


@pytest.fixture
def trust_config(local_sigstore: LocalSigstore) -> ClientTrustConfig:
    """Return the trust config as a user would load it: from the file the instance wrote."""
    return ClientTrustConfig.from_json(local_sigstore.trust_config_path.read_text())


@pytest.fixture
def signing_context(trust_config: ClientTrustConfig) -> SigningContext:
    return SigningContext.from_trust_config(trust_config)


@pytest.fixture
def verifier(trust_config: ClientTrustConfig) -> Verifier:
    return Verifier(trusted_root=trust_config.trusted_root)
