"""A local Rekor v1: a transparency log of ``hashedrekord`` and ``dsse`` 0.0.1 entries.

Entries are stored in their canonical form (RFC 8785 JSON) as leaves of an RFC 6962 Merkle tree.
Each answer carries an inclusion proof against the current tree head, a signed checkpoint (a
signed note, https://github.com/transparency-dev/formats/blob/main/log/README.md) and the
entry's signed entry timestamp (SET).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from ._common import RequestRejected, b64
from ._faults import Faults
from ._fulcio import key_id
from ._merkle import MerkleTree, leaf_hash

LOG_NAME = "local-rekor"
"""The signer name in checkpoints (the first word of the origin line)."""

_EC_HASH: dict[str, hashes.HashAlgorithm] = {"secp384r1": hashes.SHA384(), "secp521r1": hashes.SHA512()}
_PREHASH = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}

Entry = dict[str, Any]


@dataclass(frozen=True)
class _Stored:
    body: bytes
    integrated_time: int
    signed_entry_timestamp: bytes


class Rekor:
    """The transparency log of a local instance (in memory, thread-safe)."""

    def __init__(self, *, faults: Faults) -> None:
        self._faults = faults
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.log_id = key_id(self.key.public_key())
        self.tree_id = secrets.randbits(62)
        self.origin = f"{LOG_NAME} - {self.tree_id}"
        self._tree = MerkleTree()
        self._entries: list[_Stored] = []
        self._index_by_body: dict[bytes, int] = {}
        self._note_signatures: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def public_key_pem(self) -> str:
        """Answer ``GET /api/v1/log/publicKey``."""
        return (
            self.key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def create_entry(self, request: Any) -> tuple[str, Entry]:  # noqa: ANN401
        """Answer ``POST /api/v1/log/entries``: check, canonicalise and log a proposed entry."""
        body, certificate = canonical_entry(request)
        integrated_time = int(time.time())
        if self._faults.integrated_time_outside_validity:
            expiry = certificate.not_valid_after_utc.timestamp() if certificate else time.time()
            integrated_time = int(expiry) + 3600
        with self._lock:
            if body in self._index_by_body:
                raise RequestRejected(409, "an equivalent entry already exists in the log")
            index = self._tree.append(body)
            self._index_by_body[body] = index
            set_payload = rfc8785.dumps(
                {
                    "body": b64(body),
                    "integratedTime": integrated_time,
                    "logID": self.log_id.hex(),
                    "logIndex": index,
                }
            )
            signature = self.key.sign(set_payload, ec.ECDSA(hashes.SHA256()))
            self._entries.append(_Stored(body, integrated_time, signature))
            return self._answer(index)

    def get_entry(self, uuid: str) -> tuple[str, Entry]:
        """Answer ``GET /api/v1/log/entries/{uuid}`` (a leaf hash, optionally after a tree ID)."""
        try:
            wanted = bytes.fromhex(uuid[-64:])
        except ValueError as exc:
            raise RequestRejected(400, "malformed entry UUID") from exc
        with self._lock:
            for index, stored in enumerate(self._entries):
                if leaf_hash(stored.body) == wanted:
                    return self._answer(index)
        raise RequestRejected(404, "no entry with that UUID")

    def get_entry_by_index(self, index: int) -> tuple[str, Entry]:
        """Answer ``GET /api/v1/log/entries?logIndex=N``."""
        with self._lock:
            if not 0 <= index < len(self._entries):
                raise RequestRejected(404, f"no entry at index {index}")
            return self._answer(index)

    def retrieve(self, request: Any) -> list[dict[str, Entry]]:  # noqa: ANN401
        """Answer ``POST /api/v1/log/entries/retrieve``: the logged entries equal to proposed ones."""
        proposed = request.get("entries") if isinstance(request, dict) else None
        if not isinstance(proposed, list):
            raise RequestRejected(400, "expected an object with a list of entries")
        found: list[dict[str, Entry]] = []
        for item in proposed:
            try:
                body, _ = canonical_entry(item)
            except RequestRejected:
                continue
            with self._lock:
                index = self._index_by_body.get(body)
                if index is not None:
                    uuid, entry = self._answer(index)
                    found.append({uuid: entry})
        return found

    def log_info(self) -> dict[str, Any]:
        """Answer ``GET /api/v1/log``: the signed tree head."""
        with self._lock:
            size = self._tree.size
            root = self._tree.root()
            return {
                "rootHash": root.hex(),
                "treeSize": size,
                "signedTreeHead": self._checkpoint(size, root),
                "treeID": str(self.tree_id),
                "inactiveShards": [],
            }

    def _answer(self, index: int) -> tuple[str, Entry]:
        """Return the UUID and API form of entry ``index``, proven against the current head."""
        stored = self._entries[index]
        size = self._tree.size
        root = self._tree.root()
        if self._faults.inclusion_proof_for_other_root:
            root = hashlib.sha256(b"another tree\x00" + root).digest()
        proof = {
            "logIndex": index,
            "treeSize": size,
            "rootHash": root.hex(),
            "hashes": [h.hex() for h in self._tree.inclusion_proof(index, size)],
            "checkpoint": self._checkpoint(size, root),
        }
        entry: Entry = {
            "body": b64(stored.body),
            "integratedTime": stored.integrated_time,
            "logID": self.log_id.hex(),
            "logIndex": index,
            "verification": {
                "signedEntryTimestamp": b64(stored.signed_entry_timestamp),
                "inclusionProof": proof,
            },
        }
        return leaf_hash(stored.body).hex(), entry

    def _checkpoint(self, size: int, root: bytes) -> str:
        """Return a signed note over ``origin``, ``size`` and ``root``."""
        note = f"{self.origin}\n{size}\n{b64(root)}\n"
        # One signature per tree head, as a log publishes each head once: answers stay stable.
        signature = self._note_signatures.get(note)
        if signature is None:
            signature = self.key.sign(note.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
            self._note_signatures[note] = signature
        hint = self.log_id[:4]
        if self._faults.wrong_checkpoint_key_hint:
            hint = bytes(byte ^ 0xFF for byte in hint)
        return f"{note}\n\u2014 {LOG_NAME} {b64(hint + signature)}\n"


def canonical_entry(request: Any) -> tuple[bytes, x509.Certificate | None]:  # noqa: ANN401
    """Check a proposed entry's signatures; return its canonical body and signing certificate.

    Raises `RequestRejected` (400) for anything but a valid ``hashedrekord`` or ``dsse`` 0.0.1.
    """
    try:
        kind, version, spec = request["kind"], request["apiVersion"], request["spec"]
        if version != "0.0.1":
            raise RequestRejected(400, f"unsupported {kind} version {version!r}")
        if kind == "hashedrekord":
            return _hashedrekord(spec)
        if kind == "dsse":
            return _dsse(spec)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise RequestRejected(400, f"malformed proposed entry: {exc!r}") from exc
    raise RequestRejected(400, f"unsupported entry kind {kind!r}")


def _canonical(kind: str, spec: dict[str, Any]) -> bytes:
    return rfc8785.dumps({"apiVersion": "0.0.1", "kind": kind, "spec": spec})


def _hashedrekord(spec: dict[str, Any]) -> tuple[bytes, x509.Certificate | None]:
    algorithm = spec["data"]["hash"]["algorithm"]
    digest_hex = spec["data"]["hash"]["value"]
    signature_b64 = spec["signature"]["content"]
    key_b64 = spec["signature"]["publicKey"]["content"]
    if algorithm not in _PREHASH:
        raise RequestRejected(400, f"unsupported hash algorithm {algorithm!r}")
    key, certificate = _load_verifier(key_b64)
    digest = bytes.fromhex(digest_hex)
    signature = base64.b64decode(signature_b64, validate=True)
    prehashed = utils.Prehashed(_PREHASH[algorithm])
    if not _verifies(key, signature, digest, prehashed):
        raise RequestRejected(400, "signature does not verify against the hash and key")
    canonical_spec = {
        "data": {"hash": {"algorithm": algorithm, "value": digest_hex.lower()}},
        "signature": {"content": signature_b64, "publicKey": {"content": key_b64}},
    }
    return _canonical("hashedrekord", canonical_spec), certificate


def _dsse(spec: dict[str, Any]) -> tuple[bytes, x509.Certificate | None]:
    proposed = spec["proposedContent"]
    envelope_text: str = proposed["envelope"]
    verifiers: list[str] = proposed["verifiers"]
    envelope = json.loads(envelope_text)
    payload = base64.b64decode(envelope["payload"], validate=True)
    payload_type: str = envelope["payloadType"]
    pae = b"DSSEv1 %d %s %d %s" % (
        len(payload_type.encode()),
        payload_type.encode(),
        len(payload),
        payload,
    )
    loaded = [(verifier, *_load_verifier(verifier)) for verifier in verifiers]
    signatures: list[dict[str, str]] = []
    certificate: x509.Certificate | None = None
    for item in envelope["signatures"]:
        signature = base64.b64decode(item["sig"], validate=True)
        match = next((v for v in loaded if _verifies(v[1], signature, pae, None)), None)
        if match is None:
            raise RequestRejected(400, "a DSSE signature verifies against none of the verifiers")
        signatures.append({"signature": b64(signature), "verifier": match[0]})
        certificate = certificate or match[2]
    if not signatures:
        raise RequestRejected(400, "the DSSE envelope carries no signature")
    canonical_spec = {
        "envelopeHash": {
            "algorithm": "sha256",
            "value": hashlib.sha256(envelope_text.encode("utf-8")).hexdigest(),
        },
        "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()},
        "signatures": sorted(signatures, key=lambda s: s["signature"]),
    }
    return _canonical("dsse", canonical_spec), certificate


def _load_verifier(
    pem_b64: str,
) -> tuple[ec.EllipticCurvePublicKey | rsa.RSAPublicKey, x509.Certificate | None]:
    """Load a base64 PEM certificate or public key."""
    pem = base64.b64decode(pem_b64, validate=True)
    certificate = x509.load_pem_x509_certificate(pem) if b"CERTIFICATE" in pem else None
    key = certificate.public_key() if certificate else serialization.load_pem_public_key(pem)
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise RequestRejected(400, "only ECDSA and RSA verifiers are supported")
    return key, certificate


def _verifies(
    key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
    signature: bytes,
    data: bytes,
    prehashed: utils.Prehashed | None,
) -> bool:
    """Return whether ``signature`` over ``data`` verifies (hash by key size unless prehashed)."""
    if prehashed is not None:
        algorithm: hashes.HashAlgorithm | utils.Prehashed = prehashed
    elif isinstance(key, ec.EllipticCurvePublicKey):
        algorithm = _EC_HASH.get(key.curve.name, hashes.SHA256())
    else:
        algorithm = hashes.SHA256()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        return False
    return True
