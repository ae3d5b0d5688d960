"""List an interpreter's distributions with their metadata, RECORD and PEP 770 SBOMs, as JSON.

Run by the environment's own interpreter (``python -I _environment_script.py``), so it
sees what that interpreter imports. Standard library only (Python >= 3.8); file contents
are base64 so that non-UTF-8 metadata reaches pyprov as it is.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import sys
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

MAX_BYTES = 64 << 20
MAX_LICENSE_FILES = 32
MAX_LICENSE_BYTES = 1 << 20
_LICENSE_PREFIXES = ("license", "licence", "copying", "notice", "copyright", "authors")


def _read(path: Path) -> str | None:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_BYTES:
        return None
    return base64.b64encode(data).decode("ascii")


def _marker_environment() -> dict[str, str]:
    info = sys.implementation.version
    version = f"{info.major}.{info.minor}.{info.micro}"
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def _sboms(directory: Path) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    root = directory / "sboms"
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                found[f"{directory.name}/{path.relative_to(directory).as_posix()}"] = _read(path)
    return found


def _licenses(directory: Path) -> dict[str, str]:
    """Licence files (``licenses/`` of PEP 639, ``LICENSE*`` and the like): their copyright lines."""
    candidates = [p for p in sorted(directory.iterdir()) if p.name.lower().startswith(_LICENSE_PREFIXES)]
    if (directory / "licenses").is_dir():
        candidates += sorted((directory / "licenses").rglob("*"))
    found: dict[str, str] = {}
    for path in candidates:
        if len(found) >= MAX_LICENSE_FILES:
            break
        try:
            regular = path.is_file() and path.stat().st_size <= MAX_LICENSE_BYTES
        except OSError:
            continue
        encoded = _read(path) if regular else None
        if encoded is not None:
            found[path.relative_to(directory).as_posix()] = encoded
    return found


def main() -> None:
    """Print ``{"markers": {...}, "distributions": [...]}``."""
    found: list[dict[str, Any]] = []
    seen = set()
    for distribution in distributions():
        location = getattr(distribution, "_path", None)  # PathDistribution: the .dist-info directory
        if location is None or not Path(str(location)).is_dir():
            continue
        directory = Path(str(location))
        metadata = _read(directory / "METADATA") or _read(directory / "PKG-INFO")
        if metadata is None:
            continue
        name = distribution.metadata["Name"] or ""
        key = name.lower().replace("_", "-").replace(".", "-")
        if key in seen:  # shadowed by an earlier entry of sys.path
            continue
        seen.add(key)
        found.append(
            {
                "directory": directory.name,
                "metadata": metadata,
                "record": _read(directory / "RECORD"),
                "directUrl": _read(directory / "direct_url.json"),
                "wheel": _read(directory / "WHEEL"),
                "sboms": _sboms(directory),
                "licenses": _licenses(directory),
            }
        )
    json.dump({"markers": _marker_environment(), "distributions": found}, sys.stdout)


if __name__ == "__main__":
    main()
