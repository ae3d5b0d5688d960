"""``[tool.pyprov]`` in pyproject.toml: options set once; the command line, then PYPROV_*, win over it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pyprov._cli import main
from tests.conftest import FIXTURES


def _pyprov(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(map(str, args)), env=env, catch_exceptions=False)


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """A directory holding a pyproject.toml with the given [tool.pyprov] table, made current."""
    for name in ("PYPROV_TRUST_CONFIG", "PYPROV_EVIDENCE_DIR", "PYPROV_SBOM_FORMAT", "PYPROV_SBOM_SPEC"):
        monkeypatch.delenv(name, raising=False)

    def make(table: str) -> Path:
        (tmp_path / "pyproject.toml").write_text(f"[tool.pyprov]\n{table}\n")
        (tmp_path / "a.whl").write_bytes(b"artifact")
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


def _verify(*args: str, env: dict[str, str] | None = None) -> Result:
    return _pyprov(
        "verify", "--identity", "a@example.com", "--issuer", "https://i.example", *args, "a.whl", env=env
    )


def test_command_line_then_environment_then_file(configured: Callable[[str], Path]) -> None:
    configured('trust-config = "from-file.json"')
    result = _verify()
    assert result.exit_code == 2
    assert "from-file.json" in result.output
    result = _verify(env={"PYPROV_TRUST_CONFIG": "from-env.json"})
    assert result.exit_code == 2
    assert "from-env.json" in result.output
    assert "from-file.json" not in result.output
    result = _verify("--trust-config", "from-cli.json", env={"PYPROV_TRUST_CONFIG": "from-env.json"})
    assert result.exit_code == 2
    assert "from-cli.json" in result.output
    assert "from-env.json" not in result.output


def test_the_command_line_chooses_the_instance_over_the_file(configured: Callable[[str], Path]) -> None:
    configured("staging = true")
    result = _verify("--trust-config", "from-cli.json")
    assert result.exit_code == 2
    assert "choose one" not in result.output
    assert "from-cli.json" in result.output


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('evidence = "x"', "[tool.pyprov] has an unknown key 'evidence' (known: evidence-dir, "),
        ("sbom-spec = 1.6", "[tool.pyprov] sbom-spec: expected a non-empty string, found float"),
        (
            'sbom-format = "xml"',
            "[tool.pyprov] sbom-format: expected one of cyclonedx, spdx, spdx3, both, none, found 'xml'",
        ),
        ('staging = "yes"', "[tool.pyprov] staging: expected true or false, found str"),
        ("[tool.pyprov.nested]", "[tool.pyprov] has an unknown key 'nested'"),
    ],
)
def test_a_bad_table_is_one_clear_error(configured: Callable[[str], Path], table: str, message: str) -> None:
    configured(table)
    result = _verify()
    assert result.exit_code == 2
    assert result.output.startswith(f"error: pyproject.toml: {message}")
    assert len(result.output.splitlines()) == 1


@pytest.mark.network
@pytest.mark.slow
def test_build_takes_evidence_dir_and_sbom_options_from_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "project"
    shutil.copytree(FIXTURES / "hatchling-pure", source)
    with (source / "pyproject.toml").open("a") as file:
        file.write(
            '\n[tool.pyprov]\nevidence-dir = "build/evidence"\nsbom-format = "both"\nsbom-spec = "1.5"\n'
        )
    for name in ("PYPROV_EVIDENCE_DIR", "PYPROV_SBOM_FORMAT", "PYPROV_SBOM_SPEC"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(source)
    result = _pyprov("build", "--sdist", "-q", env={"PYPROV_SBOM_SPEC": "1.7"})
    assert result.exit_code == 0, result.output
    evidence = source / "build" / "evidence"
    names = sorted(path.name for path in evidence.iterdir())
    assert names == [
        ".gitignore",
        *(
            f"pyprov_fixture_hatchling-1.0.0.tar.gz{suffix}"
            for suffix in (".build.json", ".cdx.json", ".intoto.json", ".spdx.json")
        ),
    ]
    sbom = json.loads((evidence / "pyprov_fixture_hatchling-1.0.0.tar.gz.cdx.json").read_text())
    assert sbom["specVersion"] == "1.7"  # the environment wins over the file
    assert not (source / "evidence").exists()
