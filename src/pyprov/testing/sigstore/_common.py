"""Small helpers shared by the local services: errors, encodings, DER."""

from __future__ import annotations

import base64
from datetime import datetime, timezone


class RequestRejected(Exception):  # noqa: N818  (an HTTP answer, not a failure of this code)
    """A request a local service refuses; the server answers it with ``status`` and ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def b64(data: bytes) -> str:
    """Return standard base64 (with padding) as text."""
    return base64.b64encode(data).decode("ascii")


def b64url(data: bytes) -> str:
    """Return unpadded URL-safe base64, as used by JWTs."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded URL-safe base64."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def utc_now() -> datetime:
    """Return the current time, timezone-aware, truncated to whole seconds.

    Certificates, SCTs and log entries all carry whole seconds here, which keeps the values the
    client recomputes (for example ``int(timestamp() * 1000)`` for SCTs) exact.
    """
    return datetime.now(timezone.utc).replace(microsecond=0)


def rfc3339(moment: datetime) -> str:
    """Return ``moment`` as an RFC 3339 UTC timestamp, as the trust config expects."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_DER_SHORT_LENGTH_LIMIT = 0x80


def _der_length(length: int) -> bytes:
    if length < _DER_SHORT_LENGTH_LIMIT:
        return bytes([length])
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(encoded)]) + encoded


def der_utf8_string(value: str) -> bytes:
    """Return the DER encoding of an ASN.1 UTF8String."""
    raw = value.encode("utf-8")
    return b"\x0c" + _der_length(len(raw)) + raw


def der_octet_string(value: bytes) -> bytes:
    """Return the DER encoding of an ASN.1 OCTET STRING."""
    return b"\x04" + _der_length(len(value)) + value
