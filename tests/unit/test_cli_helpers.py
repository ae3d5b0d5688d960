from __future__ import annotations

import pytest

from pyprov._cli.build import parse_config_settings, redact
from pyprov._cli.signing import SECRET_OPTIONS, attestation_suffix
from pyprov.errors import ProjectError


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["build", "--sign", "--identity-token", "eyJsecret", "."],
            ["build", "--sign", "--identity-token", "***", "."],
        ),
        (["build", "--identity-token=eyJsecret"], ["build", "--identity-token=***"]),
        (["build", "-C", "key=value"], ["build", "-C", "key=value"]),
    ],
)
def test_secret_options_never_reach_the_record(argv: list[str], expected: list[str]) -> None:
    assert list(redact(argv, SECRET_OPTIONS)) == expected


def test_config_settings_repeat_into_lists() -> None:
    assert parse_config_settings(("a=1", "b", "a=2", "a=3")) == {"a": ["1", "2", "3"], "b": ""}
    with pytest.raises(ProjectError, match="expected KEY=VALUE"):
        parse_config_settings(("=x",))


@pytest.mark.parametrize(
    ("predicate_type", "suffix"),
    [
        ("https://slsa.dev/provenance/v1", ".intoto.sigstore.json"),
        ("https://cyclonedx.org/bom", ".cdx.sigstore.json"),
        ("https://example.com/Release-Review/v1", ".example-com-release-review-v1.sigstore.json"),
        ("https://example.com/../../etc/passwd", ".example-com-etc-passwd.sigstore.json"),
    ],
)
def test_attestation_file_names_are_safe(predicate_type: str, suffix: str) -> None:
    assert attestation_suffix(predicate_type) == suffix
