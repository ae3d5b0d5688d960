"""`pyprov inspect FILE.intoto.json`: the statement as people read it."""

from __future__ import annotations

from pyprov._cli.inspect import render_statement
from pyprov.provenance import make_statement
from pyprov.record import GitSource
from tests.provenance.conftest import GITHUB, make_record

GIT = GitSource(
    commit="d" * 40,
    remote="https://git.example.com/acme/project.git",
    ref="refs/heads/main",
    dirty=True,
    modified=("x.py",),
)


def test_render_github_build() -> None:
    text = render_statement(make_statement([make_record(git=GIT, github=GITHUB)]), color=False)
    assert (
        text
        == f"""\
in-toto statement  predicate https://slsa.dev/provenance/v1

subject
  demo-1.0-py3-none-any.whl  sha256:{make_record().artifact.digests.sha256}

source
  repository  https://git.example.com/acme/project.git
  ref         refs/heads/main
  commit      {"d" * 40}
  dirty       yes: 1 path(s) differ from the commit
  sdist       demo-1.0.tar.gz  sha256:{"c" * 64}

build
  type             https://github.com/pyprov/pyprov/blob/main/docs/build-type-v1.md
  distribution     wheel from sdist
  config settings  none
  workflow         https://github.com/acme/project/.github/workflows/release.yml@refs/tags/v1.0.0
  environment      isolated (pip)
  python           CPython 3.11.7
  platform         Linux-6.1-x86_64-with-glibc2.36
  runner           github-hosted

builder
  id          https://github.com/acme/project/.github/workflows/release.yml@refs/tags/v1.0.0
  version     pyprov 0.1.0
  invocation  https://github.com/acme/project/actions/runs/1234/attempts/2
  started     2025-01-01T10:00:00Z
  finished    2025-01-01T10:00:05Z

build dependencies (2)
  hatchling 1.33.0  sha256:{"1" * 64}
  packaging 26.3  sha256:{"3" * 64}

level
  SLSA Build L1: the provenance is unsigned: anyone able to write the file could have written it \
(L2 needs it signed by a hosted build platform)
  (claimed by the statement itself; `pyprov verify` establishes the level from its signature)

byproducts
  none
"""
    )


def test_local_builder_is_marked_unverified() -> None:
    text = render_statement(
        make_statement([make_record(config_settings={"k": "v"}, source_date_epoch=1)]), color=False
    )
    assert "docs/build-type-v1.md#builder-local-unverified  (local, unverified)\n" in text
    assert "  path   /src/demo\n" in text
    assert "  config settings    k=v\n" in text
    assert "  SOURCE_DATE_EPOCH  1\n" in text


def test_color_styles_headings_only() -> None:
    statement = make_statement([make_record()])
    assert "\x1b[1msubject\x1b[0m\n" in render_statement(statement, color=True)
    assert "\x1b" not in render_statement(statement, color=False)


def test_control_characters_from_the_file_are_escaped() -> None:
    statement = make_statement([make_record()])
    statement["subject"][0]["name"] = "evil\x1b[2J.whl"
    text = render_statement(statement, color=False)
    assert "evil\\x1b[2J.whl" in text
    assert "\x1b" not in text


def test_other_predicates_show_subjects_only() -> None:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "a.whl", "digest": {"sha256": "0" * 64}}],
        "predicateType": "https://docs.pypi.org/attestations/publish/v1",
        "predicate": {"x": 1},
    }
    assert render_statement(statement, color=False) == (
        "in-toto statement  predicate https://docs.pypi.org/attestations/publish/v1\n\n"
        f"subject\n  a.whl  sha256:{'0' * 64}\n\n"
        "(not SLSA provenance v1: the predicate is not shown)\n"
    )
