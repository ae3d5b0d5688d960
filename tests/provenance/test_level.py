"""The SLSA Build level: never more than the facts support."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from pyprov.provenance import BuildLevel, Signing, build_level, make_statement
from pyprov.record import GitHubContext
from tests.provenance.conftest import GITHUB, make_record

SELF_HOSTED = dataclasses.replace(GITHUB, runner_environment="self-hosted")
UNKNOWN_RUNNER = dataclasses.replace(GITHUB, runner_environment=None)
NOT_HOSTED = "the runner is not GitHub-hosted (RUNNER_ENVIRONMENT: "


@pytest.mark.parametrize(
    ("github", "signing", "level", "reason"),
    [
        (None, "unsigned", 1, "the provenance is unsigned"),
        (GITHUB, "unsigned", 1, "the provenance is unsigned"),
        (None, "hosted-identity", 1, "the build did not run in GitHub Actions"),
        (SELF_HOSTED, "hosted-identity", 1, f"{NOT_HOSTED}self-hosted)"),
        (UNKNOWN_RUNNER, "hosted-identity", 1, f"{NOT_HOSTED}None)"),
        (SELF_HOSTED, "isolated-reusable-workflow", 1, "the runner is not GitHub-hosted"),
        (GITHUB, "hosted-identity", 2, "signed with the GitHub Actions workflow identity on a GitHub-hosted"),
        (GITHUB, "isolated-reusable-workflow", 3, "built on a GitHub-hosted runner by the isolated reusable"),
    ],
)
def test_level(github: GitHubContext | None, signing: Signing, level: int, reason: str) -> None:
    result = build_level(make_record(github=github), signing=signing)
    assert result.level == level
    assert result.reason.startswith(reason)
    assert str(result) == f"SLSA Build L{level}"


def test_unsigned_is_the_default() -> None:
    assert build_level(make_record(github=GITHUB)).level == 1


def test_every_build_of_a_group_must_qualify() -> None:
    hosted = make_record(github=GITHUB)
    assert build_level(hosted, make_record(github=None), signing="hosted-identity").level == 1
    assert build_level(hosted, make_record(github=SELF_HOSTED), signing="hosted-identity").level == 1
    assert build_level(hosted, hosted, signing="hosted-identity").level == 2


def test_no_records() -> None:
    with pytest.raises(ValueError, match="at least one build record"):
        build_level()


def test_level_is_stated_in_internal_parameters(validate_statement: Callable[[Any], None]) -> None:
    statement = make_statement([make_record(github=GITHUB)], signing="hosted-identity")
    validate_statement(statement)
    claim = statement["predicate"]["buildDefinition"]["internalParameters"]["slsaBuildLevel"]
    assert claim == build_level(make_record(github=GITHUB), signing="hosted-identity").to_dict()
    assert claim["level"] == 2


@pytest.mark.parametrize(
    ("claim", "github"),
    [
        (BuildLevel(level=2, reason="x", signing="unsigned"), GITHUB),
        (BuildLevel(level=3, reason="x", signing="hosted-identity"), GITHUB),
        (BuildLevel(level=2, reason="x", signing="hosted-identity"), SELF_HOSTED),
        (BuildLevel(level=2, reason="x", signing="hosted-identity"), None),
    ],
)
def test_schema_refuses_overstated_levels(
    schema_validators: dict[str, jsonschema.Draft202012Validator],
    claim: BuildLevel,
    github: GitHubContext | None,
) -> None:
    statement = make_statement([make_record(github=github)])
    statement["predicate"]["buildDefinition"]["internalParameters"]["slsaBuildLevel"] = claim.to_dict()
    with pytest.raises(jsonschema.ValidationError):
        schema_validators["intoto-statement-v1"].validate(statement)
