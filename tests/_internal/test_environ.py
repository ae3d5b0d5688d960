from __future__ import annotations

import os

import pytest

from pyprov._internal import environ
from pyprov._internal.urls import strip_credentials


@pytest.mark.parametrize(
    "name",
    [
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "SIGSTORE_ID_TOKEN",
        "SIGSTORE_IDENTITY_TOKEN",
        "GITHUB_TOKEN",
        "TWINE_PASSWORD",
        "CI_JOB_JWT_V2",
        "MY_ID_TOKEN",
        "some_oidc_thing",
    ],
)
def test_credentials_are_recognised(name: str) -> None:
    assert environ.is_credential(name)


@pytest.mark.parametrize("name", ["PATH", "HOME", "GITHUB_REPOSITORY", "SOURCE_DATE_EPOCH", "PIP_INDEX_URL"])
def test_ordinary_variables_are_kept(name: str) -> None:
    assert not environ.is_credential(name)


def test_credentials_are_withheld_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGSTORE_ID_TOKEN", "secret")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "secret2")
    monkeypatch.setenv("KEEP_ME", "1")
    with environ.credentials_withheld():
        assert "SIGSTORE_ID_TOKEN" not in os.environ
        assert "ACTIONS_ID_TOKEN_REQUEST_TOKEN" not in os.environ
        assert os.environ["KEEP_ME"] == "1"
    assert os.environ["SIGSTORE_ID_TOKEN"] == "secret"
    assert os.environ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] == "secret2"


def test_credentials_come_back_after_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGSTORE_ID_TOKEN", "secret")
    with pytest.raises(KeyboardInterrupt), environ.credentials_withheld():
        raise KeyboardInterrupt
    assert os.environ["SIGSTORE_ID_TOKEN"] == "secret"


@pytest.mark.parametrize(("value", "expected"), [("1700000000", 1700000000), ("", None), ("soon", None)])
def test_source_date_epoch(value: str, expected: int | None) -> None:
    assert environ.source_date_epoch({"SOURCE_DATE_EPOCH": value}) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:token@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://x-access-token:ghs_abc@github.com/o/r", "https://github.com/o/r"),
        ("https://github.com/o/r.git", "https://github.com/o/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("ssh://git@host:22/o/r.git", "ssh://host:22/o/r.git"),
    ],
)
def test_strip_credentials(url: str, expected: str) -> None:
    assert strip_credentials(url) == expected
