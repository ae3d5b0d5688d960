"""DER UTF8Strings of Fulcio's certificate extensions, decoded by cryptography."""

from __future__ import annotations

import pytest

from pyprov._internal.der import utf8_string


@pytest.mark.parametrize(
    "der", [b"", b"\x0c", b"\x04\x01a", b"\x0c\x05abc", b"\x0c\x81", b"\x0c\x02\xff\xfe", b"\x0c\x01ab"]
)
def test_malformed_der_strings(der: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - whatever the parser's message
        utf8_string(der)


def test_long_der_string() -> None:
    text = "x" * 200
    assert utf8_string(b"\x0c\x81\xc8" + text.encode()) == text
