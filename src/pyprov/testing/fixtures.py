"""pytest fixtures for tests that sign and verify against a local Sigstore instance (TESTS ONLY).

Not registered as a pytest plugin (no entry point): a test suite opts in from a ``conftest.py``.
In the root ``conftest.py``::

    pytest_plugins = ["pyprov.testing.fixtures"]

or in any ``conftest.py`` (this form keeps ruff's F401/F811 quiet when other fixtures of that
file take ``local_sigstore`` as a parameter)::

    from pyprov.testing import fixtures

    local_sigstore = fixtures.local_sigstore
"""

from __future__ import annotations

from collections.abc import Iterator

try:
    import pytest
except ImportError as error:  # pragma: no cover - pytest is in the dev environment
    raise ImportError(
        "pyprov.testing.fixtures needs pytest: install pyprov[testing] (pyprov.testing.sigstore does not)"
    ) from error

from .sigstore import LocalSigstore


@pytest.fixture
def local_sigstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSigstore]:
    """Yield a running `LocalSigstore` (fresh keys, no faults) whose files live in a temp dir."""
    with LocalSigstore(tmp_path_factory.mktemp("local-sigstore")) as instance:
        yield instance
