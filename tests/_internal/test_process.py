"""The runner of pyprov's own tools: real processes, one error for "could not run"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pyprov._internal.process import ToolError, run_tool


def test_output_status_and_last_error_line(tmp_path: Path) -> None:
    done = run_tool(
        [sys.executable, "-c", "import sys; print('out'); sys.stderr.write('a\\nlast\\n'); sys.exit(3)"],
        cwd=tmp_path,
        timeout=30,
    )
    assert (done.status, done.ok, done.text(), done.last_error_line()) == (3, False, "out\n", "last")


def test_no_stdin_is_given() -> None:
    done = run_tool([sys.executable, "-c", "import sys; print(repr(sys.stdin.read()))"], timeout=30)
    assert done.text() == "''\n"


def test_a_missing_tool_and_a_timeout_are_tool_errors() -> None:
    with pytest.raises(ToolError, match="cannot run /nonexistent/tool"):
        run_tool(["/nonexistent/tool"], timeout=5)
    with pytest.raises(ToolError, match=r"did not finish within 0\.5 s"):
        run_tool([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
