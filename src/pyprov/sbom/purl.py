"""Package URLs of Python distributions."""

from __future__ import annotations

import re

from packageurl import PackageURL


def normalise(name: str) -> str:
    """PEP 503 normalised name, as the ``pypi`` purl type wants it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pypi_purl(
    name: str,
    version: str | None = None,
    *,
    file_name: str | None = None,
    qualifiers: dict[str, str] | None = None,
    subpath: str | None = None,
) -> str:
    """``pkg:pypi/<name>@<version>?file_name=<file>``, encoded as packageurl-python does.

    The name is lowercased with ``_`` replaced by ``-``, as the purl spec says for pypi.
    """
    items = dict(qualifiers or {})
    if file_name:
        items["file_name"] = file_name
    return str(
        PackageURL(type="pypi", name=name, version=version or None, qualifiers=items or None, subpath=subpath)
    )
