"""The in-toto Statement v1 envelope every statement pyprov writes or signs shares.

Predicates differ (SLSA provenance, a run, a release set, a rebuild); the envelope and its
subjects (name and SHA-256 of each file) are made here, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
"""``_type`` of an in-toto Statement v1."""


def in_toto_statement(
    subjects: Iterable[tuple[str, str]], predicate_type: str, predicate: object
) -> dict[str, Any]:
    """A statement (JSON form) about ``subjects``, ``(file name, sha256)`` pairs, in their order.

    A ``predicate`` of ``None`` leaves it out (PEP 740's publish attestation has none).
    """
    statement: dict[str, Any] = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": sha256}} for name, sha256 in subjects],
        "predicateType": predicate_type,
    }
    if predicate is not None:
        statement["predicate"] = predicate
    return statement
