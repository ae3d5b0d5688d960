"""``pyprov verify --require rebuild``: a rebuilder's signed statement, checked with the rebuilder policy.

Everything is real: the published crashtest 0.4.1 wheel (``tests/assets/rebuild``) is signed
by its "publisher" with ``pyprov sign``, rebuilt from its sdist by ``pyprov rebuild --sign``
with another identity (the rebuilder), both against the local Sigstore instance; the
``differs`` statement comes from ``pyprov rebuild --sign`` of a copy with one injected line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pyprov._cli import main
from pyprov.rebuild.attestation import PREDICATE_TYPE
from pyprov.testing.sigstore import LocalSigstore
from pyprov.verify.checks import REBUILD_V1

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "rebuild"
WHEEL = "crashtest-0.4.1-py3-none-any.whl"
SDIST = ASSETS / "crashtest-0.4.1.tar.gz"
SIX = "six-1.17.0-py2.py3-none-any.whl"
PUBLISHER = "publisher@example.com"
REBUILDER = "rebuilder@example.com"

pytestmark = [
    pytest.mark.network,
    pytest.mark.slow,
    # six's setup.py passes an option today's setuptools warns about; pyproject_hooks re-issues
    # the backend's warnings in-process, where the suite's filterwarnings=error would fail the build.
    pytest.mark.filterwarnings("ignore::pyproject_hooks.BuildBackendWarning"),
]


def pyprov(instance: LocalSigstore, identity: str, *args: str | Path) -> Result:
    token = instance.identity_token(identity)
    return CliRunner().invoke(main, [*map(str, args)], env={"SIGSTORE_ID_TOKEN": token})


def tamper(wheel: Path, target: Path) -> Path:
    """One line injected into a module, RECORD fixed: a wheel its sdist does not produce."""
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w") as out:
        files = {info.filename: source.read(info) for info in source.infolist()}
        module = next(name for name in files if name.endswith("__init__.py"))
        files[module] = b"import os; os.system('id')\n" + files[module]
        record = next(name for name in files if name.endswith(".dist-info/RECORD"))
        lines = []
        for line in files[record].decode().splitlines():
            name = line.split(",")[0]
            digest = base64.urlsafe_b64encode(hashlib.sha256(files[name]).digest()).rstrip(b"=").decode()
            lines.append(line if name == record else f"{name},sha256={digest},{len(files[name])}")
        files[record] = ("\n".join(lines) + "\n").encode()
        for info in source.infolist():
            out.writestr(info, files[info.filename])
    return target


def publish_and_rebuild(
    instance: LocalSigstore, wheel: Path, evidence: Path, sdist: Path = SDIST, *, verdict: int
) -> None:
    """Sign ``wheel`` as its publisher, then rebuild it from the sdist and sign that as the rebuilder."""
    options = ("--trust-config", instance.trust_config_path, "--evidence-dir", evidence)
    signed = pyprov(instance, PUBLISHER, "sign", wheel, *options)
    assert signed.exit_code == 0, signed.output
    rebuilt = pyprov(instance, REBUILDER, "-q", "rebuild", wheel, "--source", sdist, "--sign", *options)
    assert rebuilt.exit_code == verdict, rebuilt.output


@pytest.fixture(scope="module")
def signed_rebuilds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three wheels, each signed by the publisher and the rebuilder: ``dist/`` (identical rebuild,
    evidence in ``evidence/``), ``tampered/`` (differs) and ``six/`` (equivalent), each of the
    last two with ``<dir>-evidence/``."""
    root = tmp_path_factory.mktemp("rebuilt")
    with LocalSigstore(tmp_path_factory.mktemp("instance")) as instance:
        for directory in ("dist", "tampered", "six"):
            (root / directory).mkdir()
        wheel = Path(shutil.copy(ASSETS / WHEEL, root / "dist"))
        publish_and_rebuild(instance, wheel, root / "evidence", verdict=0)
        tampered = tamper(wheel, root / "tampered" / WHEEL)
        publish_and_rebuild(instance, tampered, root / "tampered-evidence", verdict=4)
        six = Path(shutil.copy(ASSETS / SIX, root / "six"))
        publish_and_rebuild(instance, six, root / "six-evidence", ASSETS / "six-1.17.0.tar.gz", verdict=0)
        shutil.copy(instance.trust_config_path, root / "trust.json")
        issuer = instance.email_issuer
    (root / "issuer").write_text(issuer)
    return root


@pytest.fixture
def release(signed_rebuilds: Path, tmp_path: Path) -> Path:
    shutil.copytree(signed_rebuilds, tmp_path / "release")
    return tmp_path / "release"


@pytest.fixture
def verify(release: Path) -> Callable[..., Result]:
    issuer = (release / "issuer").read_text()

    def run(*args: str | Path, rebuilder: str | None = REBUILDER) -> Result:
        policy = ("--identity", PUBLISHER, "--issuer", issuer, "--trust-config", release / "trust.json")
        rebuilder_policy = (
            ("--rebuilder-identity", rebuilder, "--rebuilder-issuer", issuer) if rebuilder else ()
        )
        return CliRunner().invoke(main, ["verify", *map(str, (*policy, *rebuilder_policy, *args))])

    return run


def lines(result: Result) -> list[str]:
    """The check lines (not the artifact's own line), without their indentation."""
    return [line.strip() for line in result.stdout.splitlines() if line.startswith(" ")]


def test_the_predicate_type_is_the_one_pyprov_rebuild_signs() -> None:
    assert REBUILD_V1 == PREDICATE_TYPE


def test_an_identical_rebuild_signed_by_the_rebuilder_passes(
    release: Path, verify: Callable[..., Result]
) -> None:
    result = verify(release / "dist" / WHEEL, "--require", "rebuild,signature")
    assert result.exit_code == 0, result.output
    statement = f"{WHEEL}.rebuild.sigstore.json"
    passed = next(line for line in lines(result) if statement in line)
    assert passed.startswith("✓ signature, rebuilder, statement, subject, predicate type, rebuild verdict [")
    assert f"rebuilder {REBUILDER}" in result.stderr  # the policy line names both signers
    report = json.loads(verify(release / "dist" / WHEEL, "--require", "rebuild", "--json").stdout)
    checks = {check["name"]: check for check in report["artifacts"][0]["checks"]}
    assert checks["rebuild verdict"]["found"] == f"identical (rebuilt from {SDIST})"
    assert checks["rebuilder"]["found"].startswith(REBUILDER)
    # --strict-rebuild accepts it: the bytes are the same.
    assert verify(release / "dist" / WHEEL, "--require", "rebuild", "--strict-rebuild").exit_code == 0


def test_another_rebuilder_fails(release: Path, verify: Callable[..., Result]) -> None:
    result = verify(release / "dist" / WHEEL, "--require", "rebuild", rebuilder="someone@example.com")
    assert result.exit_code == 4
    failing = [line for line in lines(result) if line.startswith("✗ rebuilder")]
    assert len(failing) == 1
    assert "identity: expected someone@example.com, found rebuilder@example.com" in failing[0]
    assert any(line.startswith("✗ required rebuild: no verified rebuild evidence") for line in lines(result))


def test_a_statement_about_another_artifact_fails(release: Path, verify: Callable[..., Result]) -> None:
    # The tampered wheel keeps its publisher's signature; its rebuild statement is the good wheel's.
    statement = f"{WHEEL}.rebuild.sigstore.json"
    shutil.copy(release / "evidence" / statement, release / "tampered-evidence" / statement)
    result = verify(
        release / "tampered" / WHEEL, "--require", "rebuild", "--evidence-dir", release / "tampered-evidence"
    )
    assert result.exit_code == 4
    assert any(
        line.startswith("✗ subject [") and "the statement is about another file: SHA-256 differs" in line
        for line in lines(result)
    ), result.stdout


def test_a_rebuild_that_differs_fails(release: Path, verify: Callable[..., Result]) -> None:
    result = verify(
        release / "tampered" / WHEEL, "--require", "rebuild", "--evidence-dir", release / "tampered-evidence"
    )
    assert result.exit_code == 4
    failing = [line for line in lines(result) if line.startswith("✗ ")]
    assert [line.split(" [")[0] for line in failing] == [
        "✗ rebuild verdict",
        "✗ required rebuild: no verified rebuild evidence; expected rebuild",
    ]
    assert "the rebuild differs: the artifact holds something its source does not produce" in failing[0]


def test_an_equivalent_rebuild_fails_only_when_strict(release: Path, verify: Callable[..., Result]) -> None:
    wheel, evidence = release / "six" / SIX, ("--evidence-dir", release / "six-evidence")
    assert verify(wheel, "--require", "rebuild", *evidence).exit_code == 0
    result = verify(wheel, "--require", "rebuild", "--strict-rebuild", *evidence, "--json")
    assert result.exit_code == 4
    check = next(
        c for c in json.loads(result.stdout)["artifacts"][0]["checks"] if c["name"] == "rebuild verdict"
    )
    assert (check["expected"], check["found"]) == (
        "identical",
        f"equivalent (rebuilt from {ASSETS / 'six-1.17.0.tar.gz'})",
    )
    assert check["reason"] == "the rebuild is equivalent, not identical"


def test_a_tampered_statement_fails(release: Path, verify: Callable[..., Result]) -> None:
    statement = release / "evidence" / f"{WHEEL}.rebuild.sigstore.json"
    bundle = json.loads(statement.read_text())
    payload = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    payload["predicate"]["verdict"] = "identical"
    payload["predicate"]["source"]["location"] = "https://example.com/elsewhere"
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()
    statement.write_text(json.dumps(bundle))
    result = verify(release / "dist" / WHEEL, "--require", "rebuild")
    assert result.exit_code == 4
    assert any(line.startswith("✗ signature [") for line in lines(result)), result.stdout
    assert any(line.startswith("✗ rebuilder [") and "not established" in line for line in lines(result))


def test_a_missing_statement_fails_only_when_required(release: Path, verify: Callable[..., Result]) -> None:
    (release / "evidence" / f"{WHEEL}.rebuild.sigstore.json").unlink()
    required = verify(release / "dist" / WHEEL, "--require", "rebuild")
    assert required.exit_code == 4
    assert "✗ required rebuild: no verified rebuild evidence; expected rebuild" in lines(required)
    optional = verify(release / "dist" / WHEEL)
    assert optional.exit_code == 0
    assert "! rebuild: no verified rebuild (use --require rebuild to make this a failure)" in lines(optional)


def test_require_rebuild_without_a_rebuilder_policy_is_a_usage_error(
    release: Path, verify: Callable[..., Result]
) -> None:
    result = verify(release / "dist" / WHEEL, "--require", "rebuild", rebuilder=None)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        (
            "error: --require rebuild needs a rebuilder policy: a rebuild statement is signed by whoever "
            "rebuilt the artifact, not by its publisher"
        ),
        "hint: give --rebuilder-identity ID --rebuilder-issuer URL",
    ]
    half = verify(release / "dist" / WHEEL, "--rebuilder-identity", REBUILDER, rebuilder=None)
    assert (half.exit_code, half.stderr) == (
        2,
        "error: --rebuilder-identity and --rebuilder-issuer go together\n",
    )


def test_without_a_rebuilder_policy_the_statement_is_not_read(
    release: Path, verify: Callable[..., Result]
) -> None:
    (release / "evidence" / f"{WHEEL}.rebuild.sigstore.json").write_text("not json")
    result = verify(release / "dist" / WHEEL, rebuilder=None)
    assert result.exit_code == 0, result.output
    assert ".rebuild.sigstore.json" not in result.stdout
    assert not [line for line in lines(result) if line.startswith(("✗", "! rebuild"))]
