"""The name users install: ``pyprov`` on PyPI is an unrelated 2013 library, so pyprov is ``pyprov-build``."""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path

import pyprov

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
# "pip install pyprov", "pip install 'pyprov[uv]'", "pip install pyprov==1.0": the other project.
_BARE_NAME = re.compile(r"""install\b[^\n#]*?\s['"]?pyprov(?![\w-])""")


def test_the_distribution_is_pyprov_build() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == pyprov.__distribution__ == "pyprov-build"
    assert project["scripts"] == {"pyprov": "pyprov._cli:main"}
    assert importlib.metadata.version("pyprov-build") == pyprov.__version__


def test_no_install_line_names_the_other_project() -> None:
    documents = [
        ROOT / "README.md",
        *sorted((ROOT / "docs").rglob("*.md")),
        *sorted((ROOT / "docs").rglob("*.yml")),
    ]
    offending = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in documents
        for match in _BARE_NAME.finditer(path.read_text())
    ]
    assert offending == []
    assert "pip install pyprov-build" in (ROOT / "README.md").read_text()


def test_the_consumer_example_installs_pinned_and_hashed() -> None:
    example = (ROOT / "docs" / "examples" / "verify-before-install.yml").read_text()
    (install,) = [line for line in example.splitlines() if "pip install" in line and "wheels/" not in line]
    assert "--require-hashes" in install
    assert "pyprov-build==" in example
