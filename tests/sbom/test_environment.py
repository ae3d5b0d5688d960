"""pyprov sbom --python against cyclonedx-py environment on the same real venv."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import pinned
from tests.sbom.conftest import BIN, EMBEDDED_CDX, prop, write_wheel

from pyprov.sbom import generate_sbom

pytestmark = [pytest.mark.network, pytest.mark.slow]


@pytest.fixture(scope="session")
def venv(session_dir: Path) -> Path:
    """A venv with a few small packages from the index and a wheel carrying PEP 770 SBOMs."""
    root = session_dir / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    wheel = write_wheel(
        session_dir / "demo_pkg-1.2.3-py3-none-any.whl",
        {
            "demo_pkg/__init__.py": b"",
            "demo_pkg-1.2.3.dist-info/sboms/auditwheel.cdx.json": json.dumps(EMBEDDED_CDX).encode(),
        },
    )
    requirements = session_dir / "requirements.txt"
    requirements.write_text(pinned("packaging", "six", "idna", "attrs"))
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    subprocess.run([*install, "--require-hashes", "-r", str(requirements)], check=True)
    subprocess.run([*install, "--no-index", str(wheel)], check=True)
    return python


def test_same_components_as_cyclonedx_py(venv: Path, check_cyclonedx) -> None:
    ours = check_cyclonedx(generate_sbom(python=venv).content, "1.6")
    done = subprocess.run(
        [str(BIN / "cyclonedx-py"), "environment", str(venv)], capture_output=True, text=True, check=True
    )
    theirs = json.loads(done.stdout)
    key = lambda c: (c["name"], c["version"], c.get("purl"))  # noqa: E731
    assert {key(c) for c in ours["components"]} == {key(c) for c in theirs["components"]}
    assert {c["name"] for c in ours["components"]} >= {"packaging", "six", "idna", "attrs", "demo_pkg"}
    # what pyprov adds: RECORD digests, the dependency graph, embedded SBOMs
    for component in ours["components"]:
        assert len(prop(component, "pyprov:record:sha256")[0]) == 64
    demo = next(c for c in ours["components"] if c["name"] == "demo_pkg")
    (sbom,) = demo["components"]
    assert sbom["name"] == "auditwheel.cdx.json"
    assert {c["name"] for c in sbom["components"]} == {"openssl", "zlib", "weird"}
    graph = {d["ref"]: d.get("dependsOn", []) for d in ours["dependencies"]}
    packaging = next(c for c in ours["components"] if c["name"] == "packaging")
    # tomli's marker is false on Python >= 3.11 and rich needs an extra: only packaging remains
    expected = [f"packaging=={packaging['version']}"] + (["tomli"] if sys.version_info < (3, 11) else [])
    assert [ref for ref in graph["demo_pkg==1.2.3"] if ref.split("==")[0] in {"packaging"}] == expected[:1]


def test_files_and_spdx(venv: Path, check_cyclonedx, check_spdx) -> None:
    document = check_cyclonedx(generate_sbom(python=venv, files=True, spec="1.5").content, "1.5")
    six = next(c for c in document["components"] if c["name"] == "six")
    assert any(prop(c, "pyprov:file:path") == ["six.py"] and c["hashes"] for c in six["components"])
    check_spdx(generate_sbom(python=venv, output_format="spdx").content)


def test_cli_writes_file_and_inspect(venv: Path, tmp_path: Path) -> None:
    from pyprov._cli import main as cli

    output = tmp_path / "env.cdx.json"
    result = CliRunner().invoke(
        cli, ["sbom", "--python", str(venv), "-o", str(output)], env={"SOURCE_DATE_EPOCH": "1700000000"}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text())["metadata"]["timestamp"].startswith("2023-11-14")
    shown = CliRunner().invoke(cli, ["inspect", str(output)])
    assert shown.exit_code == 0, shown.output
    assert "(no subject: an environment)" in shown.output
    assert "bundled content" in shown.output
    usage = CliRunner().invoke(cli, ["sbom"])
    assert usage.exit_code == 2


def test_a_venv_directory_is_its_interpreter(venv: Path, tmp_path: Path) -> None:
    """#15 item 8: ``pyprov sbom .venv``, as ``cyclonedx-py environment .venv`` takes it."""
    from pyprov._cli import main as cli

    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    by_directory = CliRunner().invoke(cli, ["sbom", str(venv.parent.parent)], env=env)
    by_python = CliRunner().invoke(cli, ["sbom", "--python", str(venv)], env=env)
    assert by_directory.exit_code == 0, by_directory.output
    assert json.loads(by_directory.stdout)["components"] == json.loads(by_python.stdout)["components"]
    refused = CliRunner().invoke(cli, ["sbom", str(tmp_path)])
    assert refused.exit_code == 2
    assert f"error: {tmp_path} is a directory but not a virtual environment (no pyvenv.cfg)" in refused.output


def test_environment_sboms_pass_ntia_and_sbomaudit(venv: Path, tmp_path: Path) -> None:
    from tests.sbom.test_quality import failures, sbomaudit, spdx_verdicts

    cyclonedx = generate_sbom(python=venv).content
    document = json.loads(cyclonedx)
    assert document["metadata"]["lifecycles"] == [{"phase": "operations"}]
    attrs = next(c for c in document["components"] if c["name"] == "attrs")
    assert attrs["copyright"].startswith("Copyright (c) 2015 Hynek Schlawack")  # its installed LICENSE
    report = sbomaudit(cyclonedx, tmp_path)
    assert failures(report, "metadata") == []
    # Every component has a supplier and a version. (A licence is no NTIA minimum element:
    # the embedded SBOM's components and compound expressions - one CycloneDX expression
    # cannot be both declared and concluded - have no concluded one.)
    missing = failures(report, "packages")
    assert not [text for text in missing if text.startswith(("Supplier", "Version"))], missing
    # sbomaudit's verdict still fails on one element: the embedded SBOM, a file, has no version.
    assert [t for t in missing if not t.startswith("License")] == ["Package id missing: MISSING"]
    ntia, _ = spdx_verdicts(generate_sbom(python=venv, output_format="spdx").content, tmp_path)
    assert ntia.compliant, ntia.output_json()
