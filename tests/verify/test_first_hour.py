"""Issue 15, items 4, 5, 6 and 11: what stopped a new user verifying in their first hour."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len
from rich.console import Console

from pyprov._cli import main
from pyprov._cli.verify import render_table
from pyprov.testing.sigstore import LocalSigstore
from pyprov.verify import RepositoryPolicy, TrustSource, VerifyOptions, verify_artifacts

from ._release import SDIST, Signer, provenance_predicate, write_release


def _trust(instance: LocalSigstore) -> tuple[str | Path, ...]:
    return ("--trust-config", instance.trust_config_path, "--repository", "acme/widget")


# Item 4 -------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--trust-config", "--trusted-root"])
def test_offline_is_accepted_with_a_trust_file(
    run: Callable[..., Result], instance: LocalSigstore, release: Path, tmp_path: Path, option: str
) -> None:
    trust_file = instance.trust_config_path
    if option == "--trusted-root":
        trust_file = tmp_path / "trusted_root.json"
        trust_file.write_text(json.dumps(json.loads(instance.trust_config_path.read_text())["trustedRoot"]))
    result = run(option, trust_file, "--offline", "--repository", "acme/widget", release / SDIST)
    assert result.exit_code == 0, result.output
    assert f"trust: {option.removeprefix('--')} {trust_file}" in result.stderr
    assert "note: offline" not in result.stderr  # a trust file is never refreshed: nothing to note


# Item 5 -------------------------------------------------------------------------------


def test_a_provenance_without_a_source_claim_is_reported_not_failed(
    run: Callable[..., Result], instance: LocalSigstore, github_signer: Signer, tmp_path: Path
) -> None:
    predicate = provenance_predicate()
    del predicate["buildDefinition"]["externalParameters"]["source"]
    dist = write_release(github_signer, tmp_path / "no-source", predicate=predicate)
    result = run(*_trust(instance), dist / SDIST)
    assert result.exit_code == 0, result.output
    warning = (
        f"! source repository [{tmp_path}/no-source/evidence/{SDIST}.intoto.sigstore.json]: "
        "the provenance names no source repository: not compared with the signer's; "
        "expected https://github.com/acme/widget"
    )
    assert warning in result.stdout


def test_a_provenance_naming_another_repository_still_fails(
    run: Callable[..., Result], instance: LocalSigstore, github_signer: Signer, tmp_path: Path
) -> None:
    predicate = provenance_predicate(repository="https://github.com/evil/other")
    dist = write_release(github_signer, tmp_path / "other", predicate=predicate)
    result = run(*_trust(instance), dist / SDIST)
    assert result.exit_code == 4
    assert (
        "the provenance names another source repository than the signer's; "
        "expected https://github.com/acme/widget; found https://github.com/evil/other"
    ) in result.stdout


# Item 6 -------------------------------------------------------------------------------


def test_arguments_are_checked_before_the_network(run: Callable[..., Result]) -> None:
    # Production trust with refresh: the first thing it would do is reach Sigstore's TUF
    # repository (refused here, as in any test). The typo must be reported first.
    result = run("--repository", "o/r", "dist/attrs-26.1.0.tar.gz")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot read dist/attrs-26.1.0.tar.gz: No such file or directory\n"


def test_a_missing_evidence_file_is_reported_before_the_network(
    run: Callable[..., Result], release: Path
) -> None:
    result = run("--repository", "o/r", "--bundle", release / "nope.sigstore.json", release / SDIST)
    assert result.exit_code == 2
    assert (
        result.stderr == f"error: cannot read {release / 'nope.sigstore.json'}: No such file or directory\n"
    )


# Item 11 ------------------------------------------------------------------------------


def _tamper_signature(bundle: Path) -> None:
    document = json.loads(bundle.read_text())
    content = document.get("messageSignature") or document["dsseEnvelope"]
    signatures = content.get("signatures")
    target = signatures[0] if signatures else content
    raw = bytearray(base64.b64decode(target["signature" if not signatures else "sig"]))
    raw[-1] ^= 1
    target["signature" if not signatures else "sig"] = base64.b64encode(bytes(raw)).decode()
    bundle.write_text(json.dumps(document))


def test_a_bad_signature_does_not_show_the_signer_as_expected_and_found(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    evidence = release.parent / "evidence"
    _tamper_signature(evidence / f"{SDIST}.intoto.sigstore.json")
    result = run(*_trust(instance), release / SDIST)
    assert result.exit_code == 4
    signer = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("✗ signer")]
    assert signer == [
        f"✗ signer [{evidence}/{SDIST}.intoto.sigstore.json]: not established: the signature did not verify"
    ]
    # The failing provenance is reported once, by its own lines, not again as missing.
    assert "! provenance" not in result.stdout


def test_plain_output_is_one_line_per_evidence_file(
    run: Callable[..., Result], instance: LocalSigstore, release: Path
) -> None:
    result = run(*_trust(instance), release / SDIST)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"✓ {release / SDIST}  signed by https://github.com/acme/widget/")
    assert len(lines) == 5, result.stdout  # the artifact and its four evidence files
    assert lines[2].startswith(
        "    ✓ signature, signer, statement, subject, predicate type, builder id, "
        "source repository, source ref ["
    )


def test_the_terminal_table_fits_80_columns(instance: LocalSigstore, release: Path) -> None:
    report = verify_artifacts(
        [release / SDIST],
        RepositoryPolicy.parse("acme/widget"),
        TrustSource(kind="trust-config", path=instance.trust_config_path),
        VerifyOptions(),
    )
    output = io.StringIO()
    render_table(
        list(report.artifacts), Console(file=output, width=80, force_terminal=True, color_system=None)
    )
    lines = output.getvalue().splitlines()
    assert lines
    assert max(cell_len(line) for line in lines) <= 80, output.getvalue()


def test_sigstore_log_lines_only_with_verbose(assets: Path) -> None:
    wheel = assets / "rfc8785-0.1.2-py3-none-any.whl"
    policy = [
        "--offline",
        "--staging",
        "--identity",
        "william@yossarian.net",
        "--issuer",
        "https://github.com/login/oauth",
    ]
    quiet = CliRunner().invoke(main, ["verify", *policy, str(wheel)])
    assert quiet.exit_code == 0, quiet.output
    assert "TUF repository is loaded in offline mode" not in quiet.stderr
    verbose = CliRunner().invoke(main, ["verify", "-v", *policy, str(wheel)])
    assert "sigstore._internal.tuf: WARNING: TUF repository is loaded in offline mode" in verbose.stderr


@pytest.mark.parametrize("command", ["verify", "sign", "attest", "inspect", "sbom", "merge", "run"])
def test_verbose_help_is_true_for_each_command(command: str) -> None:
    text = CliRunner().invoke(main, [command, "--help"], terminal_width=200).stdout
    assert "-v, --verbose  " in text
    assert "backend" not in text.split("-v, --verbose", 1)[1].splitlines()[0]


def test_build_verbose_help_mentions_backend_output() -> None:
    text = CliRunner().invoke(main, ["build", "--help"], terminal_width=200).stdout
    assert "Show backend output as it runs, log messages, and tracebacks." in text
