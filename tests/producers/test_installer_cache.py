"""The installer's cache: used by wheels-only installations, out of reach of build code.

A tiny PEP 517 backend is served by a loopback index with the cache headers PyPI sends:
as a wheel (pip installs it without running any of its code) and, as a newer release, as
an sdist only (pip must run the backend's own code to build it). Every hook of the
backend tries to plant a file in the user's pip cache, where a later build would pick it
up. The real ``pyprov build`` runs in the real sandbox.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from pyprov._internal import sandbox
from pyprov.testing.index import LocalIndex

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sandbox.probe().available, reason=f"no sandbox here: {sandbox.probe().reason}"),
]

PYPROV = [sys.executable, "-m", "pyprov"]
BACKEND = textwrap.dedent(
    '''
    """A PEP 517 backend that tries to poison the installer's cache from every hook."""
    import base64, hashlib, io, os, tarfile, zipfile
    from pathlib import Path

    WHEEL = b"Wheel-Version: 1.0\\nGenerator: tiny\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"

    def _poison(hook):
        for variable in ("PIP_CACHE_DIR", "TINY_CACHE"):
            if os.environ.get(variable):
                try:
                    (Path(os.environ[variable]) / f"poisoned-by-{hook}").write_text("x")
                except OSError:
                    pass

    def _metadata():
        name, version = Path("NAME").read_text().split()
        return name, version, f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n"

    def _sdist_pyproject():
        # SDIST_PYPROJECT: an sdist whose [build-system] differs from the tree's.
        return Path("SDIST_PYPROJECT" if Path("SDIST_PYPROJECT").exists() else "pyproject.toml").read_bytes()

    def get_requires_for_build_sdist(config_settings=None):
        _poison("get_requires_for_build_sdist")
        return []

    def get_requires_for_build_wheel(config_settings=None):
        _poison("get_requires_for_build_wheel")
        return []

    def build_sdist(directory, config_settings=None):
        _poison("build_sdist")
        name, version, metadata = _metadata()
        base = f"{name}-{version}"
        with tarfile.open(Path(directory) / f"{base}.tar.gz", "w:gz") as archive:
            for member, data in (
                ("PKG-INFO", metadata.encode()),
                ("NAME", Path("NAME").read_bytes()),
                ("pyproject.toml", _sdist_pyproject()),
                ("tinybackend.py", Path(__file__).read_bytes()),
            ):
                info = tarfile.TarInfo(f"{base}/{member}")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        return f"{base}.tar.gz"

    def build_wheel(directory, config_settings=None, metadata_directory=None):
        _poison("build_wheel")
        name, version, metadata = _metadata()
        info = f"{name}-{version}.dist-info"
        files = {
            f"{info}/METADATA": metadata.encode(),
            f"{info}/WHEEL": WHEEL,
        }
        if name == "tinybackend":
            files["tinybackend.py"] = Path(__file__).read_bytes()
        record = "".join(
            f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\\n"
            for path, data in files.items()
        ) + f"{info}/RECORD,,\\n"
        wheel = f"{name}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(Path(directory) / wheel, "w") as archive:
            for path, data in files.items():
                archive.writestr(path, data)
            archive.writestr(f"{info}/RECORD", record)
        return wheel
    '''
)


WHEEL = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


SELF_BUILDING = b'[build-system]\nrequires = []\nbuild-backend = "tinybackend"\nbackend-path = ["."]\n'


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}\n"


def backend_wheel(directory: Path, version: str = "1.0") -> None:
    """tinybackend as a wheel: installing it runs none of its code."""
    info = f"tinybackend-{version}.dist-info"
    files = {
        "tinybackend.py": BACKEND.encode(),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: tinybackend\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": WHEEL,
    }
    record = "".join(_record_line(p, d) for p, d in files.items()) + f"{info}/RECORD,,\n"
    with zipfile.ZipFile(directory / f"tinybackend-{version}-py3-none-any.whl", "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{info}/RECORD", record)


def backend_sdist(directory: Path) -> None:
    """tinybackend 2.0 as an sdist only, building itself: pip runs its code to install it."""
    members = {
        "PKG-INFO": b"Metadata-Version: 2.1\nName: tinybackend\nVersion: 2.0\n",
        "NAME": b"tinybackend 2.0",
        "pyproject.toml": SELF_BUILDING,
        "tinybackend.py": BACKEND.encode(),
    }
    with tarfile.open(directory / "tinybackend-2.0.tar.gz", "w:gz") as archive:
        for member, data in members.items():
            info = tarfile.TarInfo(f"tinybackend-2.0/{member}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def project(path: Path, requirement: str) -> Path:
    path.mkdir()
    (path / "NAME").write_text("tiny_project 1.0")
    (path / "pyproject.toml").write_text(
        f'[build-system]\nrequires = ["{requirement}"]\nbuild-backend = "tinybackend"\n'
    )
    return path


def pyprov_build(source: Path, index: LocalIndex, cache: Path, tmp_path: Path) -> str:
    env = {
        **os.environ,
        "PIP_INDEX_URL": index.url,
        "PIP_CACHE_DIR": str(cache),
        # pip caches plain-HTTP responses only from trusted hosts (HTTPS ones always).
        "PIP_TRUSTED_HOST": "127.0.0.1",
        "TINY_CACHE": str(cache),
    }
    env.pop("PIP_NO_CACHE_DIR", None)
    result = subprocess.run(
        [*PYPROV, "-v", "build", "--sbom-format", "none", "--outdir", "dist", str(source)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_wheels_come_from_the_cache_and_no_hook_can_write_it(tmp_path: Path) -> None:
    served, cache = tmp_path / "served", tmp_path / "cache"
    served.mkdir()
    backend_wheel(served)
    with LocalIndex(served, cacheable=True) as index:
        first = pyprov_build(project(tmp_path / "one", "tinybackend==1.0"), index, cache, tmp_path)
        (tmp_path / "dist").rename(tmp_path / "dist-one")
        second = pyprov_build(project(tmp_path / "two", "tinybackend==1.0"), index, cache, tmp_path)
    assert "Downloading" in first
    # The sdist's environment filled the cache; every later environment installs from it.
    assert second.count("Using cached tinybackend-1.0-py3-none-any.whl") == 2, second
    assert "sdists allowed" not in first + second
    assert sorted(path.name for path in cache.iterdir() if path.name.startswith("poisoned")) == []
    assert sorted(path.name for path in (tmp_path / "dist").iterdir()) == [
        "tiny_project-1.0-py3-none-any.whl",
        "tiny_project-1.0.tar.gz",
    ]


def test_a_requirement_without_a_wheel_is_built_without_the_cache(tmp_path: Path) -> None:
    served, cache = tmp_path / "served", tmp_path / "cache"
    served.mkdir()
    backend_sdist(served)
    with LocalIndex(served, cacheable=True) as index:
        output = pyprov_build(project(tmp_path / "one", "tinybackend==2.0"), index, cache, tmp_path)
    # The wheels-only attempt fails; pip then builds the sdist, running the backend's code,
    # without the cache: nothing that code could write there survives.
    assert "not all as wheels: again, sdists allowed" in output
    assert "Building wheel for tinybackend" in output, output
    assert not any(path.name.startswith("poisoned") for path in cache.rglob("*"))
    assert (tmp_path / "dist" / "tiny_project-1.0-py3-none-any.whl").is_file()


def installed_backend(record: Path) -> list[str]:
    environment = json.loads(record.read_text())["environment"]
    return [
        f"{item['name']}=={item['version']}"
        for item in environment["installed"]
        if item["name"] == "tinybackend"
    ]


def test_the_wheel_environment_installs_while_the_sdist_builds(tmp_path: Path) -> None:
    served, cache = tmp_path / "served", tmp_path / "cache"
    served.mkdir()
    backend_wheel(served)
    with LocalIndex(served, cacheable=True) as index:
        output = pyprov_build(project(tmp_path / "one", "tinybackend==1.0"), index, cache, tmp_path)
    # The wheel environment's installer output is shown when the wheel's build takes it up.
    wheel_part = output[output.index("* wheel: creating isolated environment") :]
    assert "Successfully installed tinybackend-1.0" in wheel_part
    evidence = tmp_path / "evidence"
    assert installed_backend(evidence / "tiny_project-1.0-py3-none-any.whl.build.json") == [
        "tinybackend==1.0"
    ]


def test_an_sdist_asking_for_other_build_requirements_gets_a_new_environment(tmp_path: Path) -> None:
    served, cache = tmp_path / "served", tmp_path / "cache"
    served.mkdir()
    backend_wheel(served, "1.0")
    backend_wheel(served, "1.1")
    source = project(tmp_path / "one", "tinybackend==1.0")
    (source / "SDIST_PYPROJECT").write_text(
        '[build-system]\nrequires = ["tinybackend==1.1"]\nbuild-backend = "tinybackend"\n'
    )
    with LocalIndex(served, cacheable=True) as index:
        pyprov_build(source, index, cache, tmp_path)
    evidence = tmp_path / "evidence"
    # The environment installed ahead from the tree's requirements (1.0) is not the wheel's.
    assert installed_backend(evidence / "tiny_project-1.0.tar.gz.build.json") == ["tinybackend==1.0"]
    assert installed_backend(evidence / "tiny_project-1.0-py3-none-any.whl.build.json") == [
        "tinybackend==1.1"
    ]
