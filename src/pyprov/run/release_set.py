"""``pyprov merge``: the evidence directories of several matrix jobs combined into one release set."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyprov._internal.hashing import hash_file
from pyprov._internal.outputs import make_directory, publish, staging, write_file
from pyprov.errors import OutputError, ProjectError
from pyprov.evidence.layout import RELEASE_FILENAME
from pyprov.evidence.statement import in_toto_statement
from pyprov.provenance import (
    PROVENANCE_SUFFIX,
    check_statement,
    dump_statement,
    load_statement,
)
from pyprov.run.statement import GENERIC_BUILD_TYPE

RELEASE_PREDICATE_TYPE = f"{GENERIC_BUILD_TYPE}#release-set-v1"
"""The predicate of the release statement: which provenance statement covers each subject."""
MAX_FILES = 50_000
"""Most files merged from all directories together."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MergeResult:
    """The outcome of :func:`merge_evidence`."""

    files: tuple[Path, ...]
    """Every file of the release set (copied or already there), sorted by name."""
    copied: tuple[Path, ...]
    """Files this merge added to the output directory."""
    release_statement: Path
    subjects: tuple[tuple[str, str], ...]
    """``(name, sha256)`` of every product of the release, sorted."""


def merge_evidence(directories: Sequence[Path], output: Path) -> MergeResult:
    """Copy every directory's evidence into ``output``, refusing conflicts; write the release statement.

    The same file name with different content in two places (or in ``output`` already)
    is a conflict, as is one product name with two digests across the statements; every
    conflict is reported in one :class:`ProjectError`, and nothing is written. Every
    ``*.intoto.json`` is read as untrusted input and checked. Only regular files at the
    top of each directory are merged (hidden files and links are ignored).
    ``output/pyprov-release.intoto.json`` is rewritten from the merged statements.
    """
    if not directories:
        raise ProjectError("nothing to merge: give at least one evidence directory")
    output = output.absolute()
    conflicts: list[str] = []
    sources = _collect([*([output] if output.is_dir() else []), *directories], conflicts)
    release, subjects = _release(sources, conflicts)
    if conflicts:
        raise ProjectError(
            f"the evidence directories conflict ({len(conflicts)}): " + "; ".join(conflicts),
            hint="each matrix job must make different products; rerun the job whose files differ",
        )
    make_directory(output, "output")
    copied: list[Path] = []
    with staging(output) as stage:
        pending = [(name, path) for name, (path, _) in sorted(sources.items()) if path.parent != output]
        for name, path in pending:
            try:
                shutil.copyfile(path, stage / name)
            except OSError as error:
                raise OutputError(f"cannot copy {path}: {error.strerror or error}") from error
        write_file(stage / RELEASE_FILENAME, dump_statement(release))
        copied.extend(publish(stage / name, output) for name, _ in pending)
        release_path = publish(stage / RELEASE_FILENAME, output)
    return MergeResult(
        files=tuple(sorted([output / name for name in sources] + [release_path])),
        copied=tuple(copied),
        release_statement=release_path,
        subjects=subjects,
    )


def _collect(directories: Sequence[Path], conflicts: list[str]) -> dict[str, tuple[Path, str]]:
    """File name -> (first path, sha256) over every directory; a differing duplicate is a conflict."""
    sources: dict[str, tuple[Path, str]] = {}
    for directory in (path.absolute() for path in directories):
        if not directory.is_dir():
            raise ProjectError(f"{directory} is not a directory")
        for path in sorted(directory.iterdir()):
            if path.name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            if path.name == RELEASE_FILENAME:
                continue  # derived from the statements: rewritten
            digest = _sha256(path)
            known = sources.setdefault(path.name, (path, digest))
            if known[1] != digest:
                conflicts.append(
                    f"{path.name}: {known[0]} (sha256:{known[1][:12]}) and {path} (sha256:{digest[:12]})"
                )
            if len(sources) > MAX_FILES:
                raise ProjectError(f"more than {MAX_FILES} evidence files to merge")
    return sources


def _release(
    sources: dict[str, tuple[Path, str]], conflicts: list[str]
) -> tuple[dict[str, Any], tuple[tuple[str, str], ...]]:
    """The release statement: every subject of every provenance statement, and which statement covers it."""
    subjects: dict[str, str] = {}
    covered: list[dict[str, Any]] = []
    for name in sorted(sources):
        if not name.endswith(PROVENANCE_SUFFIX):
            continue
        path, digest = sources[name]
        statement = load_statement(path)
        names = []
        for subject in statement["subject"]:
            subject_name, sha256 = str(subject.get("name", "")), subject.get("digest", {}).get("sha256")
            if not sha256:
                raise ProjectError(f"{path}: subject {subject_name!r} has no sha256 digest")
            known = subjects.setdefault(subject_name, sha256)
            if known != sha256:
                conflicts.append(
                    f"product {subject_name}: sha256:{known[:12]} and sha256:{sha256[:12]} ({path})"
                )
            names.append(subject_name)
        covered.append({"name": name, "digest": {"sha256": digest}, "subjects": names})
    if not subjects:
        raise ProjectError("no provenance (*.intoto.json) in the evidence directories: nothing to release")
    release = in_toto_statement(
        [(name, subjects[name]) for name in sorted(subjects)], RELEASE_PREDICATE_TYPE, {"statements": covered}
    )
    check_statement(release)
    return release, tuple(sorted(subjects.items()))


def _sha256(path: Path) -> str:
    try:
        return hash_file(path).sha256
    except OSError as error:
        raise ProjectError(f"cannot read {path}: {error.strerror or error}") from error
