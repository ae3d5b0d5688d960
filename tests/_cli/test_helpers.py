from __future__ import annotations

import pytest

from pyprov._cli.build import parse_config_settings
from pyprov._cli.signing import attestation_suffix
from pyprov._internal.redaction import redact_argv, redact_config_settings
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
        (
            ["build", "-C", "index-url=https://user:pass@host/simple"],
            ["build", "-C", "index-url=https://host/simple"],
        ),
    ],
)
def test_secret_options_never_reach_the_record(argv: list[str], expected: list[str]) -> None:
    assert list(redact_argv(argv, {})) == expected


def test_config_settings_lose_their_secrets() -> None:
    settings = {
        "index-url": "https://user:pass@host/simple",
        "token": "abc",
        "list": ["https://u:p@a/", "plain"],
        "mirror": "uses ghs_0123456789abcdef",
    }
    assert redact_config_settings(settings, {"GITHUB_TOKEN": "ghs_0123456789abcdef"}) == {
        "index-url": "https://host/simple",
        "token": "***",
        "list": ["https://a/", "plain"],
        "mirror": "uses ***",
    }


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
