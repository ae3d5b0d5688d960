"""Without -v, a build shows pyprov's lines only: no backend warnings; --json for scripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WARNING = "`project.license` as a TOML table is deprecated"
WARNING_BACKEND = f'''
import warnings

from hatchling.build import build_sdist, get_requires_for_build_sdist  # noqa: F401
from hatchling.build import build_wheel as _build_wheel
from hatchling.build import get_requires_for_build_wheel  # noqa: F401


def build_wheel(*args, **kwargs):
    # What setuptools does for a licence table: SetuptoolsDeprecationWarning (a UserWarning),
    # which pyproject-hooks re-raises in the frontend's process (here pyprov's) as BuildBackendWarning.
    warnings.warn("{WARNING}", UserWarning, stacklevel=1)
    return _build_wheel(*args, **kwargs)
'''


def pyprov(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    command = [sys.executable, "-m", "pyprov", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_backend_warnings_only_with_verbose(project: Callable[..., Path]) -> None:
    source = project("in-tree-backend")
    (source / "_backend" / "intree_backend.py").write_text(WARNING_BACKEND)
    quiet = pyprov("build", "-w", "-n", source)
    assert quiet.returncode == 0, quiet.stderr
    assert WARNING not in quiet.stderr
    assert "Warning" not in quiet.stderr
    (source / "dist").rename(source / "dist-1")
    (source / "evidence").rename(source / "evidence-1")
    verbose = pyprov("build", "-v", "-w", "-n", source)
    assert verbose.returncode == 0, verbose.stderr
    assert WARNING in verbose.stderr


def test_build_json_names_the_evidence_bundles_and_level(project: Callable[..., Path]) -> None:
    source = project("hatchling-pure", git_init=True)
    result = pyprov("build", "-w", "-n", "--json", "-q", source)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    (artifact,) = output["artifacts"]
    name = artifact["record"]["artifact"]["filename"]
    assert artifact["path"] == str(source / "dist" / name)
    assert artifact["evidence"] == [
        str(source / "evidence" / f"{name}{suffix}")
        for suffix in (".build.json", ".cdx.json", ".intoto.json")
    ]
    assert artifact["bundles"] == []
    assert output["slsa_build_level"]["level"] == 1
    assert output["slsa_build_level"]["signing"] == "unsigned"
    assert output["signed"] is None
