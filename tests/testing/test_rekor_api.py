"""Rekor's HTTP API beyond what signing uses: lookups, retrieval, tree head, refusals."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sigstore.models import Bundle
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext

from pyprov.testing.sigstore import LocalSigstore


@pytest.fixture
def bundles(local_sigstore: LocalSigstore, signing_context: SigningContext) -> list[Bundle]:
    with signing_context.signer(IdentityToken(local_sigstore.identity_token())) as signer:
        return [signer.sign_artifact(f"artifact {i}".encode()) for i in range(3)]


def _hashedrekord(bundle: Bundle, data: bytes) -> dict[str, Any]:
    certificate = bundle.signing_certificate.public_bytes(serialization.Encoding.PEM)
    return {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "signature": {
                "content": base64.b64encode(bundle.signature).decode(),
                "publicKey": {"content": base64.b64encode(certificate).decode()},
            },
            "data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(data).hexdigest()}},
        },
    }


def test_get_entry_by_uuid_and_by_index(local_sigstore: LocalSigstore, bundles: list[Bundle]) -> None:
    api = f"{local_sigstore.base_url}/api/v1/log"
    by_index = requests.get(f"{api}/entries", params={"logIndex": 1}, timeout=10).json()
    ((uuid, entry),) = by_index.items()
    assert entry["body"] == base64.b64encode(bundles[1].log_entry._inner.canonicalized_body).decode()
    assert entry["verification"]["inclusionProof"]["treeSize"] == 3  # proven against the current head
    by_uuid = requests.get(f"{api}/entries/{uuid}", timeout=10).json()
    assert by_uuid == by_index
    assert requests.get(f"{api}/entries", params={"logIndex": 3}, timeout=10).status_code == 404
    assert requests.get(f"{api}/entries/{'0' * 64}", timeout=10).status_code == 404


def test_retrieve_finds_logged_entries_only(local_sigstore: LocalSigstore, bundles: list[Bundle]) -> None:
    url = f"{local_sigstore.base_url}/api/v1/log/entries/retrieve/"
    logged = _hashedrekord(bundles[2], b"artifact 2")
    unknown = _hashedrekord(bundles[2], b"something else")
    found = requests.post(url, json={"entries": [logged, unknown]}, timeout=10).json()
    assert len(found) == 1
    ((_, entry),) = found[0].items()
    assert entry["logIndex"] == 2


def test_tree_head_is_signed_by_the_log_key(local_sigstore: LocalSigstore, bundles: list[Bundle]) -> None:
    api = f"{local_sigstore.base_url}/api/v1/log"
    head = requests.get(api, timeout=10).json()
    key = serialization.load_pem_public_key(requests.get(f"{api}/publicKey", timeout=10).content)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    note, _, signature_line = head["signedTreeHead"].partition("\n\n")
    assert note.splitlines()[1:] == ["3", base64.b64encode(bytes.fromhex(head["rootHash"])).decode()]
    signature = base64.b64decode(signature_line.split(" ")[2])[4:]
    key.verify(signature, (note + "\n").encode(), ec.ECDSA(hashes.SHA256()))
    assert head["treeSize"] == len(bundles)


def test_refusals(local_sigstore: LocalSigstore, bundles: list[Bundle]) -> None:
    url = f"{local_sigstore.base_url}/api/v1/log/entries"
    duplicate = requests.post(url, json=_hashedrekord(bundles[0], b"artifact 0"), timeout=10)
    assert duplicate.status_code == 409
    forged = requests.post(url, json=_hashedrekord(bundles[0], b"not what was signed"), timeout=10)
    assert forged.status_code == 400
    assert forged.json()["message"] == "signature does not verify against the hash and key"
    unknown_kind = requests.post(url, json={"apiVersion": "0.0.1", "kind": "rpm", "spec": {}}, timeout=10)
    assert unknown_kind.json() == {"code": 400, "message": "unsupported entry kind 'rpm'"}
    not_json = requests.post(url, data=b"{", timeout=10)
    assert not_json.status_code == 400
    assert requests.get(f"{local_sigstore.base_url}/nowhere", timeout=10).status_code == 404
