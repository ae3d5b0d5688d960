"""``pyprov posture DIST``: releases built by pyprov, signed against the local Sigstore instance or not.

The signed release is built by a real ``pyprov build --sign`` (a subprocess, the local
Sigstore instance's trust config, a real git checkout with a tag); the report is validated
against schemas/posture-report-v1.schema.json with jsonschema.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import Result

from pyprov.testing.sigstore import LocalSigstore
from tests.conftest import git
from tests.posture.conftest import facts

PYPROV = [sys.executable, "-m", "pyprov"]
EMAIL_ISSUER = "https://oidc.local-sigstore.invalid"


def _build(source: Path, *args: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        [*PYPROV, "build", *args, str(source)],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_a_signed_tagged_release_names_its_signer_level_and_source(
    project: Callable[..., Path],
    local_sigstore: LocalSigstore,
    posture: Callable[..., Result],
    posture_schema: dict[str, Any],
    tmp_path: Path,
) -> None:
    source = project("hatchling-pure", git_init=True)
    git(source, "tag", "v1.0.0")
    token = local_sigstore.identity_token(email="rm@example.com")
    trust = str(local_sigstore.trust_config_path)
    _build(source, "--sign", "--trust-config", trust, env={"SIGSTORE_ID_TOKEN": token})
    wheel = next((source / "dist").glob("*.whl"))
    sdist = next((source / "dist").glob("*.tar.gz"))
    # A real rebuild of the wheel from its sdist, its verdict signed (docs/rebuild.md#predicate-v1).
    rebuilt = subprocess.run(
        [*PYPROV, "rebuild", str(wheel), "--source", str(sdist), "--sign", "--trust-config", trust],
        env={**os.environ, "SIGSTORE_ID_TOKEN": token},
        capture_output=True,
        text=True,
        check=False,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    page = tmp_path / "posture.html"

    result = posture(source / "dist", "--trust-config", trust, "--json", "--html", page)

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    jsonschema.validate(report, posture_schema)
    assert report["subject"] == "release"
    assert len(report["items"]) == 2  # the .attestation files beside them are not artifacts
    for item in report["items"]:
        found = facts(report, item["name"])
        logged = f"logged in {local_sigstore.base_url}"  # the trust config's transparency log
        assert found["signed"] == ("yes", f"rm@example.com (issuer {EMAIL_ISSUER}); {logged}")
        assert found["provenance"] == (
            "yes",
            "SLSA Build L1 claimed (personal-identity), builder local (unverified); signed and verified",
        )
        assert found["tagged"] == ("yes", "v1.0.0")
        assert found["clean"][0] == "yes"
        assert found["sbom"] == ("yes", "NTIA minimum elements present")
        assert found["pinned"][0] == "yes"
        assert found["pep740"] == ("yes", "slsa")
    assert facts(report, wheel.name)["reproducible"] == ("yes", "rebuild verdict: identical")
    assert facts(report, sdist.name)["reproducible"] == ("unknown", "no rebuild statement")
    summary = report["summary"]
    assert summary["signed"] == {**summary["signed"], "have": 2, "checked": 2, "unknown": 0, "total": 2}
    assert (summary["reproducible"]["have"], summary["reproducible"]["unknown"]) == (1, 1)
    html = page.read_text()
    assert "rm@example.com" in html
    assert "<script" not in html
    assert "src=" not in html
    assert "href=" not in html  # self-contained: nothing to fetch
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".posture.html.")]  # no temporary left


def test_a_tampered_bundle_is_not_signed(
    project: Callable[..., Path],
    local_sigstore: LocalSigstore,
    posture: Callable[..., Result],
) -> None:
    source = project("hatchling-pure")
    trust = str(local_sigstore.trust_config_path)
    token = local_sigstore.identity_token(email="rm@example.com")
    _build(source, "--sign", "--trust-config", trust, env={"SIGSTORE_ID_TOKEN": token})
    wheel = next((source / "dist").glob("*.whl"))
    sdist = next((source / "dist").glob("*.tar.gz"))
    # The sdist's bundle now stands beside the wheel: a valid signature over another file.
    bundle = source / "evidence" / f"{sdist.name}.sigstore.json"
    (source / "evidence" / f"{wheel.name}.sigstore.json").write_bytes(bundle.read_bytes())
    # A signed statement about the sdist posing as the wheel's rebuild verdict.
    statement = source / "evidence" / f"{sdist.name}.intoto.sigstore.json"
    (source / "evidence" / f"{wheel.name}.rebuild.sigstore.json").write_bytes(statement.read_bytes())

    result = posture(wheel, sdist, "--trust-config", trust, "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert facts(report, wheel.name)["signed"][0] == "no"
    assert "does not verify" in facts(report, wheel.name)["signed"][1]
    assert facts(report, sdist.name)["signed"][0] == "yes"
    assert facts(report, wheel.name)["reproducible"] == (
        "unknown",
        f"{wheel.name}.rebuild.sigstore.json does not verify: its subject is not this artifact",
    )
    assert report["summary"]["signed"]["have"] == 1
    assert report["summary"]["signed"]["checked"] == 2


def test_a_cpython_style_signature_beside_the_tarball_counts_as_signed(
    local_sigstore: LocalSigstore, posture: Callable[..., Result], tmp_path: Path
) -> None:
    from sigstore.oidc import IdentityToken
    from sigstore.sign import SigningContext

    # As CPython's release managers publish: Python-X.tgz and Python-X.tgz.sigstore beside it,
    # signed with their own identity by the sigstore client; no pyprov evidence directory.
    release = tmp_path / "release"
    release.mkdir()
    tarball, unsigned = release / "Python-3.14.0.tgz", release / "Python-3.14.0.tar.xz"
    tarball.write_bytes(b"CPython sources, gzip")
    unsigned.write_bytes(b"CPython sources, xz")
    context = SigningContext.from_trust_config(local_sigstore.client_trust_config())
    token = IdentityToken(local_sigstore.identity_token(email="rm@example.com"))
    with context.signer(token) as signer:
        bundle = signer.sign_artifact(tarball.read_bytes())
    (release / "Python-3.14.0.tgz.sigstore").write_text(bundle.to_json())

    result = posture(release, "--trust-config", local_sigstore.trust_config_path, "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [item["name"] for item in report["items"]] == [unsigned.name, tarball.name]
    signed = f"rm@example.com (issuer {EMAIL_ISSUER}); logged in {local_sigstore.base_url}"
    assert facts(report, tarball.name)["signed"] == ("yes", signed)
    assert facts(report, unsigned.name)["signed"] == (
        "no",
        "no Python-3.14.0.tar.xz.sigstore.json or Python-3.14.0.tar.xz.sigstore",
    )
    # The bytes changed after signing: the signature no longer counts.
    tarball.write_bytes(b"CPython sources, gzip, changed")
    again = posture(release, "--trust-config", local_sigstore.trust_config_path, "--json")
    assert facts(json.loads(again.stdout), tarball.name)["signed"][0] == "no"


def test_an_unsigned_build_is_reported_without_loading_a_trust_root(
    project: Callable[..., Path], posture: Callable[..., Result]
) -> None:
    source = project("hatchling-pure")
    _build(source)

    result = posture(source / "dist")

    assert result.exit_code == 0, result.output
    assert "trust: (not loaded: no Sigstore bundle to verify)" in result.stderr
    assert "  ✗ signed " in result.stdout
    assert (
        "  ✗ provenance    SLSA Build L1 claimed (unsigned), builder local (unverified); no " in result.stdout
    )
    assert "  ✗ tagged        not built from a git checkout" in result.stdout
    assert "  ? reproducible  no rebuild statement" in result.stdout
    assert "summary (2 artifacts):" in result.stdout
    assert "  signed: 0 of 2 checked (0%), 0 unknown" in result.stdout
    assert "  sbom: 2 of 2 checked (100%), 0 unknown" in result.stdout

    gate = posture(source / "dist", "--require", "sbom=100", "--require", "signed=50")
    assert gate.exit_code == 4
    assert gate.stderr.endswith("error: posture below --require: signed 0 of 2 < 50%\n")
    assert posture(source / "dist", "--require", "sbom=100").exit_code == 0
    unknown = posture(source / "dist", "--require", "reproducible=1")  # unknown is not proof
    assert unknown.exit_code == 4
    assert posture(source / "dist", "--require", "signed").exit_code == 2


def _hostile_release(tmp_path: Path) -> Path:
    dist, evidence = tmp_path / "dist", tmp_path / "evidence"
    dist.mkdir()
    evidence.mkdir()
    name = "evil\x1b[2J\u202e-1.0.tar.gz"
    (dist / name).write_bytes(b"not really an sdist")
    record = {
        "source": {"git": {"tags": ["\x1b]0;owned\x07v1<script>alert(1)</script>"], "dirty": False}},
        "environment": {"isolation": {"sandbox": "\x1b[32mbubblewrap", "network": "none"}, "installed": []},
    }
    (evidence / f"{name}.build.json").write_text(json.dumps(record))
    deep = "[" * 100_000 + "]" * 100_000
    (evidence / f"{name}.cdx.json").write_text(deep)
    (evidence / f"{name}.intoto.json").write_text('{"predicate": ')
    (evidence / f"{name}.sigstore.json").write_text(json.dumps({"mediaType": "\x1b[31m", "x": [[[[[]]]]]}))
    return dist


def test_hostile_evidence_is_escaped_and_reported_not_raised(
    tmp_path: Path, posture: Callable[..., Result], posture_schema: dict[str, Any]
) -> None:
    dist = _hostile_release(tmp_path)
    page = tmp_path / "report.html"

    # The embedded production trusted root: no network needed to reject a bogus bundle.
    result = posture(dist, "--offline", "--html", page)

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "\x1b" not in result.output
    assert "\u202e" not in result.output
    assert "evil\\x1b[2J\\u202e-1.0.tar.gz" in result.stdout
    assert "  ✗ signed " in result.stdout
    assert "  ✗ sbom          unreadable: " in result.stdout
    assert "nested too deeply" in result.stdout or "nested deeper" in result.stdout
    assert "  ✓ tagged        \\x1b]0;owned\\x07v1<script>alert(1)</script>" in result.stdout
    html = page.read_text()
    assert "\x1b" not in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    as_json = posture(dist, "--offline", "--json")
    assert as_json.exit_code == 0, as_json.output
    jsonschema.validate(json.loads(as_json.stdout), posture_schema)


def test_fifos_among_the_evidence_and_artifacts_are_not_read(
    tmp_path: Path, posture: Callable[..., Result]
) -> None:
    dist, evidence = tmp_path / "dist", tmp_path / "evidence"
    dist.mkdir()
    evidence.mkdir()
    (dist / "demo-1.0.tar.gz").write_bytes(b"sdist")
    os.mkfifo(dist / "demo-1.0-py3-none-any.whl")  # listed, never opened
    for suffix in (".build.json", ".cdx.json", ".sigstore.json"):
        os.mkfifo(evidence / f"demo-1.0.tar.gz{suffix}")

    result = posture(dist, "--offline")

    assert result.exit_code == 0, result.output
    assert "demo-1.0-py3-none-any.whl" not in result.stdout
    assert "  ? sandboxed     demo-1.0.tar.gz.build.json: not a regular file" in result.stdout
    assert "  ✗ sbom          unreadable: demo-1.0.tar.gz.cdx.json: not a regular file" in result.stdout
    assert "  ✗ signed        demo-1.0.tar.gz.sigstore.json does not verify: " in result.stdout


def test_a_missing_path_is_one_line_and_exit_2(tmp_path: Path, posture: Callable[..., Result]) -> None:
    result = posture(tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.stderr == f"error: no such file or directory: {tmp_path / 'nowhere'}\n"


def test_no_subject_or_two_is_a_usage_error(tmp_path: Path, posture: Callable[..., Result]) -> None:
    assert posture().exit_code == 2
    both = posture(tmp_path, "--lock", tmp_path / "pylock.toml")
    assert both.exit_code == 2
    assert (
        "name one subject: DIST (a release), --lock FILE, -r FILE or --python ENV (dependencies); "
        "got DIST and --lock" in (both.stderr)
    )


def test_an_unwritable_html_file_exits_3(posture: Callable[..., Result], tmp_path: Path) -> None:
    dist = _hostile_release(tmp_path)
    result = posture(dist, "--offline", "--html", tmp_path / "no-such-dir" / "r.html")
    assert result.exit_code == 3
    assert "cannot write" in result.stderr
