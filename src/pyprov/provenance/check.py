"""Checking statements with in-toto-attestation's protobuf models, and reading them from files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
from in_toto_attestation.v1.statement import Statement

from pyprov._internal.untrusted import load_json, read_untrusted
from pyprov.errors import ProjectError
from pyprov.provenance.statement import PREDICATE_TYPE


def check_statement(statement: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` unless ``statement`` is a valid in-toto Statement v1.

    The statement is parsed into in-toto-attestation's protobuf models (unknown fields
    are errors) and checked with their ``validate``; an SLSA Provenance v1 predicate
    is parsed too, and its required fields and resource descriptors checked. The
    message says where the problem is (a dotted path).
    """
    try:
        message = json_format.ParseDict(statement, statement_pb2.Statement())
        Statement.copy_from_pb(message).validate()
    except (json_format.ParseError, ValueError) as error:
        raise ValueError(f"statement: {error}") from error
    if statement.get("predicateType") == PREDICATE_TYPE:
        _check_provenance(statement["predicate"])


def _check_provenance(predicate: Mapping[str, Any]) -> None:
    try:
        provenance = json_format.ParseDict(predicate, provenance_pb2.Provenance())
    except json_format.ParseError as error:
        raise ValueError(f"predicate: {error}") from error
    definition, details = provenance.build_definition, provenance.run_details
    missing = [
        path
        for path, present in (
            ("predicate.buildDefinition.buildType", bool(definition.build_type)),
            (
                "predicate.buildDefinition.externalParameters",
                "externalParameters" in predicate.get("buildDefinition", {}),
            ),
            ("predicate.runDetails.builder.id", bool(details.builder.id)),
        )
        if not present
    ]
    if missing:
        raise ValueError(f"required field(s) missing or empty: {', '.join(missing)}")
    descriptors = (
        ("predicate.buildDefinition.resolvedDependencies", definition.resolved_dependencies),
        ("predicate.runDetails.builder.builderDependencies", details.builder.builder_dependencies),
        ("predicate.runDetails.byproducts", details.byproducts),
    )
    for path, items in descriptors:
        for index, item in enumerate(items):
            try:
                ResourceDescriptor.copy_from_pb(item).validate()
            except ValueError as error:
                raise ValueError(f"{path}[{index}]: {error}") from error


MAX_STATEMENT_BYTES = 16 << 20
"""Statements are small; a larger file is refused unread (files pyprov reads are untrusted)."""


def load_statement(path: Path) -> dict[str, Any]:
    """Read and check the statement in ``path`` (an ``.intoto.json`` file).

    Raises :class:`~pyprov.errors.ProjectError` naming the file when it cannot be
    read, is not JSON, or is not a valid statement.
    """
    data = load_json(read_untrusted(path, limit=MAX_STATEMENT_BYTES, what="a statement"), path)
    if not isinstance(data, dict):
        raise ProjectError(f"{path} is not an in-toto statement: expected a JSON object")
    try:
        check_statement(data)
    except ValueError as error:
        raise ProjectError(f"{path} is not a valid in-toto statement: {error}") from error
    return data
