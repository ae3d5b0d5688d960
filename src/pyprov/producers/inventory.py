"""What is installed in a build environment."""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import sys
import sysconfig
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pyprov._internal.urls import strip_credentials
from pyprov.record import InstalledDistribution


def canonical_name(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def venv_site_packages(prefix: Path) -> list[str]:
    """The purelib and platlib directories of a virtual environment made from this interpreter.

    Computed as pypa/build computes them for its isolated environments: the ``venv``
    install scheme where the interpreter has one, else ``posix_prefix``/``nt``.
    """
    schemes = sysconfig.get_scheme_names()
    scheme = "venv" if "venv" in schemes else ("nt" if sys.platform == "win32" else "posix_prefix")
    variables = {"base": str(prefix), "platbase": str(prefix)}
    paths = sysconfig.get_paths(scheme=scheme, vars=variables)
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


def installed_distributions(
    path: Sequence[str] | None = None, *, installer_reports: Iterable[Mapping[str, Any]] = ()
) -> tuple[InstalledDistribution, ...]:
    """List the distributions importable from ``path`` (default ``sys.path``), sorted by name.

    ``installer_reports`` are pip installation reports (``pip install --report``): they
    give the hash and origin of each wheel pip installed.
    """
    downloads = _downloads(installer_reports)
    found: dict[str, InstalledDistribution] = {}
    for distribution in importlib.metadata.distributions(path=list(path) if path is not None else sys.path):
        name = distribution.metadata["Name"]
        if not name or canonical_name(name) in found:  # an earlier sys.path entry shadows later ones
            continue
        record = distribution.read_text("RECORD")
        wheel_sha256, url = downloads.get(canonical_name(name), (None, None))
        found[canonical_name(name)] = InstalledDistribution(
            name=name,
            version=distribution.version,
            wheel_sha256=wheel_sha256,
            url=url,
            record_sha256=hashlib.sha256(record.encode()).hexdigest() if record else None,
        )
    return tuple(found[key] for key in sorted(found))


def _downloads(reports: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str | None, str | None]]:
    found: dict[str, tuple[str | None, str | None]] = {}
    for report in reports:
        for item in report.get("install", ()):
            info = item.get("download_info") or {}
            hashes = (info.get("archive_info") or {}).get("hashes") or {}
            url = info.get("url")
            found[canonical_name(item["metadata"]["name"])] = (
                hashes.get("sha256"),
                strip_credentials(url) if url else None,
            )
    return found
