"""``pyprov rebuild`` without ``--source``: the repository and commit of a verified PEP 740 attestation.

The artifact is the real ``pypi_attestations-0.0.19.tar.gz`` with its real attestations,
signed on Sigstore's production instance in trailofbits/pypi-attestations' release workflow
(``tests/assets/pep740``), verified offline against the trusted root embedded in
sigstore-python. Its source at the attested commit is the git bundle
``tests/assets/rebuild/tags/pypi-attestations-v0.0.19.bundle`` (see ``tests/assets/README.md``):
git's own ``url.<bundle>.insteadOf`` sends the attested GitHub URL there, and
``GIT_ALLOW_PROTOCOL=file`` makes any other clone fail, so nothing leaves the machine.
``GIT_TRACE`` records every git command, to show that a refused attestation clones nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from pyprov._cli import main
from pyprov.errors import ProjectError
from pyprov.rebuild import RebuildOptions, rebuild_artifact
from pyprov.testing.index import LocalIndex
from pyprov.verify import TrustSource
from tests.conftest import SCHEMAS
from tests.rebuild.test_compare import make_sdist

ASSETS = Path(__file__).resolve().parent.parent / "assets"
PEP740 = ASSETS / "pep740"
BUNDLE = ASSETS / "rebuild" / "tags" / "pypi-attestations-v0.0.19.bundle"
SDIST = "pypi_attestations-0.0.19.tar.gz"
REPOSITORY = "https://github.com/trailofbits/pypi-attestations"
COMMIT = "08802efe1f8e5fec4ad842d6b8ce97656092ee72"


@pytest.fixture
def git_env(tmp_path: Path) -> dict[str, str]:
    """The attested GitHub URL rewritten to the local bundle; every git command traced."""
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{BUNDLE}.insteadOf",
        "GIT_CONFIG_VALUE_0": REPOSITORY,
        "GIT_ALLOW_PROTOCOL": "file",
        "GIT_TRACE": str(tmp_path / "git-trace"),
    }


def run_cli(env: dict[str, str], *args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["rebuild", *map(str, args)], env=env)
    return result.exit_code, result.stdout, result.stderr


def published(directory: Path, *evidence: str) -> Path:
    """The real sdist, with the named attestations of it beside it, in a directory of its own."""
    directory.mkdir()
    for name in (SDIST, *evidence):
        shutil.copy(PEP740 / name, directory)
    return directory / SDIST


def check_attested(report: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS / "rebuild-report-v1.schema.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(report)
    source = report["source"]
    assert (source["kind"], source["location"], source["revision"]) == ("git", REPOSITORY, COMMIT)
    facts = {fact["name"]: fact for fact in source["facts"]}
    assert list(facts) == ["attestation", "repository", "commit", "ref", "signer"]
    assert facts["repository"]["origin"].startswith("Source Repository URI of ")
    assert facts["commit"]["origin"].startswith("Source Repository Digest of ")
    assert facts["ref"]["value"] == "refs/tags/v0.0.19"
    assert facts["signer"]["value"] == (
        f"{REPOSITORY}/.github/workflows/release.yml@refs/tags/v0.0.19 "
        "(issuer https://token.actions.githubusercontent.com)"
    )
    assert facts["attestation"]["origin"].startswith("verified against Sigstore production (offline")
    # Rebuilt at the attested commit, the published sdist is reproduced in content.
    assert report["verdict"] == "equivalent", report["differences"]


@pytest.mark.network
@pytest.mark.slow
def test_the_source_is_the_repository_and_commit_of_the_attestations_beside_the_artifact(
    tmp_path: Path, git_env: dict[str, str]
) -> None:
    sdist = published(
        tmp_path / "dist", f"{SDIST}.publish.attestation", f"{SDIST}.slsa.attestation", f"{SDIST}.provenance"
    )
    status, out, err = run_cli(git_env, sdist, "--json")
    assert status == 0, err
    report = json.loads(out)
    check_attested(report)
    facts = {fact["name"]: fact["value"] for fact in report["source"]["facts"]}
    assert facts["attestation"] == (
        f"{SDIST}.publish.attestation, {SDIST}.slsa.attestation, "
        f"{SDIST}.provenance#attestation_bundles[0].attestations[0]"
    )
    assert f"clone --quiet --no-checkout -- {REPOSITORY}" in (tmp_path / "git-trace").read_text()


@pytest.mark.network
@pytest.mark.slow
def test_the_attested_source_can_come_from_the_index(tmp_path: Path, git_env: dict[str, str]) -> None:
    served = published(tmp_path / "served", f"{SDIST}.provenance").parent
    sdist = published(tmp_path / "downloaded")  # pip download: the file alone
    with LocalIndex(served) as index:
        status, out, err = run_cli(git_env, sdist, "--index-url", index.url, "--json")
    assert status == 0, err
    report = json.loads(out)
    check_attested(report)
    assert report["source"]["facts"][0]["value"].endswith(
        f"/{SDIST}/provenance#attestation_bundles[0].attestations[0]"
    )


def test_a_tampered_attestation_is_refused_and_nothing_is_cloned(
    tmp_path: Path, git_env: dict[str, str]
) -> None:
    sdist = published(tmp_path / "dist")
    attestation = json.loads((PEP740 / f"{SDIST}.publish.attestation").read_text())
    signature = bytearray(attestation["envelope"]["signature"].encode())
    signature[10] = ord("A") if signature[10] != ord("A") else ord("B")
    attestation["envelope"]["signature"] = signature.decode()
    (tmp_path / "dist" / f"{SDIST}.publish.attestation").write_text(json.dumps(attestation))
    status, out, err = run_cli(git_env, sdist)
    assert (status, out) == (2, "")
    attestation = tmp_path / "dist" / f"{SDIST}.publish.attestation"
    first, hint = err.splitlines()
    assert first.startswith(f"error: the attestation {attestation} does not verify (signature): ")
    assert hint.startswith("hint: attestations are verified against Sigstore production (offline")
    assert not (tmp_path / "git-trace").exists()


def test_an_attestation_about_another_file_is_refused_and_nothing_is_cloned(
    tmp_path: Path, git_env: dict[str, str]
) -> None:
    other = tmp_path / SDIST
    other.write_bytes((PEP740 / SDIST).read_bytes() + b"\0")  # the same name, other bytes
    attestation = PEP740 / f"{SDIST}.publish.attestation"
    status, out, err = run_cli(git_env, other, "--attestation", attestation)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        (
            f"error: the attestation {attestation} does not verify (subject): "
            "the statement is about another file: SHA-256 differs"
        ),
        f"hint: it is not about {SDIST} (sha256 {_sha256(other)[:12]}…)",
    ]
    assert not (tmp_path / "git-trace").exists()


def test_a_signer_that_names_no_repository_gives_no_source(tmp_path: Path) -> None:
    # rfc8785 0.1.2 was attested by a person (an e-mail identity on Sigstore's staging instance).
    (tmp_path / "dist").mkdir()
    for name in ("rfc8785-0.1.2-py3-none-any.whl", "rfc8785-0.1.2-py3-none-any.whl.publish.attestation"):
        wheel = shutil.copy(PEP740 / name, tmp_path / "dist")
    wheel = tmp_path / "dist" / "rfc8785-0.1.2-py3-none-any.whl"
    with pytest.raises(ProjectError) as raised:
        rebuild_artifact(
            RebuildOptions(artifact=wheel, attestation_trust=TrustSource(kind="staging", offline=True))
        )
    attestation = tmp_path / "dist" / "rfc8785-0.1.2-py3-none-any.whl.publish.attestation"
    assert str(raised.value) == (
        f"the attestation {attestation} verified, "
        "but its signer, william@yossarian.net (issuer https://github.com/login/oauth), "
        "names no source repository and commit"
    )


def test_source_and_attestation_are_one_or_the_other(git_env: dict[str, str]) -> None:
    status, _, err = run_cli(
        git_env,
        PEP740 / SDIST,
        "--source",
        f"{BUNDLE}@{COMMIT}",
        "--attestation",
        PEP740 / f"{SDIST}.provenance",
    )
    assert (status, err.splitlines()[0]) == (
        2,
        "error: --source and --attestation both name the source: give one",
    )


def test_an_attestation_that_is_not_one_is_one_line(tmp_path: Path, git_env: dict[str, str]) -> None:
    junk = tmp_path / "junk.attestation"
    junk.write_text('{"version": 2}')
    status, _, err = run_cli(git_env, PEP740 / SDIST, "--attestation", junk)
    assert status == 2
    assert err.startswith(f"error: {junk} is not a PEP 740 attestation: ")
    assert len(err.splitlines()) == 1


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_another_file_of_that_name_on_the_index_is_refused(tmp_path: Path, git_env: dict[str, str]) -> None:
    served = published(tmp_path / "served", f"{SDIST}.provenance").parent
    (tmp_path / "mine").mkdir()
    mine = make_sdist(
        tmp_path / "mine" / SDIST, {"pypi_attestations-0.0.19/PKG-INFO": b"Name: pypi-attestations\n"}
    )
    with LocalIndex(served) as index:
        status, out, err = run_cli(git_env, mine, "--index-url", index.url)
    assert (status, out) == (2, "")
    assert err == (
        f"error: {index.url} lists another {SDIST} "
        f"(sha256 9bb1add04b1b…, this one has {_sha256(mine)[:12]}…)\n"
    )
    assert not (tmp_path / "git-trace").exists()
