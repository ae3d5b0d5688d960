"""Signing tests: the real sigstore client against the local Sigstore instance on loopback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pyprov.build import BuildOptions, build_project
from pyprov.provenance import ProvenanceWriter
from pyprov.signing import IdentitySource, Instance, SigningPolicy
from pyprov.testing.sigstore import LocalSigstore
from tests.conftest import FIXTURES


@pytest.fixture(scope="session")
def _unsigned_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One unsigned build of the hatchling fixture with provenance (shared, never modified)."""
    root = tmp_path_factory.mktemp("unsigned")
    source = root / "project"
    shutil.copytree(FIXTURES / "hatchling-pure", source)
    build_project(BuildOptions(srcdir=source, evidence_writers=(ProvenanceWriter(),)))
    return source


@pytest.fixture
def built(_unsigned_build: Path, tmp_path: Path) -> Path:
    """A private copy of the unsigned build: ``dist/`` and ``evidence/``."""
    copy = tmp_path / "project"
    shutil.copytree(_unsigned_build, copy)
    return copy


@pytest.fixture
def policy(local_sigstore: LocalSigstore) -> Callable[..., SigningPolicy]:
    """A signing policy for the local instance with an email identity and short patience."""

    def make(**changes: object) -> SigningPolicy:
        options: dict[str, object] = {
            "instance": Instance(kind="trust-config", trust_config=local_sigstore.trust_config_path),
            "identity": IdentitySource(kind="token", token=local_sigstore.identity_token()),
            "attempts": 2,
            "backoff": 0.05,
            "timeout": 2.0,
        }
        options.update(changes)
        return SigningPolicy(**options)  # type: ignore[arg-type]

    return make
