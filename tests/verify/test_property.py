"""Property tests: mutated bundles, statements and attestations are never accepted, never crash."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyprov.testing.sigstore import LocalSigstore
from pyprov.verify.checks import (
    CheckContext,
    check_attestation_document,
    check_bundle_document,
    check_evidence,
)
from pyprov.verify.discovery import Artifact, Evidence
from pyprov.verify.policy import RepositoryPolicy

from ._release import SDIST, Signer, provenance_predicate, sha256

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="session")
def context(instance: LocalSigstore) -> CheckContext:
    return CheckContext(
        verifier=instance.verifier(), policy=RepositoryPolicy.parse("acme/widget"), trust="local"
    )


@pytest.fixture(scope="session")
def artifact(signed_release: Path) -> Artifact:
    path = signed_release / SDIST
    return Artifact(label=str(path), sha256=sha256(path.read_bytes()), path=path)


@pytest.fixture(scope="session")
def documents(signed_release: Path) -> dict[str, dict[str, Any]]:
    evidence = signed_release.parent / "evidence"
    return {
        "message": json.loads((evidence / f"{SDIST}.sigstore.json").read_text()),
        "dsse": json.loads((evidence / f"{SDIST}.intoto.sigstore.json").read_text()),
        "attestation": json.loads((signed_release / f"{SDIST}.slsa.attestation").read_text()),
    }


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, (*path, index))]
    return [path]


# Every value the verification depends on. (mediaType and kindVersion are only labels.)
_SECURITY_RELEVANT = (
    "rawBytes", "signature", "digest", "payload", "sig", "payloadType", "logIndex", "integratedTime",
    "signedEntryTimestamp", "rootHash", "hashes", "treeSize", "envelope", "canonicalizedBody", "keyId",
    "statement", "certificate",
)  # fmt: skip


def _relevant(path: tuple[Any, ...]) -> bool:
    names = [part for part in path if isinstance(part, str)]
    return bool(names) and names[-1] in _SECURITY_RELEVANT


def _mutate_checkpoint(note: str, where: int, bit: int) -> str:
    """Change the signed body or the signature bytes of a signed note.

    Not the signer's name on the signature line: it is not signed, and verifiers find the
    key by the key hint, so changing it changes nothing that is verified.
    """
    body, _, signatures = note.partition("\n\n")
    if where % 2:
        return _mutate(body, where // 2, bit) + "\n\n" + signatures
    dash, name, encoded = signatures.rstrip("\n").split(" ")
    return f"{body}\n\n{dash} {name} {_mutate(encoded, where // 2, bit)}\n"


def _mutate(value: Any, where: int, bit: int) -> Any:
    if isinstance(value, str) and "\n\n\u2014 " in value:
        return _mutate_checkpoint(value, where, bit)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + (where % 1000) + 1
    text = str(value)
    try:
        raw = bytearray(base64.b64decode(text, validate=True))
    except ValueError:
        raw = bytearray()
    if raw:
        raw[where % len(raw)] ^= 1 << bit
        return base64.b64encode(bytes(raw)).decode()
    if text.isdigit():
        return str(int(text) + (where % 1000) + 1)
    index = where % len(text) if text else 0
    return text[:index] + chr((ord(text[index]) ^ (1 << bit)) or 1) + text[index + 1 :] if text else "x"


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _get(document: dict[str, Any], path: tuple[Any, ...]) -> Any:
    target: Any = document
    for part in path:
        target = target[part]
    return target


@SETTINGS
@given(kind=st.sampled_from(["message", "dsse", "attestation"]), data=st.data())
def test_security_relevant_mutation_is_never_accepted(
    documents: dict[str, dict[str, Any]],
    artifact: Artifact,
    context: CheckContext,
    kind: str,
    data: st.DataObject,
) -> None:
    document = copy.deepcopy(documents[kind])
    paths = [path for path in _leaves(document) if _relevant(path)]
    path = data.draw(st.sampled_from(paths), label="path")
    where, bit = data.draw(st.integers(0, 10_000), label="where"), data.draw(st.integers(0, 7), label="bit")
    original = _get(document, path)
    mutated = _mutate(original, where, bit)
    if mutated == original:
        return
    _set(document, path, mutated)
    if kind == "attestation":
        outcome = check_attestation_document(document, artifact, context, "mutated")
    else:
        outcome = check_bundle_document(document, artifact, context, "mutated")
    assert any(not check.ok for check in outcome.checks), (path, outcome.checks)
    assert not outcome.proved


@SETTINGS
@given(
    kind=st.sampled_from(["message", "dsse", "attestation"]),
    cut=st.integers(min_value=1),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.binary(max_size=4)), max_size=4),
)
def test_byte_level_mutation_never_crashes(
    documents: dict[str, dict[str, Any]],
    artifact: Artifact,
    context: CheckContext,
    tmp_path_factory: pytest.TempPathFactory,
    kind: str,
    cut: int,
    edits: list[tuple[int, bytes]],
) -> None:
    data = bytearray(json.dumps(documents[kind]).encode())
    for position, replacement in edits:
        index = position % len(data)
        data[index : index + len(replacement)] = replacement
    truncated = bytes(data[: len(data) - (cut % len(data)) - 1])
    path = tmp_path_factory.getbasetemp() / f"mutated-{kind}.json"
    path.write_bytes(truncated)
    evidence = Evidence(path, "attestation" if kind == "attestation" else "bundle")
    outcome = check_evidence(evidence, artifact, context)  # must not raise
    # A strict prefix of a JSON object is never a JSON object: always refused.
    assert any(not check.ok for check in outcome.checks)
    assert not outcome.proved


_NAMES = st.one_of(st.just(SDIST), st.just("widget-1.0-py3-none-any.whl"), st.text(max_size=30))
_DIGESTS = st.one_of(st.just("artifact"), st.text("0123456789abcdef", min_size=64, max_size=64))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subjects=st.lists(st.tuples(_NAMES, _DIGESTS), max_size=3))
def test_signed_statements_about_anything_else_are_refused(
    github_signer: Signer, artifact: Artifact, context: CheckContext, subjects: list[tuple[str, str]]
) -> None:
    listed = {name: (artifact.sha256 if digest == "artifact" else digest) for name, digest in subjects}
    if listed == {SDIST: artifact.sha256} or not listed:
        return  # the one correct statement (or one sigstore refuses to build)
    try:
        bundle = github_signer.dsse(listed, "https://slsa.dev/provenance/v1", provenance_predicate())
    except Exception:  # noqa: BLE001 - sigstore's StatementBuilder refuses some subjects: nothing to verify
        return
    outcome = check_bundle_document(json.loads(bundle.to_json()), artifact, context, "statement")
    subject = [check for check in outcome.checks if check.name == "subject"]
    assert subject, outcome.checks
    assert not subject[0].ok
    assert "provenance" not in outcome.proved
