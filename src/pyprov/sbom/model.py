"""The facts an SBOM states, independent of its format (CycloneDX or SPDX)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pyprov.errors import PyprovError

REQUIRES_DIST = "pyprov:requires-dist"
"""Property of the root component: one ``Requires-Dist`` line as declared (a range, not a version)."""


PYPROV_URL = "https://github.com/pyprov/pyprov"
"""pyprov's home page: the URL of the organisation behind the tool that writes the SBOM."""


class SbomError(PyprovError):
    """An input cannot be described: unreadable or unsafe archive, bad environment, invalid SBOM."""

    exit_code: ClassVar[int] = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Requirement:
    """A ``Requires-Dist`` entry: a declared range, not a resolved version."""

    name: str
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: str | None = None
    raw: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Distribution:
    """What a distribution's core metadata (``METADATA``/``PKG-INFO``) says about it."""

    name: str
    version: str
    summary: str | None = None
    license_expression: str | None = None
    """PEP 639 ``License-Expression``."""
    license: str | None = None
    """The older free-text ``License`` field."""
    license_classifiers: tuple[str, ...] = ()
    copyright: tuple[str, ...] = ()
    """Copyright notices the metadata states (in a ``License`` field holding the licence text)."""
    authors: tuple[tuple[str | None, str | None], ...] = ()
    """``(name, email)`` pairs from ``Author``/``Author-email``."""
    maintainers: tuple[tuple[str | None, str | None], ...] = ()
    urls: tuple[tuple[str, str], ...] = ()
    """``(label, url)`` from ``Project-URL`` and ``Home-page``/``Download-URL``, sorted."""
    requires: tuple[Requirement, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FileEntry:
    """A file inside a distribution, with the SHA-256 its ``RECORD`` (or pyprov) gives."""

    path: str
    sha256: str | None = None
    size: int | None = None


SbomFormat = Literal["cyclonedx", "spdx", "unknown"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbeddedSbom:
    """A PEP 770 SBOM found in ``.dist-info/sboms/``; ``document`` is ``None`` when unreadable."""

    path: str
    sha256: str
    format: SbomFormat
    document: dict[str, Any] | None = None
    error: str | None = None
    by_pyprov: bool = False
    """Written by ``--embed-sbom``: listed, never merged (its facts are in the artifact's SBOM)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VendoredPackage:
    """A Python package vendored inside another (``_vendor/`` with a ``.dist-info`` or ``vendor.txt``)."""

    name: str
    version: str | None
    location: str
    """Where it was found in the distribution."""
    metadata_sha256: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Contents:
    """What pyprov read from one distribution (a wheel, an sdist, or an installed one)."""

    distribution: Distribution
    files: tuple[FileEntry, ...] = ()
    """Every file with its hash (wheels and installed: from ``RECORD``); empty unless asked for."""
    sboms: tuple[EmbeddedSbom, ...] = ()
    vendored: tuple[VendoredPackage, ...] = ()
    libraries: tuple[FileEntry, ...] = ()
    """Grafted shared libraries (``<pkg>.libs/``), hashed by pyprov."""
    warnings: tuple[str, ...] = ()
    record_sha256: str | None = None
    """SHA-256 of the ``RECORD`` file (installed distributions)."""
    direct_url: str | None = None
    """Where an installed distribution came from, per its ``direct_url.json``."""
    wheel_tags: tuple[str, ...] = ()
    """The ``Tag:`` lines of an installed distribution's ``WHEEL`` file: the wheel it was installed from."""
