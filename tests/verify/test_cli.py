"""``pyprov verify`` refuses to run without what it needs (exit 2), and its output forms."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from pyprov.testing.sigstore import LocalSigstore

from ._release import SDIST

USAGE = {
    "no policy": ((), "error: no signer policy: pyprov does not verify without knowing who must have signed"),
    "identity without issuer": (
        ("--identity", "a@example.com"),
        "error: --identity and --issuer go together",
    ),
    "workflow without repository": (
        ("--workflow", "release.yml"),
        "error: --workflow and --ref narrow --repository",
    ),
    "trigger without repository": (
        ("--trigger", "push"),
        "error: --workflow and --ref narrow --repository, which is missing (so do --runner-environment",
    ),
    "bad trigger": (
        ("--repository", "a/b", "--trigger", "push; rm"),
        "error: not an event name: 'push; rm' (push, release, workflow_dispatch, ...)",
    ),
    "two policies": (
        ("--repository", "a/b", "--identity", "x", "--issuer", "y"),
        "are two policies: give one",
    ),
    "bad repository": (
        ("--repository", "not a repo"),
        "error: not a repository: 'not a repo' (expected OWNER/NAME)",
    ),
    "other forge": (("--repository", "https://example.com/a/b"), "error: unsupported repository URL"),
    "two trust roots": (
        ("--repository", "a/b", "--staging", "--trusted-root", "x.json"),
        "choose one trust root",
    ),
    "unknown requirement": (("--repository", "a/b", "--require", "vibes"), "--require: unknown kind 'vibes'"),
}


@pytest.mark.parametrize(("args", "message"), USAGE.values(), ids=USAGE.keys())
def test_usage_errors_exit_2(
    run: Callable[..., Result], release: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(*args, release / SDIST)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_artifact_exit_2(run: Callable[..., Result], instance: LocalSigstore, tmp_path: Path) -> None:
    result = run("--trust-config", instance.trust_config_path, "--repository", "a/b", tmp_path / "nope.whl")
    assert result.exit_code == 2
    assert f"error: cannot read {tmp_path / 'nope.whl'}: No such file or directory" in result.stderr


def test_bad_digest_exit_2(run: Callable[..., Result], instance: LocalSigstore) -> None:
    result = run("--trust-config", instance.trust_config_path, "--repository", "a/b", "sha256:abc")
    assert result.exit_code == 2
    assert "error: not a SHA-256 digest: 'sha256:abc'" in result.stderr


@pytest.mark.parametrize("content", [None, "{", '{"mediaType": "nope"}'])
def test_no_trust_root_exit_2(
    run: Callable[..., Result], release: Path, tmp_path: Path, content: str | None
) -> None:
    root = tmp_path / "trusted_root.json"
    if content is not None:
        root.write_text(content)
    result = run("--trusted-root", root, "--repository", "a/b", release / SDIST)
    assert result.exit_code == 2
    assert "error: no trust root: cannot " in result.stderr
    assert "Traceback" not in result.output


def test_explicit_evidence_needs_one_artifact(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    result = run(
        "--trust-config",
        instance.trust_config_path,
        "--repository",
        "a/b",
        "--bundle",
        "x",
        release / SDIST,
        release / SDIST,
    )
    assert result.exit_code == 2
    assert "name the evidence of one artifact; 2 artifacts were given" in result.stderr


def test_json_report(run: Callable[..., Result], instance: LocalSigstore, release: Path) -> None:
    result = run(
        "--trust-config", instance.trust_config_path, "--repository", "acme/evil", "--json", release / SDIST
    )
    assert result.exit_code == 4
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["trust"] == f"trust-config {instance.trust_config_path}"
    (artifact,) = report["artifacts"]
    signer = next(check for check in artifact["checks"] if check["name"] == "signer")
    assert signer == {
        "name": "signer",
        "ok": False,
        "status": "fail",
        "expected": "https://github.com/acme/evil (any workflow) (any ref)",
        "found": "https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.0 "
        "(issuer https://token.actions.githubusercontent.com)",
        "reason": "repository: expected https://github.com/acme/evil, found https://github.com/acme/widget; "
        "workflow: expected https://github.com/acme/evil/.github/workflows/..., "
        "found https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.0",
        "source": signer["source"],
    }


def test_quiet_shows_failures_only(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    result = run("--trust-config", instance.trust_config_path, "--repository", "acme/widget", "-q", release)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == ""


def test_environment_variables(
    run: Callable[..., Result], instance: LocalSigstore, release: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYPROV_TRUST_CONFIG", str(instance.trust_config_path))
    monkeypatch.setenv("PYPROV_REPOSITORY", "acme/widget")
    monkeypatch.setenv("PYPROV_REQUIRE", "provenance,sbom")
    assert run(release / SDIST).exit_code == 0


def test_subprocess_success(
    run_process: Callable[..., object], instance: LocalSigstore, release: Path
) -> None:
    done = run_process("--trust-config", instance.trust_config_path, "--repository", "acme/widget", release)
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    assert "verified 2 of 2 artifacts" in done.stderr  # type: ignore[attr-defined]


def test_subprocess_usage_error(run_process: Callable[..., object], release: Path) -> None:
    done = run_process(release / SDIST)
    assert done.returncode == 2  # type: ignore[attr-defined]
    assert "error: no signer policy" in done.stderr  # type: ignore[attr-defined]
    assert "hint: give --identity ID --issuer URL" in done.stderr  # type: ignore[attr-defined]
