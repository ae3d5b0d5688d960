"""``pyprov rebuild`` end to end: real published artifacts, pyprov's own fixtures, tampered copies.

Every rebuild is a real isolated build (pypa/build, the real backend, installed from the
package index); sources are real git checkouts made here from the tag tarballs in
``tests/assets/rebuild/tags`` (see ``tests/assets/README.md``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from sigstore.models import Bundle
from sigstore.verify import policy as sigstore_policy

from pyprov._cli import main
from pyprov.build import BuildOptions, build_project
from pyprov.rebuild import REPORT_TYPE, RebuildOptions, rebuild_artifact
from pyprov.rebuild.attestation import PREDICATE_TYPE
from pyprov.testing.sigstore import LocalSigstore
from tests.conftest import SCHEMAS, copy_fixture, git

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "rebuild"
EPOCH = 1_700_000_000

pytestmark = [
    pytest.mark.network,
    pytest.mark.slow,
    # six's setup.py passes options today's setuptools warns about; pyproject_hooks re-issues the
    # backend's warnings in-process, where the suite's filterwarnings=error would fail the build.
    pytest.mark.filterwarnings("ignore::pyproject_hooks.BuildBackendWarning"),
]


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["rebuild", *args])
    return result.exit_code, result.stdout, result.stderr


def validate(report: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS / "rebuild-report-v1.schema.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(report)


def tag_checkout(name: str, destination: Path) -> str:
    """A git repository holding the release tag's tree, tagged; returns ``PATH@TAG``."""
    with tarfile.open(ASSETS / "tags" / f"{name}-tag.tar.gz") as archive:
        archive.extractall(destination, filter="data")
    repository = destination / f"{name}-tag"
    git(repository, "init", "-q")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "release")
    git(repository, "tag", "release")
    return f"{repository}@release"


# What the published wheels' sdists rebuild to (measured 2026-12-03): every backend's
# default times reproduce, except setuptools without SOURCE_DATE_EPOCH (file times).
WHEELS = [
    ("pyproject_hooks-1.2.0", "pyproject_hooks-1.2.0-py3-none-any.whl", "identical", "flit-core==3.9.0"),
    ("annotated_types-0.7.0", "annotated_types-0.7.0-py3-none-any.whl", "identical", "hatchling==1.24.2"),
    ("crashtest-0.4.1", "crashtest-0.4.1-py3-none-any.whl", "identical", "poetry-core==1.3.2"),
    ("six-1.17.0", "six-1.17.0-py2.py3-none-any.whl", "equivalent", "setuptools==75.6.0"),
]


@pytest.mark.parametrize(("sdist", "wheel", "verdict", "backend"), WHEELS)
def test_published_wheels_are_reproduced_from_their_sdists(
    sdist: str, wheel: str, verdict: str, backend: str
) -> None:
    report = rebuild_artifact(
        RebuildOptions(
            artifact=ASSETS / wheel,
            source=str(ASSETS / f"{sdist}.tar.gz"),
            # annotated-types' member times do not date it: say when it was published.
            exclude_newer="2024-05-21T00:00:00Z" if sdist.startswith("annotated") else None,
        )
    )
    assert report.verdict == verdict, [item.detail for item in report.differences]
    assert report.environment.pins == (backend,)
    assert not any(item.content for item in report.differences)
    if verdict == "equivalent":
        assert [item.kind for item in report.differences] == ["timestamps"]


SDISTS = [
    ("pyproject_hooks-1.2.0", "equivalent"),
    ("annotated_types-0.7.0", "identical"),
    ("crashtest-0.4.1", "equivalent"),
    ("six-1.17.0", "equivalent"),
]


@pytest.mark.parametrize(("name", "verdict"), SDISTS)
def test_published_sdists_are_reproduced_from_their_release_tags(
    tmp_path: Path, name: str, verdict: str
) -> None:
    source = tag_checkout(name, tmp_path)
    report = rebuild_artifact(RebuildOptions(artifact=ASSETS / f"{name}.tar.gz", source=source))
    assert report.verdict == verdict, [item.detail for item in report.differences]
    assert report.source.kind == "git"
    # The backend's version came from the wheel of the same release beside the sdist.
    assert any(fact.origin.startswith("WHEEL Generator of ") for fact in report.environment.facts)


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pyprov's flit fixture built by pyprov with SOURCE_DATE_EPOCH, from a git checkout with a remote."""
    upstream = copy_fixture("flit-core", tmp_path / "upstream", git_init=True)
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", str(upstream), str(checkout))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    build_project(BuildOptions(srcdir=checkout, outdir=tmp_path / "dist", evidence_dir=tmp_path / "evidence"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    return tmp_path


def test_pyprov_builds_are_rebuilt_bit_for_bit_from_their_build_records(built: Path) -> None:
    sdist, wheel = sorted((built / "dist").iterdir(), key=lambda path: path.suffix == ".whl")
    wheel_report = rebuild_artifact(RebuildOptions(artifact=wheel, source=str(sdist)))
    # Without --source, the sdist is rebuilt from the repository and commit its record names.
    sdist_report = rebuild_artifact(RebuildOptions(artifact=sdist))
    for report in (wheel_report, sdist_report):
        assert report.verdict == "identical", [item.detail for item in report.differences]
        assert report.environment.origin == "record"
        assert report.environment.source_date_epoch == EPOCH
        assert report.environment.pins == ("flit_core==3.12.0",)
        assert report.environment_differences == ()
    assert sdist_report.source.kind == "git"
    assert sdist_report.source.location == str(built / "upstream")


def tamper(wheel: Path, destination: Path) -> Path:
    """Inject one line into the wheel's module and fix RECORD, as an attacker would."""
    destination.mkdir()
    target = destination / wheel.name
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w") as out:
        files = {info.filename: source.read(info) for info in source.infolist()}
        record_name = next(name for name in files if name.endswith(".dist-info/RECORD"))
        files["fixture_flit.py"] = b"import os; os.system('id')\n" + files["fixture_flit.py"]
        lines = []
        for line in files[record_name].decode().splitlines():
            name = line.split(",")[0]
            if name == record_name:
                lines.append(line)
            else:
                digest = base64.urlsafe_b64encode(hashlib.sha256(files[name]).digest()).rstrip(b"=").decode()
                lines.append(f"{name},sha256={digest},{len(files[name])}")
        files[record_name] = ("\n".join(lines) + "\n").encode()
        for info in source.infolist():
            out.writestr(info, files[info.filename])
    return target


def test_a_tampered_wheel_differs_names_the_member_and_exits_4(built: Path) -> None:
    sdist, wheel = sorted((built / "dist").iterdir(), key=lambda path: path.suffix == ".whl")
    # Elsewhere: next to dist/ and evidence/, the record would be found, and refused (next test).
    (built / "elsewhere").mkdir()
    tampered = tamper(wheel, built / "elsewhere" / "downloaded")
    status, out, err = run_cli(str(tampered), "--source", str(sdist), "--json")
    assert status == 4, err
    report = json.loads(out)
    validate(report)
    assert report["verdict"] == "differs"
    assert report["inferred"]["origin"] == "inferred"
    changed = [item for item in report["differences"] if item["kind"] == "changed"]
    assert [item["members"] for item in changed] == [
        ["fixture_flit.py"],
        ["pyprov_fixture_flit-1.0.0.dist-info/RECORD"],
    ]
    assert "-import os; os.system('id')\n" in changed[0]["diff"]


def test_a_record_about_another_artifact_is_refused(built: Path) -> None:
    sdist, wheel = sorted((built / "dist").iterdir(), key=lambda path: path.suffix == ".whl")
    tampered = tamper(wheel, built / "downloaded")
    record = built / "evidence" / f"{wheel.name}.build.json"
    status, _, err = run_cli(str(tampered), "--source", str(sdist), "--provenance", str(record))
    assert status == 2
    assert err.startswith(f"error: the build record {record.name} describes another artifact (sha256 ")


def test_the_report_is_readable_and_keep_keeps_the_rebuild_and_nothing_else(built: Path) -> None:
    sdist, wheel = sorted((built / "dist").iterdir(), key=lambda path: path.suffix == ".whl")
    before = sorted(path for path in built.rglob("*") if ".git" not in path.parts)
    status, out, _ = run_cli(str(wheel), "--source", str(sdist), "--keep", str(built / "kept"))
    assert status == 0
    assert out.splitlines()[-1] == "verdict: identical: the rebuild has the same bytes"
    assert "environment: from the build record" in out
    after = sorted(path for path in built.rglob("*") if ".git" not in path.parts and "kept" not in path.parts)
    assert after == before
    assert (built / "kept" / "dist" / wheel.name).read_bytes() == wheel.read_bytes()
    assert (built / "kept" / "evidence" / f"{wheel.name}.build.json").is_file()


def test_strict_accepts_identical_only() -> None:
    status, out, _ = run_cli(
        str(ASSETS / "six-1.17.0-py2.py3-none-any.whl"),
        "--source",
        str(ASSETS / "six-1.17.0.tar.gz"),
        "--strict",
    )
    assert status == 4
    assert out.splitlines()[-1].startswith("verdict: equivalent")


def test_without_a_source_or_record_the_rebuild_cannot_run(tmp_path: Path) -> None:
    shutil.copy(ASSETS / "crashtest-0.4.1-py3-none-any.whl", tmp_path)
    status, _, err = run_cli(str(tmp_path / "crashtest-0.4.1-py3-none-any.whl"))
    assert status == 2
    assert err.splitlines()[0] == "error: no source to rebuild from"


def test_sign_writes_a_signed_statement_about_the_artifact_recording_the_rebuild(
    tmp_path: Path, local_sigstore: LocalSigstore
) -> None:
    wheel = shutil.copy(ASSETS / "crashtest-0.4.1-py3-none-any.whl", tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "rebuild",
            str(wheel),
            "--source",
            str(ASSETS / "crashtest-0.4.1.tar.gz"),
            "--sign",
            "--trust-config",
            str(local_sigstore.trust_config_path),
            "--evidence-dir",
            str(tmp_path / "rebuilds"),
        ],
        env={"SIGSTORE_ID_TOKEN": local_sigstore.identity_token(email="rebuilder@example.com")},
    )
    assert result.exit_code == 0, result.stderr
    signed = tmp_path / "rebuilds" / "crashtest-0.4.1-py3-none-any.whl.rebuild.sigstore.json"
    assert sorted(path.name for path in (tmp_path / "rebuilds").iterdir()) == [signed.name]
    assert result.stderr.splitlines()[-1] == f"signed: {signed}"
    _, payload = local_sigstore.verifier().verify_dsse(
        Bundle.from_json(signed.read_text()),
        sigstore_policy.Identity(
            identity="rebuilder@example.com", issuer="https://oidc.local-sigstore.invalid"
        ),
    )
    statement = json.loads(payload)
    assert statement["predicateType"] == PREDICATE_TYPE
    assert statement["subject"] == [
        {
            "name": "crashtest-0.4.1-py3-none-any.whl",
            "digest": {"sha256": "8d23eac5fa660409f57472e3851dab7ac18aba459a8d19cbbba86d3d5aecd2a5"},
        }
    ]
    predicate = statement["predicate"]
    assert predicate["verdict"] == "identical"
    assert predicate["rebuilder"]["id"] == "https://github.com/pyprov/pyprov"
    assert predicate["inferred"]["pins"] == ["poetry-core==1.3.2"]
    validate(
        {"reportType": REPORT_TYPE, "kept": [], **{k: v for k, v in predicate.items() if k != "rebuilder"}}
    )
