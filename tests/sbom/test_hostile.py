"""Hostile inputs: a clear error or a documented warning, never a crash or a write elsewhere."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.sbom.conftest import METADATA, write_wheel

from pyprov.sbom import SbomError, generate_sbom


def test_dotdot_path_refused(tmp_path: Path) -> None:
    wheel = write_wheel(tmp_path / "demo_pkg-1.2.3-py3-none-any.whl", {"../../evil.py": b"boom"})
    with pytest.raises(SbomError, match=r"unsafe path in demo_pkg-1.2.3-py3-none-any.whl: '../../evil.py'"):
        generate_sbom(wheel)
    assert not (tmp_path.parent / "evil.py").exists()


def test_absolute_path_refused(tmp_path: Path) -> None:
    wheel = write_wheel(tmp_path / "demo_pkg-1.2.3-py3-none-any.whl", {"/etc/evil": b"boom"})
    with pytest.raises(SbomError, match="unsafe path"):
        generate_sbom(wheel)


def test_zip_bomb_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "demo_pkg-1.2.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        # METADATA that inflates to 80 MiB from about 80 KiB
        archive.writestr("demo_pkg-1.2.3.dist-info/METADATA", METADATA + b" " * (80 << 20))
    with pytest.raises(SbomError, match=r"larger than 64 MiB|zip bomb"):
        generate_sbom(wheel)


def test_zip_bomb_by_ratio_refused(tmp_path: Path) -> None:
    wheel = write_wheel(
        tmp_path / "demo_pkg-1.2.3-py3-none-any.whl",
        {
            "demo_pkg-1.2.3.dist-info/sboms/bomb.cdx.json": b" " * (20 << 20),
        },
    )
    with pytest.raises(SbomError, match="looks like a zip bomb"):
        generate_sbom(wheel)


def test_truncated_archive(tmp_path: Path, rich_wheel: Path) -> None:
    truncated = tmp_path / "cut" / rich_wheel.name
    truncated.parent.mkdir()
    truncated.write_bytes(rich_wheel.read_bytes()[: rich_wheel.stat().st_size // 2])
    with pytest.raises(SbomError, match="truncated or corrupt archive"):
        generate_sbom(truncated)


def test_truncated_sdist(tmp_path: Path) -> None:
    sdist = tmp_path / "demo-1.0.tar.gz"
    sdist.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 20)
    with pytest.raises(
        SbomError, match=r"cannot read the sdist demo-1\.0\.tar\.gz: truncated or corrupt archive"
    ):
        generate_sbom(sdist)


def test_malformed_embedded_sbom_is_a_warning(tmp_path: Path, check_cyclonedx) -> None:
    wheel = write_wheel(
        tmp_path / "demo_pkg-1.2.3-py3-none-any.whl",
        {
            "demo_pkg-1.2.3.dist-info/sboms/broken.cdx.json": b'{"bomFormat": "CycloneDX", ',
            "demo_pkg-1.2.3.dist-info/sboms/other.json": b'{"hello": 1}',
            "demo_pkg-1.2.3.dist-info/sboms/nested.cdx.json": json.dumps(
                {"bomFormat": "CycloneDX", "components": [{"components": [{"name": 1}] * 3}] * 2}
            ).encode(),
        },
    )
    result = generate_sbom(wheel)
    document = check_cyclonedx(result.content, "1.6")
    assert any("broken.cdx.json is not valid JSON" in w for w in result.warnings)
    assert any("other.json is neither CycloneDX nor SPDX 2 JSON" in w for w in result.warnings)
    warnings = [p["value"] for p in document["metadata"]["properties"] if p["name"] == "pyprov:warning"]
    assert warnings == list(result.warnings)
    broken = next(c for c in document["components"] if c["name"] == "broken.cdx.json")
    assert "components" not in broken
    assert any(p["name"] == "pyprov:sbom:error" for p in broken["properties"])


def test_non_utf8_metadata_is_a_warning(tmp_path: Path, check_cyclonedx) -> None:
    metadata = METADATA.replace(b"Team Demo", "Zoë Müller".encode("latin-1"))
    wheel = write_wheel(tmp_path / "demo_pkg-1.2.3-py3-none-any.whl", {}, metadata=metadata)
    result = generate_sbom(wheel)
    assert any("METADATA is not UTF-8" in w and "read as Latin-1" in w for w in result.warnings)
    document = check_cyclonedx(result.content, "1.6")
    assert {"name": "Zoë Müller"} in document["metadata"]["component"]["authors"]


def test_not_a_wheel(tmp_path: Path) -> None:
    empty = tmp_path / "x-1.0-py3-none-any.whl"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("x/__init__.py", "")
    with pytest.raises(SbomError, match=r"is not a wheel: expected one .dist-info/METADATA, found 0"):
        generate_sbom(empty)
    with pytest.raises(SbomError, match="neither a wheel"):
        generate_sbom(Path(__file__))


def test_metadata_without_name(tmp_path: Path) -> None:
    wheel = write_wheel(tmp_path / "demo_pkg-1.2.3-py3-none-any.whl", {}, metadata=b"Metadata-Version: 2.1\n")
    with pytest.raises(SbomError, match="has no Name or no Version field"):
        generate_sbom(wheel)


def test_cli_error_and_nothing_written(tmp_path: Path) -> None:
    from pyprov._cli import main as cli

    wheel = write_wheel(tmp_path / "demo_pkg-1.2.3-py3-none-any.whl", {"../evil": b""})
    output = tmp_path / "out" / "sbom.json"
    output.parent.mkdir()
    result = CliRunner().invoke(cli, ["sbom", str(wheel), "-o", str(output)])
    assert result.exit_code == 2
    assert "error: unsafe path in demo_pkg-1.2.3-py3-none-any.whl: '../evil'" in result.output
    assert list(output.parent.iterdir()) == []
