"""A local Sigstore instance on 127.0.0.1 — FOR TESTS ONLY.

!!! INSECURE: NEVER USE IT TO SIGN OR VERIFY ANYTHING REAL !!!
Its CA, CT and Rekor keys are generated in memory and thrown away when it stops; identity tokens
are HS256 JWTs signed with a per-instance secret; there is no TLS; anyone who can reach the port
gets certificates for any identity the instance mints tokens for. A bundle it produced proves
nothing outside the test that made it.

What it serves, on one port chosen by the OS (``http://127.0.0.1:PORT``):

- Fulcio ``POST /api/v2/signingCert`` (and ``GET /api/v2/trustBundle``): certificates for the
  CSR's key, with the SAN, issuer and GitHub Actions extensions that the identity token's claims
  justify, and one embedded SCT from the instance's CT log key.
- Rekor v1 ``POST /api/v1/log/entries`` for ``hashedrekord`` and ``dsse`` 0.0.1 (plus the GET
  and ``retrieve`` endpoints the sigstore CLI uses): an RFC 6962 Merkle tree, inclusion proofs,
  signed checkpoints and signed entry timestamps.
- A GitHub Actions-style token endpoint ``GET /oidc/token?audience=...`` (``Authorization:
  bearer <request token>``), so ambient credential detection (the ``id`` package) runs for real.

The client trust config (``trust_config.json``) is written into the instance's directory; both
``ClientTrustConfig.from_json`` and ``sigstore --trust-config FILE`` accept it. `Faults` switches
failures on at runtime (``instance.faults.bad_sct = True``). ``python -m pyprov.testing.sigstore
serve --dir D`` runs an instance until SIGINT or SIGTERM.
"""

from ._faults import SERVICES, Faults, Service
from ._instance import DEFAULT_EMAIL, DEFAULT_TOKEN_LIFETIME, TRUST_CONFIG_FILE, LocalSigstore
from ._oidc import DEFAULT_EMAIL_ISSUER, GITHUB_ISSUER, GitHubWorkflowIdentity
from ._server import RecordedRequest

__all__ = [
    "DEFAULT_EMAIL",
    "DEFAULT_EMAIL_ISSUER",
    "DEFAULT_TOKEN_LIFETIME",
    "GITHUB_ISSUER",
    "SERVICES",
    "TRUST_CONFIG_FILE",
    "Faults",
    "GitHubWorkflowIdentity",
    "LocalSigstore",
    "RecordedRequest",
    "Service",
]
