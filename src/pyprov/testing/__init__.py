"""Test helpers for pyprov and its users: FOR TESTS ONLY, never for signing anything real.

- `pyprov.testing.sigstore`: a local, throwaway, **insecure** Sigstore instance (Fulcio, Rekor v1,
  an OIDC token endpoint) on 127.0.0.1 that the real sigstore-python client accepts.
- `pyprov.testing.fixtures`: pytest fixtures built on it (import them from a ``conftest.py``);
  needs pytest: ``pip install pyprov[testing]``. Nothing else here imports pytest.
"""
