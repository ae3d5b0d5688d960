r"""Text from files, made safe for a terminal: the one sanitiser every renderer uses.

Names, reasons and values in SBOMs, statements, bundles and lock files are hostile:
an escape sequence could rewrite what is on the screen (hide a failure, fake a ✓), a
bidirectional override could reorder it. ``printable`` escapes every control, format
(Unicode category Cf: bidi overrides, zero-width characters), separator-other and
surrogate character as ``\xNN``/``\uNNNN``, so the user sees what the file holds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def printable(text: str) -> str:
    r"""``text`` with every character that could act on a terminal escaped (``\x1b``, ``\u202e``)."""
    if text.isprintable():  # no Cc, Cf, Cs, Co, Cn, Zl, Zp: the common case, unchanged
        return text
    return "".join(_escape(char) for char in text)


def printable_tree(value: Any) -> Any:  # noqa: ANN401 - any JSON value
    """`printable` applied to every string (keys included) of a JSON-like value, without recursion.

    Tuples (from ``dataclasses.asdict``) come back as lists.
    """
    if isinstance(value, str):
        return printable(value)
    if not isinstance(value, (Mapping, list, tuple)):
        return value
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while pending:
        item, parent, key = pending.pop()
        if isinstance(item, Mapping):
            copy: dict[Any, Any] = {}
            parent[key] = copy
            for name, child in item.items():
                pending.append((child, copy, printable(name) if isinstance(name, str) else name))
        elif isinstance(item, (list, tuple)):
            copied: list[Any] = [None] * len(item)
            parent[key] = copied
            pending.extend((child, copied, index) for index, child in enumerate(item))
        else:
            parent[key] = printable(item) if isinstance(item, str) else item
    return root[0]


def _escape(char: str) -> str:
    if char.isprintable() and unicodedata.category(char) not in _UNSAFE_CATEGORIES:
        return char
    code = ord(char)
    if code <= 0xFF:  # noqa: PLR2004 - one byte
        return f"\\x{code:02x}"
    if code <= 0xFFFF:  # noqa: PLR2004 - the basic multilingual plane
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
