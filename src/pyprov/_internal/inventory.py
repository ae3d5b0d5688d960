"""What is installed in a build environment."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pyprov._internal.urls import strip_credentials
from pyprov.record import InstalledDistribution

_SCRIPT = Path(__file__).with_name("inventory_script.py")


class InventoryError(RuntimeError):
    """The environment's interpreter could not list its distributions."""


def canonical_name(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_distributions(
    python: str, *, isolated: bool, installer_reports: Iterable[Mapping[str, Any]] = ()
) -> tuple[InstalledDistribution, ...]:
    """List what ``python`` can import, with wheel hashes from the installer's reports.

    ``isolated`` runs the interpreter with ``-I`` (an isolated build environment sees
    nothing else); without isolation the interpreter sees what the backend will see.
    ``installer_reports`` are pip installation reports (``pip install --report``).
    """
    flags = ["-I"] if isolated else []
    try:
        done = subprocess.run(
            [python, *flags, str(_SCRIPT)], capture_output=True, text=True, check=True, timeout=120
        )
        listed = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        raise InventoryError(f"could not list the distributions of {python}: {error}") from error
    downloads = _downloads(installer_reports)
    distributions = []
    for item in listed:
        wheel_sha256, url = downloads.get(canonical_name(item["name"]), (None, None))
        distributions.append(
            InstalledDistribution(
                name=item["name"],
                version=item["version"],
                wheel_sha256=wheel_sha256,
                url=url,
                record_sha256=item["recordSha256"],
            )
        )
    return tuple(sorted(distributions, key=lambda d: canonical_name(d.name)))


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
