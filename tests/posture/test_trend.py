"""``pyprov posture DIR1 DIR2 DIR3``: several releases, each one's counts per property, side by side."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import Result


def test_three_releases_counted_per_property_oldest_first(
    three_releases: tuple[list[Path], str],
    posture: Callable[..., Result],
    posture_schema: dict[str, Any],
    tmp_path: Path,
) -> None:
    dists, trust = three_releases
    page = tmp_path / "trend.html"

    result = posture(*dists, "--trust-config", trust, "--html", page)

    assert result.exit_code == 0, result.output
    assert "== 1.0.0 ==\npyprov_fixture_hatchling-1.0.0-py3-none-any.whl\n" in result.stdout
    assert "trend (3 releases; have/checked, +N? unknown):" in result.stdout
    lines = result.stdout.splitlines()
    table = lines[lines.index("trend (3 releases; have/checked, +N? unknown):") + 1 :]
    assert table[0].split() == ["property", "1.0.0", "1.1.0", "1.2.0"]
    rows = {line.split()[0]: line.split()[1:] for line in table[1:11]}
    assert rows["signed"] == ["0/2", "2/2", "2/2"]
    assert rows["tagged"] == ["0/2", "0/2", "2/2"]
    assert rows["clean"] == ["0/0", "+2?", "0/0", "+2?", "2/2"]
    assert rows["pep740"] == ["0/2", "2/2", "2/2"]
    assert rows["sbom"] == ["2/2", "2/2", "2/2"]
    # The summary is the last release's: the one a --require gate is about.
    assert "summary (2 artifacts of 1.2.0):" in result.stdout
    assert "  signed: 2 of 2 checked (100%), 0 unknown" in result.stdout
    html = page.read_text()
    assert html.count("<svg") == 10
    assert "<script" not in html
    assert [word for word in ("href=", "src=", "url(", "xmlns") if word in html] == []  # nothing to fetch

    as_json = posture(*dists, "--trust-config", trust, "--json", "--require", "tagged=100")
    assert as_json.exit_code == 0, as_json.output  # 1.2.0 is tagged: the gate looks at the last release
    report = json.loads(as_json.stdout)
    jsonschema.validate(report, posture_schema)
    assert [release["name"] for release in report["releases"]] == ["1.0.0", "1.1.0", "1.2.0"]
    signed = [release["summary"]["signed"]["have"] for release in report["releases"]]
    assert signed == [0, 2, 2]
    assert report["summary"] == report["releases"][-1]["summary"]
    assert report["items"] == report["releases"][-1]["items"]

    older = posture(*reversed(dists), "--trust-config", trust, "--require", "tagged=100")
    assert older.exit_code == 4  # now 1.0.0 is the last one given


def test_a_trend_takes_directories_only(
    three_releases: tuple[list[Path], str], posture: Callable[..., Result]
) -> None:
    dists, _ = three_releases
    wheel = next(dists[0].glob("*.whl"))
    mixed = posture(dists[1], wheel)
    assert mixed.exit_code == 2
    assert mixed.stderr == (
        "error: name the files of one release, or several dist directories (one release each), not both\n"
    )
    evidence = posture(dists[0], dists[1], "--evidence-dir", dists[0].parent / "evidence")
    assert evidence.exit_code == 2
    assert "--evidence-dir names one directory" in evidence.stderr
