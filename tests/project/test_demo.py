"""`make demo` installs only pyprov's runtime closure: what it needs, not the 130 test and lint tools."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("uv", ["", "/usr/local/bin/uv"])
def test_make_demo_installs_the_runtime_closure_only(uv: str) -> None:
    # -n: print what would run; -B: as on a fresh clone, where nothing is installed yet.
    done = subprocess.run(
        ["make", "-n", "-B", "demo", f"UV={uv}"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "requirements/dev.txt" not in done.stdout
    assert ".github/action-requirements.txt" in done.stdout
    assert "--require-hashes" in done.stdout
    assert "scripts/demo.sh" in done.stdout


def test_the_demo_script_uses_twine_only_when_it_is_there() -> None:
    script = (ROOT / "scripts" / "demo.sh").read_text()
    uses = [
        line.strip() for line in script.splitlines() if re.search(r"\btwine\b", line) and "echo" not in line
    ]
    assert uses[0].startswith("if command -v twine")
    assert all(line.startswith(("if command -v twine", "twine check", "#")) for line in uses), uses
