"""Project configuration: ``[tool.pyprov]`` in ``pyproject.toml``, for the options set once.

The command line reads it from the current directory's ``pyproject.toml``; an option
given on the command line wins, then its environment variable (``PYPROV_*``), then this
table, then pyprov's default. Relative paths are relative to the ``pyproject.toml``.

.. code-block:: toml

    [tool.pyprov]
    evidence-dir = "build/evidence"
    sbom-format = "both"            # cyclonedx | spdx | spdx3 | both | none
    sbom-spec = "1.6"               # 1.5 | 1.6 | 1.7 (a string)
    staging = false                 # or trust-config = "sigstore/trust-config.json"
    expect-identity = "release@example.com"
    expect-issuer = "https://github.com/login/oauth"
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from pyprov.errors import ProjectError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

MAX_PYPROJECT_BYTES = 1 << 20
"""A pyproject.toml is kilobytes; a larger one is refused unread."""

_CHOICES = {
    "sbom-format": ("cyclonedx", "spdx", "spdx3", "both", "none"),
    "sbom-spec": ("1.5", "1.6", "1.7"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectConfig:
    """The ``[tool.pyprov]`` table; ``None`` where the table says nothing."""

    evidence_dir: Path | None = None
    sbom_format: str | None = None
    sbom_spec: str | None = None
    staging: bool | None = None
    trust_config: Path | None = None
    expect_identity: str | None = None
    expect_issuer: str | None = None

    def options(self) -> dict[str, Any]:
        """The settings that are set, by option name (``evidence_dir``...)."""
        return {
            item.name: getattr(self, item.name)
            for item in fields(self)
            if getattr(self, item.name) is not None
        }


KEYS = tuple(item.name.replace("_", "-") for item in fields(ProjectConfig))
"""The keys ``[tool.pyprov]`` accepts."""


def load_project_config(pyproject: Path) -> ProjectConfig:
    """Read ``[tool.pyprov]`` of ``pyproject`` (a missing file or table: an empty config).

    Raises :class:`~pyprov.errors.ProjectError` for an unreadable or malformed file, an
    unknown key or a value of the wrong type, naming the key.
    """
    data = _read(pyproject)
    tool = data.get("tool", {})
    table = tool.get("pyprov", {}) if isinstance(tool, Mapping) else {}
    if not isinstance(table, Mapping):
        raise ProjectError(f"{pyproject}: [tool.pyprov] must be a table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ProjectError(
                f"{pyproject}: [tool.pyprov] has an unknown key {key!r} (known: {', '.join(KEYS)})"
            )
        values[key.replace("-", "_")] = _value(pyproject, key, value)
    if values.get("staging") and "trust_config" in values:
        raise ProjectError(f"{pyproject}: [tool.pyprov] staging and trust-config choose different instances")
    return ProjectConfig(**values)


def _value(pyproject: Path, key: str, value: object) -> object:
    where = f"{pyproject}: [tool.pyprov] {key}"
    if key == "staging":
        if not isinstance(value, bool):
            raise ProjectError(f"{where}: expected true or false, found {type(value).__name__}")
        return value
    if not isinstance(value, str) or not value:
        raise ProjectError(f"{where}: expected a non-empty string, found {type(value).__name__}")
    choices = _CHOICES.get(key)
    if choices is not None and value not in choices:
        raise ProjectError(f"{where}: expected one of {', '.join(choices)}, found {value!r}")
    if key in ("evidence-dir", "trust-config"):
        return pyproject.parent / value
    return value


def _read(pyproject: Path) -> Mapping[str, Any]:
    try:
        fd = os.open(pyproject, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ProjectError(f"cannot read {pyproject}: {error.strerror or error}") from error
    try:
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ProjectError(f"cannot read {pyproject}: not a regular file")
            raw = file.read(MAX_PYPROJECT_BYTES + 1)
    except OSError as error:
        raise ProjectError(f"cannot read {pyproject}: {error.strerror or error}") from error
    if len(raw) > MAX_PYPROJECT_BYTES:
        raise ProjectError(f"{pyproject} is larger than {MAX_PYPROJECT_BYTES >> 20} MiB: not read")
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ProjectError(f"{pyproject} is not UTF-8: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{pyproject} is not valid TOML: {error}") from error
    except RecursionError as error:
        raise ProjectError(f"{pyproject} is nested too deeply to read") from error
    return data
