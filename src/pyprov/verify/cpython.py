"""Which release manager signs a CPython release artifact, from python.org's published table.

The table is ``cpython_release_managers.json`` beside this module (its source is named
in it). An artifact's version comes from its file name (``Python-3.12.1.tgz``,
``python-3.12.1-amd64.exe``, ``python-3.13.0rc2-macos11.pkg``, ``python-3.12.1-docs-html.zip``...);
a version the table does not list is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from pyprov.errors import ProjectError
from pyprov.verify.policy import IdentityPolicy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pyprov.verify import VerificationReport, VerifyOptions
    from pyprov.verify.trust import TrustSource

_VERSION = re.compile(r"^python-(\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)[-.]", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseManager:
    """The Sigstore identity that signs one CPython release series."""

    series: str
    name: str
    identity: str
    issuer: str

    def policy(self) -> IdentityPolicy:
        """The signer policy for this release manager."""
        return IdentityPolicy(identity=self.identity, issuer=self.issuer)


def cpython_version(filename: str) -> Version:
    """The CPython version an artifact's file name names; ``ProjectError`` if it names none."""
    match = _VERSION.match(filename)
    if match is None:
        raise ProjectError(f"{filename} is not named like a CPython release artifact (Python-X.Y.Z...)")
    try:
        return Version(match.group(1))
    except InvalidVersion as error:  # pragma: no cover - the pattern admits only valid versions
        raise ProjectError(f"{filename}: {error}") from error


def release_manager(filename: str) -> ReleaseManager:
    """The release manager whose identity must have signed ``filename``.

    Refuses (``ProjectError``) a version whose series the table does not list, and a
    version older than the series' first Sigstore-signed release.
    """
    version = cpython_version(filename)
    series = f"{version.major}.{version.minor}"
    entry = _table()["series"].get(series)
    if entry is None:
        known = ", ".join(_table()["series"])
        raise ProjectError(
            f"{filename}: no published Sigstore identity for CPython {series} (known: {known})",
            hint="pyprov does not guess a release manager; check python.org's Sigstore page",
        )
    if entry["first"] is not None and version < Version(entry["first"]):
        raise ProjectError(
            f"{filename}: CPython {version} predates Sigstore signing ({entry['first']} was the first)"
        )
    return ReleaseManager(
        series=series, name=entry["release_manager"], identity=entry["identity"], issuer=entry["issuer"]
    )


@cache
def verify_cpython(
    artifacts: Sequence[str], trust: TrustSource, options: VerifyOptions
) -> VerificationReport:
    """Verify CPython release artifacts, each against its series' release manager (one policy per series).

    Raises :class:`ProjectError` for an artifact whose version python.org's table does not list.
    """
    from pyprov.verify import VerificationReport, verify_artifacts  # noqa: PLC0415 - a cycle otherwise

    groups: dict[str, list[str]] = {}
    managers = {}
    for artifact in artifacts:
        manager = release_manager(Path(artifact).name)
        managers[manager.series] = manager
        groups.setdefault(manager.series, []).append(artifact)
    reports = [
        verify_artifacts(members, managers[series].policy(), trust, options)
        for series, members in groups.items()
    ]
    return VerificationReport(
        trust=reports[0].trust,
        policy="; ".join(
            f"CPython {series}: {managers[series].name}, {report.policy}"
            for series, report in zip(groups, reports, strict=True)
        ),
        artifacts=tuple(result for report in reports for result in report.artifacts),
        notes=tuple(note for report in reports for note in report.notes),
    )


def _table() -> Mapping[str, Any]:
    text = (
        resources.files("pyprov.verify").joinpath("cpython_release_managers.json").read_text(encoding="utf-8")
    )
    table: Mapping[str, Any] = json.loads(text)
    return table
