"""``pyprov build --reproducible``: SOURCE_DATE_EPOCH from the commit, so that builds rebuild bit for bit."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyprov._cli import main
from pyprov.rebuild import RebuildOptions, rebuild_artifact
from tests.conftest import git


@pytest.fixture
def no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SOURCE_DATE_EPOCH; whatever the command sets is undone after the test."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.usefixtures("no_epoch")
def test_reproducible_records_the_commit_time_and_the_build_rebuilds_bit_for_bit(
    project: Callable[..., Path],
) -> None:
    source = project("hatchling-pure", git_init=True)
    committed = int(git(source, "log", "-1", "--format=%ct").strip())
    result = CliRunner().invoke(main, ["build", "-q", "--reproducible", "--sbom-format", "none", str(source)])
    assert result.exit_code == 0, result.stderr
    wheel = next((source / "dist").glob("*.whl"))
    record = json.loads((source / "evidence" / f"{wheel.name}.build.json").read_text())
    assert record["invocation"]["sourceDateEpoch"] == committed
    sdist = next((source / "dist").glob("*.tar.gz"))
    report = rebuild_artifact(RebuildOptions(artifact=wheel, source=str(sdist)))
    assert report.verdict == "identical"
    assert report.environment.source_date_epoch == committed


@pytest.mark.usefixtures("no_epoch")
def test_reproducible_outside_a_git_checkout_asks_for_source_date_epoch(project: Callable[..., Path]) -> None:
    source = project("hatchling-pure")
    result = CliRunner().invoke(main, ["build", "--reproducible", str(source)])
    assert result.exit_code == 2
    expected = "error: --reproducible takes SOURCE_DATE_EPOCH from the git commit: "
    expected += f"{source} is not in a git checkout"
    assert result.stderr.splitlines() == [expected, "hint: set SOURCE_DATE_EPOCH"]
