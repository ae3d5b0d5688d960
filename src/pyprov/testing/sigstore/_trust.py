"""The client trust config (trusted root + signing config) that describes a local instance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from ._common import b64, rfc3339
from ._fulcio import key_id, spki_der

CLIENT_TRUST_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
TRUSTED_ROOT_MEDIA_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
SIGNING_CONFIG_MEDIA_TYPE = "application/vnd.dev.sigstore.signingconfig.v0.2+json"
OPERATOR = "local-sigstore.invalid"


def _log_instance(base_url: str, key: ec.EllipticCurvePrivateKey, start: datetime) -> dict[str, Any]:
    public_key = key.public_key()
    return {
        "baseUrl": base_url,
        "hashAlgorithm": "SHA2_256",
        "publicKey": {
            "rawBytes": b64(spki_der(public_key)),
            "keyDetails": "PKIX_ECDSA_P256_SHA_256",
            "validFor": {"start": rfc3339(start)},
        },
        "logId": {"keyId": b64(key_id(public_key))},
    }


def _service(url: str, start: datetime) -> dict[str, Any]:
    return {
        "url": url,
        "majorApiVersion": 1,
        "validFor": {"start": rfc3339(start)},
        "operator": OPERATOR,
    }


def client_trust_config(
    *,
    fulcio_url: str,
    rekor_url: str,
    oidc_url: str,
    ca_certificate_der: bytes,
    ct_key: ec.EllipticCurvePrivateKey,
    rekor_key: ec.EllipticCurvePrivateKey,
    start: datetime,
) -> dict[str, Any]:
    """Return the client trust config of an instance, as a JSON-ready dict.

    ``start`` begins the validity of every key and service; it must not be in the future.
    The signing config names Rekor v1 only and no timestamp authority: Rekor v1's integrated
    time is the signed source of time.
    """
    trusted_root = {
        "mediaType": TRUSTED_ROOT_MEDIA_TYPE,
        "tlogs": [_log_instance(rekor_url, rekor_key, start)],
        "certificateAuthorities": [
            {
                "subject": {"organization": "pyprov-testing (INSECURE)", "commonName": "local-sigstore-ca"},
                "uri": fulcio_url,
                "certChain": {"certificates": [{"rawBytes": b64(ca_certificate_der)}]},
                "validFor": {"start": rfc3339(start)},
            }
        ],
        "ctlogs": [_log_instance(f"{fulcio_url}/ct", ct_key, start)],
        "timestampAuthorities": [],
    }
    signing_config = {
        "mediaType": SIGNING_CONFIG_MEDIA_TYPE,
        "caUrls": [_service(fulcio_url, start)],
        "oidcUrls": [_service(oidc_url, start)],
        "rekorTlogUrls": [_service(rekor_url, start)],
        "tsaUrls": [],
        "rekorTlogConfig": {"selector": "ANY"},
        "tsaConfig": {"selector": "ANY"},
    }
    return {
        "mediaType": CLIENT_TRUST_CONFIG_MEDIA_TYPE,
        "trustedRoot": trusted_root,
        "signingConfig": signing_config,
    }
