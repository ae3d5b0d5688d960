"""Fixtures for pyprov run: the release fixture as a real git checkout, and a statement validator."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from pyprov.provenance import PREDICATE_TYPE, check_statement
from pyprov.run import GENERIC_BUILD_TYPE
from tests.conftest import FIXTURES, SCHEMAS, git

SCHEMA_FILES = ("intoto-statement-v1", "slsa-provenance-v1", "pyprov-generic-build-type-v1")


@pytest.fixture
def release(
    tmp_path: Path,
    no_credentials: None,  # noqa: ARG001 - requested for its effect: no CI credentials or context
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The release fixture in tmp_path: a committed checkout with a remote; make uses this interpreter."""
    destination = tmp_path / "release"
    shutil.copytree(FIXTURES / "release", destination)
    git(destination, "init", "-q")
    git(destination, "add", ".")
    git(destination, "commit", "-q", "-m", "release 1.0")
    git(destination, "remote", "add", "origin", "https://ci:hunter2@example.org/acme/release.git")
    monkeypatch.setenv("PYTHON", sys.executable)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    return destination


@pytest.fixture(scope="session")
def validate_statement() -> Callable[[Any], None]:
    """check_statement (in-toto-attestation's models) and every schema in schemas/."""
    loaded = {name: json.loads((SCHEMAS / f"{name}.schema.json").read_text()) for name in SCHEMA_FILES}
    for schema in loaded.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in loaded.values()
    )
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    validators = {
        name: jsonschema.Draft202012Validator(schema, registry=registry, format_checker=checker)
        for name, schema in loaded.items()
    }

    def validate(data: Any) -> None:
        check_statement(data)
        validators["intoto-statement-v1"].validate(data)
        assert data["predicateType"] == PREDICATE_TYPE
        validators["slsa-provenance-v1"].validate(data["predicate"])
        definition = data["predicate"]["buildDefinition"]
        assert definition["buildType"] == GENERIC_BUILD_TYPE
        validators["pyprov-generic-build-type-v1"].validate(
            {key: definition[key] for key in ("externalParameters", "internalParameters")}
        )

    return validate


def tool(name: str) -> str | None:
    """A console script of the test environment, else one on PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def path_with(*directories: Path | str) -> str:
    return os.pathsep.join([*(str(d) for d in directories), os.environ.get("PATH", "")])
