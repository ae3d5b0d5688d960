"""Fixtures for ``pyprov posture``: the command runner and the report schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
import jsonschema
import pytest
from click.testing import CliRunner, Result

from tests.conftest import SCHEMAS


@pytest.fixture(scope="session")
def posture_schema() -> dict[str, Any]:
    """``schemas/posture-report-v1.schema.json``, itself checked against draft 2020-12."""
    schema: dict[str, Any] = json.loads((SCHEMAS / "posture-report-v1.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture
def posture() -> Callable[..., Result]:
    """Run ``pyprov posture ARGS`` in-process with click's runner."""
    from pyprov._cli import main

    command: click.Group = main

    def invoke(*args: object) -> Result:
        return CliRunner().invoke(command, ["posture", *map(str, args)], catch_exceptions=False)

    return invoke


def facts(report: dict[str, Any], name: str) -> dict[str, tuple[str, str]]:
    """The facts of the item ``name`` of a JSON report: property → (status, value)."""
    item = next(item for item in report["items"] if item["name"] == name)
    return {fact["property"]: (fact["status"], fact["value"]) for fact in item["facts"]}
