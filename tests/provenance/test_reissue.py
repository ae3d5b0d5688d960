"""The L3 signing job's checks on its own: builder refs, the hand-over list, the workflow inputs.

The whole signing job runs on the simulated runner in ``tests/action/``; these are the
hostile inputs that are quicker to show here: links and FIFOs in the hand-over, paths
that leave it, inputs that are missing or unknown.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from pyprov.errors import ProjectError
from pyprov.inspect.statement import statement_sections
from pyprov.provenance import WORKFLOW_BUILD_TYPE, check_statement, run_level
from pyprov.provenance.reissue import (
    _handover_problems,
    parse_handover_digests,
    release_builder_problem,
)
from pyprov.provenance.workflow import (
    WORKFLOW_INPUTS,
    SigningRun,
    make_workflow_statement,
    package_subdirectory,
    parse_workflow_inputs,
)
from pyprov.record import GitSource
from tests.conftest import SCHEMAS
from tests.provenance.conftest import GITHUB, make_record

WORKFLOW = "https://github.com/pyprov/pyprov/.github/workflows/build-provenance.yml"


@pytest.mark.parametrize("ref", ["refs/tags/v1.2.3", "refs/tags/v10.0.11", "refs/tags/v2.0.0-rc.1"])
def test_a_release_tag_is_a_usable_builder_ref(ref: str) -> None:
    assert release_builder_problem(f"{WORKFLOW}@{ref}") is None


@pytest.mark.parametrize(
    "ref",
    [
        "refs/heads/main",
        "a" * 40,
        "refs/tags/v1",
        "refs/tags/v1.2",
        "refs/tags/latest",
        "refs/tags/v1.2.3/x",
        "refs/pull/1/merge",
        "v1.2.3",
    ],
)
def test_a_branch_a_commit_or_another_tag_is_refused_as_builder_ref(ref: str) -> None:
    assert release_builder_problem(f"{WORKFLOW}@{ref}") == (
        f"the reusable workflow runs at {ref!r}, not at a release tag (refs/tags/vX.Y.Z): "
        "a branch or a major tag can move and a commit cannot show it is a release"
    )


def test_a_builder_that_is_no_workflow_is_refused() -> None:
    assert release_builder_problem("https://example.com/x@refs/tags/v1") == (
        "not a reusable workflow identity: 'https://example.com/x@refs/tags/v1'"
    )


def sums(root: Path) -> str:
    return "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(root).as_posix()}\n"
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    )


def handover(tmp_path: Path) -> Path:
    root = tmp_path / "handover"
    (root / "dist").mkdir(parents=True)
    (root / "evidence").mkdir()
    (root / "dist" / "x-1.0.tar.gz").write_bytes(b"sdist")
    (root / "evidence" / "x-1.0.tar.gz.build.json").write_text("{}")
    return root


def test_an_intact_hand_over_has_no_problem(tmp_path: Path) -> None:
    root = handover(tmp_path)
    listed = parse_handover_digests(sums(root))
    assert _handover_problems(root, listed, [root / "dist" / "x-1.0.tar.gz", root / "evidence"]) == []


def test_a_symbolic_link_in_the_hand_over_is_refused_not_followed(tmp_path: Path) -> None:
    root = handover(tmp_path)
    listed = parse_handover_digests(sums(root))
    (root / "evidence" / "x-1.0.tar.gz.cdx.json").symlink_to("/etc/passwd")
    assert _handover_problems(root, listed, []) == ["evidence/x-1.0.tar.gz.cdx.json: not a regular file"]


def test_a_fifo_in_the_hand_over_is_refused_not_opened(tmp_path: Path) -> None:
    root = handover(tmp_path)
    listed = parse_handover_digests(sums(root))
    os.mkfifo(root / "evidence" / "x-1.0.tar.gz.cdx.json")
    assert _handover_problems(root, listed, []) == ["evidence/x-1.0.tar.gz.cdx.json: not a regular file"]


def test_a_path_outside_the_hand_over_is_refused(tmp_path: Path) -> None:
    root = handover(tmp_path)
    listed = parse_handover_digests(sums(root))
    outside = tmp_path / "elsewhere.whl"
    assert _handover_problems(root, listed, [outside]) == [f"{outside} is not inside the hand-over {root}"]


@pytest.mark.parametrize("path", ["/etc/passwd", "../x.whl", "dist/../../x", "./dist/x.whl", "dist//x.whl"])
def test_hand_over_digests_name_only_plain_relative_paths(path: str) -> None:
    with pytest.raises(ProjectError, match="is not a plain relative path"):
        parse_handover_digests(f"{'0' * 64}  {path}\n")


def inputs(**changes: object) -> str:
    values: dict[str, object] = dict.fromkeys(WORKFLOW_INPUTS, "")
    values.update({"sdist": True, "wheel": True, "package-dir": "."}, **changes)
    return json.dumps(values)


def test_the_workflow_inputs_are_read_whole() -> None:
    assert parse_workflow_inputs(inputs())["sdist"] is True


def test_an_input_the_provenance_would_not_record_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^unknown new-input \(the provenance must record every input\)$"):
        parse_workflow_inputs(inputs(**{"new-input": "x"}))


def test_a_missing_input_is_refused() -> None:
    values = json.loads(inputs())
    del values["extra-args"]
    with pytest.raises(ValueError, match=r"^missing extra-args$"):
        parse_workflow_inputs(json.dumps(values))


@pytest.mark.parametrize(
    ("given", "expected"), [(".", ""), ("", ""), ("pkg/sub/", "pkg/sub"), ("./pkg", "pkg")]
)
def test_package_dir_becomes_the_subdirectory(given: str, expected: str) -> None:
    assert package_subdirectory(given) == expected


@pytest.mark.parametrize("given", ["/abs", "../up", "pkg/../../up"])
def test_package_dir_outside_the_repository_is_refused(given: str) -> None:
    with pytest.raises(ValueError, match="is not a directory inside the repository"):
        package_subdirectory(given)


def workflow_statement() -> dict[str, Any]:
    record = make_record(
        git=GitSource(commit=GITHUB.sha, remote="https://github.com/acme/project"), github=GITHUB
    )
    run = SigningRun(
        github=GITHUB,
        event_name="push",
        inputs=json.loads(inputs(**{"extra-args": "-C\nkey=value"})),
        config_settings={"key": "value"},
    )
    return make_workflow_statement(
        record,
        sha256=record.artifact.digests.sha256,
        run=run,
        builder_id=f"{WORKFLOW}@refs/tags/v1.0.0",
        level=run_level([GITHUB], signing="isolated-reusable-workflow"),
    )


def test_the_workflow_statement_matches_its_schemas() -> None:
    loaded = [json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.schema.json"))]
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in loaded
    )
    by_id = {schema["$id"].rpartition("/")[2]: schema for schema in loaded}
    statement = workflow_statement()
    check_statement(statement)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    for name in ("intoto-statement-v1.schema.json", "slsa-provenance-v1.schema.json"):
        validator = jsonschema.Draft202012Validator(by_id[name], registry=registry, format_checker=checker)
        validator.validate(statement if name.startswith("intoto") else statement["predicate"])
    broken = json.loads(json.dumps(statement))
    broken["predicate"]["buildDefinition"]["externalParameters"]["inputs"]["unrecorded"] = "x"
    validator = jsonschema.Draft202012Validator(by_id["slsa-provenance-v1.schema.json"], registry=registry)
    with pytest.raises(jsonschema.ValidationError, match="unrecorded"):
        validator.validate(broken["predicate"])


def test_inspect_labels_what_the_build_job_reported() -> None:
    text = "\n".join(line for section in statement_sections(workflow_statement()) for line in section.lines)
    assert f"type             {WORKFLOW_BUILD_TYPE}  (pyprov's L3 reusable workflow)" in text
    assert "config settings  key=value" in text
    assert "python           CPython 3.11.7 (the build job's report)" in text
    assert "runner           github-hosted" in text
