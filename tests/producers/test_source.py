from __future__ import annotations

from pathlib import Path

from pyprov.producers.source import git_source
from tests.conftest import git


def make_repo(path: Path) -> str:
    path.mkdir()
    git(path, "init", "-q")
    (path / "pkg").mkdir()
    (path / "pkg" / "a.py").write_text("a = 1\n")
    (path / "README").write_text("hi\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "one")
    return git(path, "rev-parse", "HEAD").strip()


def test_clean_checkout(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    commit = make_repo(repo)
    git(repo, "tag", "v1.0")
    git(repo, "remote", "add", "origin", "https://bot:s3cret@example.com/o/r.git")
    source = git_source(repo)
    assert source is not None
    assert source.commit == commit
    assert source.ref == "refs/heads/main"
    assert source.tags == ("v1.0",)
    assert source.remote == "https://example.com/o/r.git"
    assert not source.dirty
    assert source.modified == ()
    assert source.subdirectory == ""


def test_dirty_subdirectory_sees_only_its_own_changes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    make_repo(repo)
    (repo / "README").write_text("changed outside the project\n")
    source = git_source(repo / "pkg")
    assert source is not None
    assert source.subdirectory == "pkg"
    assert not source.dirty
    (repo / "pkg" / "a.py").write_text("a = 2\n")
    (repo / "pkg" / "new.py").write_text("")
    source = git_source(repo / "pkg")
    assert source is not None
    assert source.dirty
    assert source.modified == ("pkg/a.py", "pkg/new.py")


def test_detached_head_has_no_ref(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    commit = make_repo(repo)
    git(repo, "checkout", "-q", "--detach")
    source = git_source(repo)
    assert source is not None
    assert source.ref is None
    assert source.commit == commit
    assert source.remote is None


def test_not_a_checkout(tmp_path: Path) -> None:
    assert git_source(tmp_path) is None


def test_repository_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert git_source(tmp_path) is None
