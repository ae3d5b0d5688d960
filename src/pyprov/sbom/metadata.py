"""Core metadata (``METADATA``/``PKG-INFO``) read defensively into a :class:`Distribution`."""

from __future__ import annotations

import re
from email.utils import getaddresses

from packaging.metadata import parse_email
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as PackagingRequirement

from pyprov.sbom.model import Distribution, Requirement, SbomError

MAX_METADATA_BYTES = 16 << 20
_SHORT_LICENSE = 100
"""A longer ``License`` field is a license text, not a name or an identifier."""
_COPYRIGHT = re.compile(r"\s*(copyright|\(c\)|\u00a9)(\s*(\(c\)|\u00a9))?\s*\d{4}", re.IGNORECASE)
"""A copyright notice starts with the word or sign and a year (not "copyright notice that ...")."""
_MAX_LICENSE_LINES = 2000
_MAX_NOTICE = 300

# Trove license classifiers whose meaning is exactly one SPDX identifier. Others (e.g.
# "BSD License", "GNU General Public License (GPL)") name no single license: kept as names.
CLASSIFIER_SPDX: dict[str, str] = {
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: MIT No Attribution License (MIT-0)": "MIT-0",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "License :: OSI Approved :: GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "License :: OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "License :: OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0-only",
    "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "License :: OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "License :: OSI Approved :: Zope Public License": "ZPL-2.1",
    "License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "License :: OSI Approved :: Universal Permissive License (UPL)": "UPL-1.0",
    "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}


def decode_metadata(data: bytes, where: str) -> tuple[str, list[str]]:
    """Decode metadata bytes as UTF-8 (the spec); fall back to Latin-1 with a warning."""
    if len(data) > MAX_METADATA_BYTES:
        raise SbomError(f"{where} is larger than {MAX_METADATA_BYTES >> 20} MiB")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        warning = f"{where} is not UTF-8 (byte {error.start}); read as Latin-1"
        return data.decode("latin-1"), [warning]


def parse_metadata(data: bytes, where: str) -> tuple[Distribution, list[str]]:
    """Parse core metadata bytes; raise :class:`SbomError` without a name or version."""
    text, warnings = decode_metadata(data, where)
    raw, unparsed = parse_email(text)
    name, version = raw.get("name"), raw.get("version")
    if not name or not version:
        raise SbomError(f"{where} has no Name or no Version field")
    warnings.extend(
        f"{where}: ignored malformed field {field}" for field in sorted(unparsed) if field != "description"
    )
    requires = tuple(
        sorted(
            (_requirement(item, where, warnings) for item in raw.get("requires_dist", ())),
            key=lambda r: r.raw,
        )
    )
    urls = {(label, url) for label, url in (raw.get("project_urls") or {}).items()}
    for label, key in (("Homepage", "home_page"), ("Download", "download_url")):
        value = raw.get(key)
        if isinstance(value, str) and value and value != "UNKNOWN":
            urls.add((label, value))
    license_field = _license_field(raw.get("license"))
    distribution = Distribution(
        name=name,
        version=version,
        summary=raw.get("summary") or None,
        license_expression=raw.get("license_expression") or None,
        license=license_field,
        copyright=copyright_notices(license_field) if license_field else (),
        license_classifiers=tuple(
            sorted(c for c in raw.get("classifiers", ()) if c.startswith("License ::"))
        ),
        authors=_people(raw.get("author"), raw.get("author_email")),
        maintainers=_people(raw.get("maintainer"), raw.get("maintainer_email")),
        urls=tuple(sorted(urls)),
        requires=requires,
    )
    return distribution, warnings


def _requirement(text: str, where: str, warnings: list[str]) -> Requirement:
    try:
        parsed = PackagingRequirement(text)
    except InvalidRequirement:
        warnings.append(f"{where}: unparsable Requires-Dist {text!r} kept as written")
        name = re.split(r"[^A-Za-z0-9._-]", text.strip(), maxsplit=1)[0] or text.strip()
        return Requirement(name=name, raw=text)
    return Requirement(
        name=parsed.name,
        specifier=str(parsed.specifier),
        extras=tuple(sorted(parsed.extras)),
        marker=str(parsed.marker) if parsed.marker else None,
        raw=str(parsed),
    )


def _license_field(value: str | None) -> str | None:
    if not value or value.strip() in {"", "UNKNOWN"}:
        return None
    return value.strip()


def _people(names: str | None, emails: str | None) -> tuple[tuple[str | None, str | None], ...]:
    """``(name, email)`` pairs of ``Author``/``Author-email`` (or the maintainer fields).

    Setuptools-era metadata puts one person in two fields (``Author: Kenneth Reitz``,
    ``Author-email: me@kennethreitz.com``): a lone name and a lone bare address are one
    person, not two.
    """
    people: list[tuple[str | None, str | None]] = []
    for display, address in getaddresses([emails]) if emails else []:
        if display or address:
            people.append((display or None, address or None))
    names = names.strip() if names else None
    if not names or any(display == names for display, _ in people):
        return tuple(people)
    bare = [index for index, (display, _) in enumerate(people) if display is None]
    if len(bare) == 1 and len(people) == 1:
        people[0] = (names, people[0][1])
    else:
        people.insert(0, (names, None))
    return tuple(people)


def license_facts(distribution: Distribution) -> tuple[str | None, tuple[str, ...]]:
    """Return ``(SPDX expression, license names)`` as declared, PEP 639 first.

    The expression comes from ``License-Expression``, or from ``License`` or classifiers
    when they map exactly to SPDX identifiers; whatever does not map is kept as a name.
    """
    from cyclonedx.spdx import fixup_id, is_expression  # noqa: PLC0415 - heavy import

    if distribution.license_expression:
        return distribution.license_expression, ()
    names: list[str] = []
    ids: list[str] = []
    if distribution.license and not is_license_text(distribution.license):
        value = distribution.license
        fixed = fixup_id(value)
        if fixed:
            ids.append(fixed)
        elif is_expression(value):
            return value, ()
        else:
            names.append(value)
    for classifier in distribution.license_classifiers:
        spdx = CLASSIFIER_SPDX.get(classifier)
        if spdx:
            ids.append(spdx)
        elif classifier not in {"License :: OSI Approved", "License :: Other/Proprietary License"}:
            names.append(classifier.rsplit(" :: ", 1)[-1])
    unique = sorted(set(ids))
    if len(unique) == 1 and not names:
        return unique[0], ()
    return None, tuple(sorted(set(unique + names)))


def is_license_text(value: str) -> bool:
    """Whether a ``License`` field holds a licence's text rather than its name or identifier.

    Many projects paste their whole ``LICENSE`` file there; its first line is usually a
    copyright notice (markupsafe: ``Copyright 2010 Pallets``), never a licence name.
    """
    return "\n" in value.strip() or len(value) >= _SHORT_LICENSE or bool(_COPYRIGHT.match(value))


def copyright_notices(text: str) -> tuple[str, ...]:
    """The copyright lines of a licence text (``Copyright 2010 Pallets``), in order, each once."""
    found: list[str] = []
    for line in text.splitlines()[:_MAX_LICENSE_LINES]:
        stripped = " ".join(line.split())
        if _COPYRIGHT.match(stripped) and stripped not in found and len(stripped) <= _MAX_NOTICE:
            found.append(stripped)
    return tuple(found)
