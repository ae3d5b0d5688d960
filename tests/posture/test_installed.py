"""``pyprov posture --python ENV``: a real venv's distributions against the loopback index.

The venv is made by ``python -m venv`` (pip and setuptools from ensurepip's bundled wheels,
no network); its pip installs, with ``--require-hashes`` from local directories
(``--no-index --find-links``): the real rfc8785 wheel (no provenance, yanked on the index)
and pypi-attestations 0.0.19 from a wheel pip builds from its real sdist (setuptools pinned by
fixtures/build-constraints.txt, from the package index; the loopback index has no wheel of
it, but serves the sdist's real PEP 740 provenance), as pip does when a project has no
wheel; an editable install of a small project that is on no index. pip and setuptools are
not on the loopback index.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import Result

from pyprov.testing.index import LocalIndex
from tests.posture.conftest import facts

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "pep740"
SDIST = "pypi_attestations-0.0.19.tar.gz"
WHEEL = "rfc8785-0.1.2-py3-none-any.whl"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(*command: object) -> None:
    done = subprocess.run([str(part) for part in command], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the venv, the index's directory)."""
    base = tmp_path_factory.mktemp("installed")
    served = base / "index"
    served.mkdir()
    for name in (SDIST, f"{SDIST}.provenance", WHEEL):
        shutil.copy(ASSETS / name, served / name)
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    wheels = base / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, served / SDIST)
    shutil.copy(served / WHEEL, wheels / WHEEL)
    (built,) = wheels.glob("pypi_attestations-*.whl")
    requirements = base / "requirements.txt"
    requirements.write_text(
        f"rfc8785==0.1.2 --hash=sha256:{_sha256(served / WHEEL)}\n"
        f"pypi-attestations==0.0.19 --hash=sha256:{_sha256(built)}\n"
    )
    pip = [python, "-m", "pip", "--disable-pip-version-check", "install", "-q", "--no-index", "--no-deps"]
    _run(*pip, "--require-hashes", "--find-links", wheels, "-r", requirements)
    local = base / "local-only"
    local.mkdir()
    (local / "local_only.py").write_text("VALUE = 1\n")
    (local / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "local-only"\nversion = "1.0"\n[tool.setuptools]\npy-modules = ["local_only"]\n'
    )
    # Built in an isolated environment: setuptools pinned by fixtures/build-constraints.txt.
    _run(python, "-m", "pip", "--disable-pip-version-check", "install", "-q", "--no-deps", "-e", local)
    return venv, served


@pytest.fixture
def index(environment: tuple[Path, Path]) -> Iterator[LocalIndex]:
    with LocalIndex(environment[1], yanked=frozenset({WHEEL})) as running:
        yield running


def test_each_installed_distribution_against_the_file_it_came_from(
    environment: tuple[Path, Path],
    index: LocalIndex,
    posture: Callable[..., Result],
    posture_schema: dict[str, Any],
) -> None:
    venv, _ = environment

    result = posture("--python", venv, "--index-url", index.url, "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    jsonschema.validate(report, posture_schema)
    assert report["subject"] == "dependencies"
    # Installed from the index's wheel: its tags are the WHEEL file's, its RECORD the installed one's.
    wheel = facts(report, WHEEL)
    assert wheel["hash"][0] == "yes"
    assert wheel["hash"][1].startswith("6 installed files as in rfc8785-0.1.2-py3-none-any.whl's RECORD")
    assert wheel["attested"] == ("no", "the index serves no provenance")
    assert wheel["not-yanked"] == ("no", "yanked: yanked by the test")
    # Built here from the sdist: the sdist's provenance is checked, the installed files cannot be.
    sdist = facts(report, SDIST)
    assert sdist["attested"] == ("yes", "PEP 740 provenance served")
    assert sdist["verified"][0] == "yes"
    assert sdist["publisher"] == ("yes", "GitHub trailofbits/pypi-attestations (release.yml)")
    assert sdist["hash"] == (
        "unknown",
        "installed from a wheel built here (py3-none-any): no file of the index to compare with",
    )
    # Editable: not looked up on the index at all.
    local = facts(report, "local-only==1.0")
    assert {status for status, _ in local.values()} == {"unknown"}
    assert local["attested"][1].startswith("an editable install of file://")
    # Installed, but not on this index.
    pip = next(item for item in report["items"] if item["name"].startswith("pip=="))
    assert "no project 'pip' on " in pip["facts"][0]["value"]
    summary = report["summary"]
    assert summary["hash"] == {**summary["hash"], "have": 1, "lack": 0, "unknown": 4, "total": 5}
    assert (summary["verified"]["have"], summary["verified"]["checked"]) == (1, 1)


def test_a_changed_installed_file_is_not_the_wheels(
    environment: tuple[Path, Path], index: LocalIndex, posture: Callable[..., Result], tmp_path: Path
) -> None:
    venv, _ = environment
    copy = tmp_path / "venv"
    shutil.copytree(venv, copy, symlinks=True)
    (record,) = copy.glob("lib/python*/site-packages/rfc8785-0.1.2.dist-info/RECORD")
    # The module was changed after installation and RECORD updated to match it.
    module = record.parent.parent / "rfc8785" / "_impl.py"
    module.write_text(module.read_text() + "\n# changed\n")
    digest = base64.urlsafe_b64encode(hashlib.sha256(module.read_bytes()).digest()).rstrip(b"=").decode()
    lines = [
        f"rfc8785/_impl.py,sha256={digest},{module.stat().st_size}"
        if line.startswith("rfc8785/_impl.py,")
        else line
        for line in record.read_text().splitlines()
    ]
    record.write_text("\n".join(lines) + "\n")

    result = posture("--python", copy, "--index-url", index.url)

    assert result.exit_code == 0, result.output
    assert (
        "  ✗ hash            1 of 6 installed files differ from rfc8785-0.1.2-py3-none-any.whl's RECORD: "
        "rfc8785/_impl.py" in result.stdout
    )


def test_not_an_environment_is_one_line_and_exit_2(posture: Callable[..., Result], tmp_path: Path) -> None:
    result = posture("--python", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path} is a directory but not a virtual environment")
    missing = posture("--python", tmp_path / "bin" / "python")
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"error: no interpreter at {tmp_path / 'bin' / 'python'}")
