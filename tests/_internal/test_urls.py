"""URL helpers: credentials stripped, one spelling per repository."""

from __future__ import annotations

import pytest

from pyprov._internal.urls import normal_repository_url, strip_credentials


@pytest.mark.parametrize(
    "spelling",
    [
        "https://github.com/pypa/packaging",
        "https://github.com/pypa/packaging/",
        "https://github.com/pypa/packaging.git",
        "git+https://github.com/pypa/packaging.git",
        "ssh://git@github.com/pypa/packaging.git",
        "git@github.com:pypa/packaging.git",
        "  https://github.com/pypa/packaging\n",
    ],
)
def test_every_spelling_of_a_github_repository_is_one(spelling: str) -> None:
    assert normal_repository_url(spelling) == "https://github.com/pypa/packaging"


def test_other_hosts_keep_their_scheme() -> None:
    assert normal_repository_url("git@example.org:team/repo.git") == "git@example.org:team/repo"
    assert normal_repository_url("ssh://git@gitlab.com/group/sub/repo") == "https://gitlab.com/group/sub/repo"


def test_credentials_are_stripped_but_scp_addresses_kept() -> None:
    assert strip_credentials("https://user:token@github.com/o/r") == "https://github.com/o/r"
    assert strip_credentials("git@github.com:o/r.git") == "git@github.com:o/r.git"
