"""DER values in certificate extensions, decoded by cryptography's ASN.1 support (as sigstore-python does)."""

from __future__ import annotations


def utf8_string(der: bytes) -> str:
    """Decode a DER UTF8String (tag 0x0C, nothing after it); raise ``ValueError`` on anything else."""
    from cryptography.hazmat import asn1  # noqa: PLC0415 - only when a certificate is read

    return str(asn1.decode_der(str, der))
