"""pyprov run on the release fixture: real make, real git, provenance per product."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pyprov._cli.run import run_command
from pyprov.errors import BuildFailedError, ProjectError
from pyprov.provenance import LOCAL_BUILDER_ID
from pyprov.run import RunOptions, RunRecord, record_run, redact_command

PRODUCTS = ("release-1.0-docs.zip", "release-1.0.tar.gz")
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZWxlYXNlLW1hbmFnZXIifQ.c2lnbmF0dXJl"


def run_make(release: Path, *target: str, **options: Any) -> Any:
    return record_run(
        RunOptions(
            command=("make", *target),
            products=("dist/*",),
            materials=("Makefile", "Modules/**/*", "src/*.c"),
            workdir=release,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **options,
        )
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_make_dist_is_recorded(
    release: Path, validate_statement: Callable[[Any], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGSTORE_ID_TOKEN", TOKEN)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=release, capture_output=True, text=True, check=True
    ).stdout.strip()

    result = run_make(release, "dist")

    assert result.succeeded
    assert sorted(path.name for path in result.products) == list(PRODUCTS)
    evidence = release / "evidence"
    assert sorted(p.name for p in evidence.iterdir()) == sorted(
        [".gitignore", *(f"{name}{suffix}" for name in PRODUCTS for suffix in (".run.json", ".intoto.json"))]
    )
    for name in PRODUCTS:
        product = release / "dist" / name
        statement = json.loads((evidence / f"{name}.intoto.json").read_text())
        validate_statement(statement)
        assert statement["subject"] == [{"name": name, "digest": {"sha256": sha256(product)}}]
        definition = statement["predicate"]["buildDefinition"]
        assert definition["externalParameters"] == {
            "command": ["make", "dist"],
            "source": {"repository": "https://example.org/acme/release.git", "ref": "refs/heads/main"},
            "materials": ["Makefile", "Modules/**/*", "src/*.c"],
            "products": ["dist/*"],
            "sourceDateEpoch": 1700000000,
        }
        assert definition["internalParameters"]["credentialsWithheld"] == ["SIGSTORE_ID_TOKEN"]
        assert definition["internalParameters"]["slsaBuildLevel"]["level"] == 1
        dependencies = definition["resolvedDependencies"]
        assert dependencies[0] == {
            "uri": "git+https://example.org/acme/release.git@refs/heads/main",
            "digest": {"gitCommit": commit},
        }
        materials = {item["name"]: item["digest"]["sha256"] for item in dependencies[1:]}
        assert materials["Makefile"] == sha256(release / "Makefile")
        assert materials["Modules/minilib/minilib.c"] == sha256(release / "Modules/minilib/minilib.c")
        assert len(materials) == 7
        details = statement["predicate"]["runDetails"]
        assert details["builder"]["id"] == LOCAL_BUILDER_ID
        record_file = evidence / f"{name}.run.json"
        assert details["byproducts"] == [
            {
                "name": record_file.name,
                "digest": {"sha256": sha256(record_file)},
                "mediaType": "application/json",
            }
        ]
        record = RunRecord.from_dict(json.loads(record_file.read_text()))
        assert record.exit_status == 0
        assert [item.path for item in record.products] == [f"dist/{n}" for n in PRODUCTS]
        assert record.git is not None
        assert record.git.commit == commit
        assert not record.git.dirty
    assert TOKEN not in "".join(p.read_text() for p in evidence.iterdir())
    assert os.environ["SIGSTORE_ID_TOKEN"] == TOKEN  # restored for signing afterwards
    assert not list(evidence.glob(".pyprov-*"))


def test_the_products_are_what_make_alone_makes(release: Path, tmp_path: Path) -> None:
    result = run_make(release, "dist")
    plain = tmp_path / "plain"
    subprocess.run(["cp", "-r", str(release), str(plain)], check=True)
    subprocess.run(["make", "clean", "dist"], cwd=plain, check=True, capture_output=True)
    assert result.record is not None
    for item in result.record.products:
        assert item.digests.sha256 == sha256(plain / item.path)


def test_a_failing_command_writes_nothing_and_passes_its_status_on(release: Path) -> None:
    result = run_make(release, "dist", "fail")  # the products are made, then a step fails
    assert result.exit_status == 2  # make's status when a recipe fails
    assert not result.succeeded
    assert result.record is None
    assert (release / "dist" / "release-1.0.tar.gz").is_file()
    assert not (release / "evidence").exists()


def test_the_exact_status_is_passed_on(release: Path) -> None:
    result = record_run(RunOptions(command=("sh", "-c", "exit 7"), products=("dist/*",), workdir=release))
    assert result.exit_status == 7


def test_the_cli_exits_with_the_commands_status(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(release)
    runner = CliRunner()
    result = runner.invoke(run_command, ["-p", "dist/*", "--", "sh", "-c", "exit 3"])
    assert result.exit_code == 3
    assert "error: sh exited with status 3; no provenance was written" in result.output
    assert not (release / "evidence").exists()


def test_the_cli_records_a_run(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(release)
    result = CliRunner().invoke(run_command, ["-p", "dist/*.tar.gz", "--json", "--", "make", "-s", "dist"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert [item["path"] for item in data["record"]["products"]] == ["dist/release-1.0.tar.gz"]
    assert (release / "evidence" / "release-1.0.tar.gz.intoto.json").is_file()


def test_the_command_never_sees_credentials(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGSTORE_ID_TOKEN", TOKEN)
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token-value")
    monkeypatch.setenv("TWINE_PASSWORD", "pypi-upload-secret")
    script = "import os, json; open('seen-env.json', 'w').write(json.dumps(dict(os.environ))); "
    script += "os.makedirs('out', exist_ok=True); open('out/product.txt', 'w').write('made')"
    result = record_run(
        RunOptions(command=(sys.executable, "-c", script), products=("out/*",), workdir=release)
    )
    seen = json.loads((release / "seen-env.json").read_text())
    assert "SIGSTORE_ID_TOKEN" not in seen
    assert "ACTIONS_ID_TOKEN_REQUEST_TOKEN" not in seen
    assert "TWINE_PASSWORD" not in seen
    assert seen["SOURCE_DATE_EPOCH"] == "1700000000"
    assert result.record is not None
    assert result.record.credentials_withheld == (
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "SIGSTORE_ID_TOKEN",
        "TWINE_PASSWORD",
    )
    assert os.environ["TWINE_PASSWORD"] == "pypi-upload-secret"


def test_secrets_in_the_command_line_are_redacted(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGSTORE_ID_TOKEN", TOKEN)
    command = (
        "make",
        "dist",
        f"ID={TOKEN}",
        "UPLOAD_TOKEN=abc123",
        "MIRROR=https://user:pw@mirror.example.org/simple",
    )
    assert redact_command((*command, "--password", "hunter2", "--api-key=xyz"), os.environ) == (
        "make",
        "dist",
        "ID=***",
        "UPLOAD_TOKEN=***",
        "MIRROR=https://mirror.example.org/simple",
        "--password",
        "***",
        "--api-key=***",
    )
    result = record_run(
        RunOptions(command=command, products=("dist/*",), workdir=release, stdout=subprocess.DEVNULL)
    )
    text = (release / "evidence" / "release-1.0.tar.gz.intoto.json").read_text()
    assert result.succeeded
    assert TOKEN not in text
    assert "abc123" not in text
    assert "user:pw" not in text


def test_no_product_after_success_is_an_error(release: Path) -> None:
    with pytest.raises(
        BuildFailedError, match=r"the command succeeded but no file matches 'wheelhouse/\*\.whl'"
    ):
        record_run(RunOptions(command=("true",), products=("wheelhouse/*.whl",), workdir=release))
    assert not (release / "evidence").exists()


@pytest.mark.parametrize("pattern", ["../outside/*", "/etc/passwd", "dist/../../x", ""])
def test_patterns_that_leave_the_working_directory_are_refused(release: Path, pattern: str) -> None:
    with pytest.raises(ProjectError, match="invalid --product pattern"):
        record_run(RunOptions(command=("true",), products=(pattern,), workdir=release))


def test_a_product_the_command_did_not_touch_is_reported(release: Path) -> None:
    run_make(release, "dist")
    result = run_make(release, "dist")  # make: nothing to be done
    assert result.succeeded
    assert any("dist/release-1.0.tar.gz was not changed by the command" in w for w in result.warnings)


def test_a_missing_command_is_a_project_error(release: Path) -> None:
    with pytest.raises(ProjectError, match="cannot run no-such-command-pyprov"):
        record_run(RunOptions(command=("no-such-command-pyprov",), products=("dist/*",), workdir=release))
