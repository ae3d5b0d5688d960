"""Property test: mutated real outputs never crash a reader (no exit 70), never hang it,
and a refusal is exit 2 with one ``error:`` line (plus at most a ``hint:``).

Every reader of untrusted files is fed: ``inspect`` (every format), ``verify`` with the
file as a bundle, attestation or provenance, ``verify --lock`` and ``merge``. The inputs
are real outputs (conftest.py) mutated by a seeded mutator that hypothesis drives (so a
failure shrinks and replays): byte flips, truncation, inserted bytes, and JSON nodes
replaced by values of other types, deep nesting, control characters and huge numbers.
A hang ends the test run through faulthandler, with every thread's traceback.
"""

from __future__ import annotations

import faulthandler
import hashlib
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyprov._cli import main
from pyprov.testing.sigstore import LocalSigstore

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HANG_SECONDS = 300
"""A reader that has not returned by then hangs: faulthandler ends the run."""

_REPLACEMENTS: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    1.5e308,
    "",
    "\x1b[2J\u202e",
    "A" * 5000,
    [],
    {},
    [1],
    ["x"],
    {"a": 1},
    [[[[[[[[[[[[]]]]]]]]]]]],
)


@pytest.fixture(autouse=True)
def _watchdog() -> Iterator[None]:
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def mutate(data: bytes, rng: random.Random) -> bytes:  # noqa: PLR0911 - one return per mutation
    """One seeded mutation of ``data``: structural for JSON, byte-level otherwise."""
    choice = rng.randrange(6)
    if choice == 0 and data:
        position = rng.randrange(len(data))
        return data[:position] + bytes([data[position] ^ (1 << rng.randrange(8))]) + data[position + 1 :]
    if choice == 1:
        return data[: rng.randrange(len(data) + 1)]
    if choice == 2:
        position = rng.randrange(len(data) + 1)
        noise = bytes(rng.choice(b'\x00\x1b\xff{}[]":,\\\n9') for _ in range(rng.randrange(1, 16)))
        return data[:position] + noise + data[position:]
    if choice == 3:
        depth = rng.choice((100, 1000, 100_000))
        return b"[" * depth + data + b"]" * depth
    try:
        document = json.loads(data)
    except ValueError:
        return data + b"\x00"
    if choice == 4:
        return json.dumps(_replace(document, rng)).encode()
    return json.dumps(document).replace("1", "1" * 5000, 1).encode()  # a number longer than int() takes


def _replace(document: Any, rng: random.Random) -> Any:
    nodes: list[tuple[Any, Any]] = []
    pending = [document]
    while pending:
        node = pending.pop()
        children = (
            list(node.items())
            if isinstance(node, dict)
            else list(enumerate(node))
            if isinstance(node, list)
            else []
        )
        for key, child in children:
            nodes.append((node, key))
            pending.append(child)
    if not nodes:
        return rng.choice(_REPLACEMENTS)
    parent, key = rng.choice(nodes)
    if isinstance(parent, dict) and rng.random() < 0.3:
        del parent[key]
    else:
        parent[key] = rng.choice(_REPLACEMENTS)
    return document


def assert_clean(result: Result, allowed: tuple[int, ...]) -> None:
    assert result.exit_code != 70, result.stderr
    assert result.exit_code in allowed, (result.exit_code, result.stderr, result.stdout[-500:])
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        errors = [line for line in lines if line.startswith("error: ")]
        assert len(errors) == 1, result.stderr
        assert all(line.startswith(("error: ", "hint: ")) for line in lines), result.stderr
        assert len(lines) <= 2, result.stderr


INSPECTED = (
    ".build.json",
    ".run.json",
    ".cdx.json",
    ".spdx.json",
    ".intoto.json",
    ".sigstore.json",
    ".intoto.sigstore.json",
    ".cdx.sigstore.json",
    ".sigstore",
    ".slsa.attestation",
    ".publish.attestation",
    ".provenance",
)


@pytest.mark.parametrize("suffix", INSPECTED)
@SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_inspect_survives_mutations(
    outputs: dict[str, Path], tmp_path: Path, suffix: str, rng: random.Random
) -> None:
    path = tmp_path / f"mutated{suffix}"
    path.write_bytes(mutate(outputs[suffix].read_bytes(), rng))
    assert_clean(CliRunner().invoke(main, ["inspect", str(path)]), allowed=(0, 2))
    assert_clean(CliRunner().invoke(main, ["inspect", "--json", str(path)]), allowed=(0, 2))


EVIDENCE = {
    ".sigstore.json": "--bundle",
    ".intoto.sigstore.json": "--bundle",
    ".cdx.sigstore.json": "--bundle",
    ".slsa.attestation": "--attestation",
}


@pytest.mark.parametrize("suffix", sorted(EVIDENCE))
@SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_verify_survives_mutated_evidence(
    outputs: dict[str, Path], instance: LocalSigstore, tmp_path: Path, suffix: str, rng: random.Random
) -> None:
    artifact = outputs[".sigstore.json"].parents[1] / "dist" / "widget-1.0.tar.gz"
    path = tmp_path / f"mutated{suffix}"
    path.write_bytes(mutate(outputs[suffix].read_bytes(), rng))
    trust = ["--trust-config", str(instance.trust_config_path), "--repository", "acme/widget"]
    result = CliRunner().invoke(main, ["verify", *trust, EVIDENCE[suffix], str(path), str(artifact)])
    assert_clean(result, allowed=(0, 4))


@SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_verify_survives_a_mutated_pypi_provenance(
    outputs: dict[str, Path], tmp_path: Path, rng: random.Random
) -> None:
    assets = outputs[".provenance"].parent
    path = tmp_path / "mutated.provenance"
    path.write_bytes(mutate(outputs[".provenance"].read_bytes(), rng))
    policy = ["--offline", "--repository", "trailofbits/pypi-attestations"]
    artifact = assets / "pypi_attestations-0.0.19.tar.gz"
    result = CliRunner().invoke(main, ["verify", *policy, "--provenance", str(path), str(artifact)])
    assert_clean(result, allowed=(0, 4))


@SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_verify_lock_survives_mutations(outputs: dict[str, Path], tmp_path: Path, rng: random.Random) -> None:
    sdist = outputs[".provenance"].parent / "pypi_attestations-0.0.19.tar.gz"
    files = tmp_path / "files"
    files.mkdir(exist_ok=True)
    shutil.copy(sdist, files / sdist.name)
    lock = f"""lock-version = "1.0"
created-by = "test"

[[packages]]
name = "pypi-attestations"
version = "0.0.19"
sdist.url = "https://files.example/{sdist.name}"
sdist.size = {sdist.stat().st_size}
sdist.hashes.sha256 = "{hashlib.sha256(sdist.read_bytes()).hexdigest()}"
""".encode()
    path = tmp_path / "pylock.toml"
    path.write_bytes(mutate(lock, rng))
    result = CliRunner().invoke(main, ["verify", "--offline", "--lock", str(path), "--files", str(files)])
    assert_clean(result, allowed=(0, 2, 4))


@SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_merge_survives_a_mutated_statement(
    outputs: dict[str, Path], tmp_path: Path, rng: random.Random
) -> None:
    job = tmp_path / "job"
    shutil.rmtree(job, ignore_errors=True)
    job.mkdir()
    statement = outputs[".intoto.json"]
    (job / statement.name).write_bytes(mutate(statement.read_bytes(), rng))
    output = tmp_path / "out"
    shutil.rmtree(output, ignore_errors=True)
    assert_clean(CliRunner().invoke(main, ["merge", str(job), "-o", str(output)]), allowed=(0, 2))
