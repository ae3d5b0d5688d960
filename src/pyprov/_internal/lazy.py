"""Package exports imported on first use (PEP 562), so that importing a package costs nothing.

``pyprov --help`` and builds that do not sign or write SBOMs never import sigstore,
cyclonedx or the in-toto models; a package's ``__init__`` names where each export lives.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package``: ``exports`` maps each name to its module."""

    def getattr_(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # imported once: later lookups find it directly
        return value

    return getattr_
