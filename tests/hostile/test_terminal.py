"""Strings from files reach the terminal escaped: one sanitiser for inspect, verify and errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pyprov._cli import main
from pyprov._internal.terminal import printable, printable_tree
from pyprov.testing.sigstore import LocalSigstore

CLEAR_SCREEN = "\x1b[2J"
FAKE_PASS = "\r\x1b[32m✓ signature valid\x1b[0m"
RIGHT_TO_LEFT = "\u202e"


def test_printable_escapes_controls_bidi_and_zero_width() -> None:
    assert printable(f"a{CLEAR_SCREEN}b") == "a\\x1b[2Jb"
    assert printable(f"x{RIGHT_TO_LEFT}y\u200bz\n") == "x\\u202ey\\u200bz\\x0a"
    assert printable("\U000e0001") == "\\U000e0001"  # a tag character (format, Cf)
    assert printable("ü ✓ 漢字 plain") == "ü ✓ 漢字 plain"


def test_printable_tree_has_no_recursion_limit() -> None:
    deep: list[object] = ["\x1b"]
    for _ in range(5000):
        deep = [deep]
    escaped = printable_tree({"k\x07": deep})
    inner = escaped["k\\x07"]
    for _ in range(5000):
        inner = inner[0]
    assert inner == ["\\x1b"]


def test_inspect_escapes_a_hostile_sbom(outputs: dict[str, Path], tmp_path: Path) -> None:
    document = json.loads(outputs[".cdx.json"].read_text())
    document["metadata"]["component"]["name"] = f"evil{CLEAR_SCREEN}"
    document["metadata"]["component"]["licenses"] = [{"license": {"name": f"MIT{FAKE_PASS}"}}]
    document["metadata"]["properties"] = [
        {"name": "pyprov:warning", "value": f"hidden{RIGHT_TO_LEFT}txt.exe"}
    ]
    evil = tmp_path / "evil.cdx.json"
    evil.write_text(json.dumps(document))
    for args in (["inspect", str(evil)], ["inspect", "--json", str(evil)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout
        assert "\r" not in result.stdout
        assert RIGHT_TO_LEFT not in result.stdout
    text = CliRunner().invoke(main, ["inspect", str(evil)]).stdout
    assert "evil\\x1b[2J" in text
    assert "MIT\\x0d\\x1b[32m✓ signature valid\\x1b[0m (1)" in text
    assert "hidden\\u202etxt.exe" in text


def test_error_lines_are_escaped(tmp_path: Path) -> None:
    missing = tmp_path / f"evil{CLEAR_SCREEN}.json"
    result = CliRunner().invoke(main, ["inspect", str(missing)])
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert "evil\\x1b[2J.json: No such file or directory" in result.stderr


def test_verify_escapes_names_from_files(tmp_path: Path, instance: LocalSigstore) -> None:
    artifact = tmp_path / f"widget{CLEAR_SCREEN}.tar.gz"
    artifact.write_bytes(b"not signed")
    trust = ["--trust-config", str(instance.trust_config_path), "--repository", "acme/widget"]
    result = CliRunner().invoke(main, ["verify", *trust, str(artifact)])
    assert result.exit_code == 4
    assert "\x1b" not in result.output
    assert f"✗ {tmp_path}/widget\\x1b[2J.tar.gz\n" in result.stdout
