"""Bad input and faults: one error line, a documented exit code, no traceback, nothing half-written."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyprov._cli import main

PYPROV = [sys.executable, "-m", "pyprov"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PYPROV, *args], capture_output=True, text=True, check=False, cwd=cwd)


def assert_nothing_written(*directories: Path) -> None:
    for directory in directories:
        assert not directory.exists() or list(directory.iterdir()) == [], list(directory.iterdir())


def test_source_is_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = run("build", str(tmp_path / "file"))
    assert result.returncode == 2
    assert result.stderr == f"error: source {tmp_path / 'file'} is not a directory\n"


def test_source_does_not_exist(tmp_path: Path) -> None:
    result = run("build", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr == f"error: source directory {tmp_path / 'missing'} does not exist\n"


def test_missing_pyproject(tmp_path: Path) -> None:
    result = run("build", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {tmp_path} has no pyproject.toml",
        "hint: pyprov builds Python projects: run it in a directory with a pyproject.toml",
    ]
    assert_nothing_written(tmp_path / "dist", tmp_path / "evidence")


def test_malformed_pyproject(project: Callable[..., Path]) -> None:
    source = project("broken-pyproject")
    result = run("build", str(source))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: Failed to parse {source / 'pyproject.toml'}: ")
    assert len(result.stderr.splitlines()) == 1
    assert_nothing_written(source / "dist", source / "evidence")


def test_invalid_build_system_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = "hatchling"\n')
    result = run("build", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == (
        "error: Failed to validate `build-system` in pyproject.toml: `requires` must be an array of strings\n"
    )
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.network
def test_failing_backend_shows_its_output_then_one_error_line(project: Callable[..., Path]) -> None:
    source = project("failing-build")
    result = run("build", str(source))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "fixture backend: deliberate failure" in lines
    assert (
        lines[-1]
        == "error: building the sdist failed: Backend subprocess exited when trying to invoke build_sdist"
    )
    assert "Traceback" in result.stderr  # the backend's own, shown as its output
    assert "pyprov/" not in result.stderr  # but none of pyprov's
    assert_nothing_written(source / "dist", source / "evidence")


@pytest.mark.network
def test_failing_wheel_after_a_good_sdist_leaves_nothing(project: Callable[..., Path]) -> None:
    """The sdist built fine, the wheel failed: the run is all or nothing."""
    source = project("hatchling-pure")
    pyproject = source / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.hatch.build.targets.wheel.hooks.custom]\npath = "missing.py"\n'
    )
    result = run("build", str(source))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: building the ")
    assert_nothing_written(source / "dist", source / "evidence")


@pytest.mark.network
def test_missing_backend(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "no_such_backend.api"\n'
    )
    result = run("build", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: building the sdist failed: Backend 'no_such_backend.api' is not available."
    )


def test_output_directory_cannot_be_created(project: Callable[..., Path], tmp_path: Path) -> None:
    source = project("hatchling-pure")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run("build", str(source), "--outdir", str(blocker / "dist"))
    assert result.returncode == 3
    assert result.stderr.startswith(f"error: cannot create the output directory {blocker / 'dist'}: ")
    assert len(result.stderr.splitlines()) == 1


def test_evidence_directory_cannot_be_created(project: Callable[..., Path], tmp_path: Path) -> None:
    source = project("hatchling-pure")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run("build", str(source), "--evidence-dir", str(blocker / "evidence"))
    assert result.returncode == 3
    assert result.stderr.startswith("error: cannot create the evidence directory ")


def test_verbose_shows_the_traceback(tmp_path: Path) -> None:
    result = run("-v", "build", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.splitlines()[-1] == f"error: source directory {tmp_path / 'missing'} does not exist"


def test_bad_config_setting() -> None:
    result = CliRunner().invoke(main, ["build", "-C", "=value", "."])
    assert result.exit_code == 2
    assert result.output == "error: invalid config setting '=value': expected KEY=VALUE\n"


def test_usage_error_exit_code() -> None:
    result = CliRunner().invoke(main, ["build", "--installer", "conda"])
    assert result.exit_code == 2


@pytest.mark.network
def test_ctrl_c_in_the_middle_of_a_build(project: Callable[..., Path]) -> None:
    source = project("slow-build")
    started = source / "started"  # build code can write only its source tree (and its output)
    env = {**os.environ, "PYPROV_FIXTURE_STARTED": str(started)}
    # A terminal's Ctrl-C sends SIGINT to the whole foreground process group: do the same.
    process = subprocess.Popen(
        [*PYPROV, "build", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    deadline = time.monotonic() + 120
    while not started.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the backend never started"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.splitlines()[-1] == "error: interrupted; nothing was written"
    assert "Traceback" not in stderr
    assert_nothing_written(source / "dist", source / "evidence")


@pytest.mark.network
def test_json_output_and_quiet(project: Callable[..., Path]) -> None:
    source = project("flit-core")
    result = run("build", "--sdist", "--json", "-q", str(source))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    output = json.loads(result.stdout)
    (artifact,) = output["artifacts"]
    record = artifact["record"]
    assert record["artifact"]["kind"] == "sdist"
    assert Path(artifact["path"]).name == record["artifact"]["filename"]
    assert [Path(path).name for path in artifact["evidence"]] == [
        f"{record['artifact']['filename']}{suffix}" for suffix in (".build.json", ".cdx.json", ".intoto.json")
    ]
    assert artifact["bundles"] == []
    assert output["slsa_build_level"]["level"] == 1
    assert output["signed"] is None
    assert record["invocation"]["argv"] == ["pyprov", "build", "--sdist", "--json", "-q", str(source)]


@pytest.mark.network
def test_plain_progress_and_summary_when_not_a_terminal(project: Callable[..., Path]) -> None:
    source = project("flit-core")
    result = run("build", "--sdist", "--provenance-bundle", str(source), cwd=source)
    assert result.returncode == 0, result.stderr
    assert "* sdist: creating isolated environment (venv+pip)" in result.stderr
    assert "* sdist: running the backend (flit_core.buildapi)" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "built 1 artifact:"
    assert re.fullmatch(r"  dist/pyprov_fixture_flit-1\.0\.0\.tar\.gz  \d+ B  sha256:[0-9a-f]{64}", lines[1])
    assert lines[2:6] == [
        "    evidence: evidence/pyprov_fixture_flit-1.0.0.tar.gz.build.json",
        "    evidence: evidence/pyprov_fixture_flit-1.0.0.tar.gz.cdx.json",
        "    evidence: evidence/pyprov_fixture_flit-1.0.0.tar.gz.intoto.json",
        "evidence for all artifacts: evidence/pyprov.intoto.json",
    ]
    assert lines[6].startswith("provenance: SLSA Build L1 (the provenance is unsigned")
    assert lines[7] == "not signed (use --sign to sign with Sigstore)"
    statement = json.loads((source / "evidence" / "pyprov.intoto.json").read_text())
    assert [subject["name"] for subject in statement["subject"]] == ["pyprov_fixture_flit-1.0.0.tar.gz"]
