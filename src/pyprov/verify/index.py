"""Verifying distributions by name, straight from a package index (PEP 691 JSON, PEP 740 provenance).

``verify_from_index("attrs==26.1.0", policy, trust)`` lists the project's files through
the simple API (``Accept: application/vnd.pypi.simple.v1+json``), downloads each file of
that version and the PEP 740 provenance object the index names for it (the ``provenance``
key, PyPI's integrity API), checks the file's SHA-256 against the index, and verifies it
as :func:`~pyprov.verify.verify_artifacts` verifies a file with a ``.provenance`` beside
it. ``NAME@sha256:HEX`` selects the one file with that digest.

Everything the index sends is untrusted: pages and provenance objects are bounded, files
are streamed to disk up to a limit, only http(s) URLs are fetched, and a redirect to
another host is refused (the files' own URLs may name another host, as PyPI's do).
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from pyprov._internal import http
from pyprov.errors import ProjectError
from pyprov.verify.result import ArtifactResult, Check, VerificationReport, failed, passed

DEFAULT_INDEX_URL = "https://pypi.org/simple/"
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
MAX_PAGE_BYTES = 64 << 20
"""A project page of the simple API; PyPI's largest are tens of MiB."""
MAX_PROVENANCE_BYTES = 32 << 20
MAX_FILE_BYTES = 4 << 30
"""A distribution larger than this is refused while downloading."""

_PINNED = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s=@;]+)")
_BY_DIGEST = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)@sha256:(?P<digest>[0-9a-fA-F]{64})")


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexRequest:
    """What to fetch: a project and either a version (``NAME==VERSION``) or one file's SHA-256."""

    name: str
    version: Version | None = None
    sha256: str | None = None

    def __str__(self) -> str:
        return (
            f"{self.name}=={self.version}"
            if self.version is not None
            else f"{self.name}@sha256:{self.sha256}"
        )


def parse_index_request(argument: str) -> IndexRequest | None:
    """``NAME==VERSION`` or ``NAME@sha256:HEX`` as an `IndexRequest`; ``None`` for anything else."""
    pinned = _PINNED.fullmatch(argument)
    if pinned:
        try:
            version = Version(pinned["version"])
        except InvalidVersion as error:
            raise ProjectError(f"{argument}: {pinned['version']!r} is not a version") from error
        return IndexRequest(name=pinned["name"], version=version)
    by_digest = _BY_DIGEST.fullmatch(argument)
    if by_digest:
        return IndexRequest(name=by_digest["name"], sha256=by_digest["digest"].lower())
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexFile:
    """One file of a project page: its name, URL, SHA-256 and provenance URL (if any)."""

    filename: str
    url: str
    sha256: str
    provenance: str | None
    yanked: str | None = None
    """Why the file was yanked (PEP 592; ``""`` when no reason was given); ``None``: not yanked."""
    provenance_guessed: bool = False
    """``provenance`` is the integrity API's URL, asked because the page (api-version below 1.3)
    cannot name provenance: its absence there does not say the file has none."""


def project_files(index_url: str, name: str) -> list[IndexFile]:
    """Every file of project ``name`` the index at ``index_url`` lists with a SHA-256.

    Raises :class:`~pyprov.errors.ProjectError` when the page cannot be read or is malformed.
    """
    http.check_url(index_url, "--index-url")
    return _project_files(index_url if index_url.endswith("/") else index_url + "/", name)


def check_index_url(index_url: str) -> None:
    """Raise :class:`~pyprov.errors.ProjectError` unless ``index_url`` is an http(s) URL."""
    http.check_url(index_url, "--index-url")


def fetch_provenance(item: IndexFile) -> bytes | None:
    """The PEP 740 provenance object the index serves for ``item``; ``None`` when it has none."""
    return _provenance(item)


def download(url: str, path: Path) -> str:
    """Stream ``url`` to ``path`` (bounded) and return its hex SHA-256."""
    return _download(url, path, MAX_FILE_BYTES)


def verify_from_index(
    requests: list[IndexRequest],
    verify: Callable[[list[Path]], VerificationReport],
    *,
    index_url: str = DEFAULT_INDEX_URL,
) -> VerificationReport:
    """Download the files of ``requests`` with their provenance and verify them with ``verify``.

    ``verify`` is called once with the downloaded files (each with ``<file>.provenance``
    beside it when the index has one) and returns their report, as
    :func:`~pyprov.verify.verify_artifacts` does. A file whose download does not match the
    index's SHA-256 fails its artifact without being verified further. Raises
    :class:`~pyprov.errors.ProjectError` when the index cannot be read or names no file.
    """
    http.check_url(index_url, "--index-url")
    base = index_url if index_url.endswith("/") else index_url + "/"
    with tempfile.TemporaryDirectory(prefix="pyprov-index-") as temporary:
        directory = Path(temporary)
        chosen: list[tuple[IndexRequest, IndexFile]] = []
        for request in requests:
            files = _select(request, _project_files(base, request.name))
            chosen += [(request, item) for item in files]
        downloaded: list[Path] = []
        mismatched: list[ArtifactResult] = []
        labels: dict[str, str] = {}
        sources: dict[str, str] = {}
        for request, item in chosen:
            name = safe_filename(item.filename)
            path = directory / name
            digest = _download(item.url, path, MAX_FILE_BYTES)
            label = f"{item.filename} ({request})"
            if digest != item.sha256:
                mismatched.append(
                    ArtifactResult(
                        artifact=label,
                        sha256=digest,
                        checks=(
                            failed(
                                "index hash",
                                "the downloaded file is not the one the index lists",
                                expected=f"sha256:{item.sha256}",
                                found=f"sha256:{digest}",
                                source=item.url,
                            ),
                        ),
                    )
                )
                continue
            data = _provenance(item)
            if data is not None and item.provenance is not None:
                (directory / f"{name}.provenance").write_bytes(data)
                sources[str(directory / f"{name}.provenance")] = item.provenance
            downloaded.append(path)
            labels[str(path)] = label
        report = (
            verify(downloaded)
            if downloaded
            else VerificationReport(
                trust="(not loaded: no download matched the index)", policy="", artifacts=()
            )
        )
        results = tuple(
            dataclasses.replace(
                result,
                artifact=labels.get(result.artifact, result.artifact),
                checks=(
                    passed("index hash", found=f"sha256:{result.sha256}", source=base),
                    *(_named_by_url(check, sources) for check in result.checks),
                ),
            )
            for result in report.artifacts
        )
        return dataclasses.replace(report, artifacts=(*results, *mismatched))


def _named_by_url(check: Check, sources: Mapping[str, str]) -> Check:
    """The check with its source named by the URL it came from, not the temporary download."""
    path, hash_sign, fragment = check.source.partition("#")
    url = sources.get(path)
    return check if url is None else dataclasses.replace(check, source=url + hash_sign + fragment)


def _project_files(base: str, name: str) -> list[IndexFile]:
    url = urllib.parse.urljoin(base, f"{canonicalize_name(name)}/")
    raw = _fetch(url, MAX_PAGE_BYTES, accept=SIMPLE_JSON, missing=f"no project {name!r} on {base}")
    try:
        page = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ProjectError(f"{url}: not a PEP 691 JSON page: {error}") from error
    entries = page.get("files") if isinstance(page, Mapping) else None
    if not isinstance(entries, list):
        raise ProjectError(f"{url}: not a PEP 691 JSON page (no files list)")
    # Before api-version 1.3 a page cannot name provenance: its absence says nothing, so the
    # index's integrity API (PEP 740's URL form, as `pypi-attestations verify pypi` uses) is asked.
    integrity = not _names_provenance(page.get("meta"))
    files = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise ProjectError(f"{url}: a files entry is not an object")
        filename, href, hashes = entry.get("filename"), entry.get("url"), entry.get("hashes")
        provenance = entry.get("provenance")
        if not isinstance(filename, str) or not isinstance(href, str) or not isinstance(hashes, Mapping):
            raise ProjectError(f"{url}: a files entry lacks filename, url or hashes")
        sha256 = hashes.get("sha256")
        if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
            continue  # a file without a SHA-256 cannot be checked: it is never chosen
        files.append(
            IndexFile(
                filename=filename,
                url=urllib.parse.urljoin(url, href),
                sha256=sha256.lower(),
                provenance=urllib.parse.urljoin(url, provenance)
                if isinstance(provenance, str)
                else _integrity_url(url, name, filename)
                if integrity
                else None,
                yanked=_yanked(entry.get("yanked")),
                provenance_guessed=integrity and not isinstance(provenance, str),
            )
        )
    return files


def _yanked(value: object) -> str | None:
    """PEP 592: ``true`` or a reason string marks a yanked file."""
    if value is True:
        return ""
    if isinstance(value, str) and value:
        return value
    return None


def _provenance(item: IndexFile) -> bytes | None:
    """The file's provenance object; ``None`` when the index names none or has none (404)."""
    if item.provenance is None:
        return None
    try:
        return _fetch(item.provenance, MAX_PROVENANCE_BYTES, accept="application/json", missing="")
    except _Missing:
        return None


def _names_provenance(meta: object) -> bool:
    """Whether the page's api-version (1.3 or later) has the ``provenance`` key."""
    version = meta.get("api-version") if isinstance(meta, Mapping) else None
    try:
        return isinstance(version, str) and Version(version) >= Version("1.3")
    except InvalidVersion:
        return False


def _integrity_url(page: str, name: str, filename: str) -> str | None:
    version = file_version(filename, name)
    if version is None:
        return None
    quoted = urllib.parse.quote(filename)
    return urllib.parse.urljoin(page, f"/integrity/{canonicalize_name(name)}/{version}/{quoted}/provenance")


def _select(request: IndexRequest, files: list[IndexFile]) -> list[IndexFile]:
    if request.sha256 is not None:
        chosen = [item for item in files if item.sha256 == request.sha256]
        if not chosen:
            raise ProjectError(f"{request}: no file of {request.name} on the index has this SHA-256")
        return chosen[:1]
    chosen = [item for item in files if file_version(item.filename, request.name) == request.version]
    if not chosen:
        raise ProjectError(f"{request}: the index has no file of version {request.version}")
    return chosen


def file_version(filename: str, name: str) -> Version | None:
    """The version in a wheel's or sdist's file name; ``None`` if it is not project ``name``'s."""
    try:
        if filename.endswith(".whl"):
            project, version, _, _ = parse_wheel_filename(filename)
        else:
            project, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return version if project == canonicalize_name(name) else None


def safe_filename(filename: str) -> str:
    """``filename`` if it is a plain file name; :class:`~pyprov.errors.ProjectError` otherwise."""
    if "/" in filename or "\\" in filename or filename in ("", ".", "..") or filename.startswith("."):
        raise ProjectError(f"the index names a file {filename!r}: not a plain file name")
    return filename


class _Missing(Exception):  # noqa: N818 - not an error: an answer
    """The index has no such document (HTTP 404) and the caller asked to be told, not failed."""


def _fetch(url: str, limit: int, *, accept: str, missing: str | None = None) -> bytes:
    """The document at ``url``; on HTTP 404, ``missing`` as the error, or :class:`_Missing` if empty."""
    try:
        return http.fetch(url, limit, accept=accept)
    except http.NotFoundError as error:
        if missing is None:
            raise
        raise (ProjectError(missing) if missing else _Missing(url)) from error


def _download(url: str, path: Path, limit: int) -> str:
    """Stream ``url`` to ``path``, refusing more than ``limit`` bytes; return its SHA-256."""
    return http.download(url, path, limit)


def verify_lock_from_index(
    lock: Path,
    verify: Callable[[Path], VerificationReport],
    *,
    index_url: str = DEFAULT_INDEX_URL,
) -> VerificationReport:
    """Download every file ``lock`` names, with its provenance, and verify the lock with ``verify``.

    ``verify`` is called with the download directory (see
    :func:`~pyprov.verify.verify_lock`, which checks each file against the lock's hashes
    and attestation identities). A file the index does not list fails.
    """
    from pyprov.verify.lock import read_lock  # noqa: PLC0415 - lock imports this package

    http.check_url(index_url, "--index-url")
    base = index_url if index_url.endswith("/") else index_url + "/"
    locked, _ = read_lock(lock)
    wanted: dict[str, set[str]] = {}
    for item in locked:
        wanted.setdefault(item.package, set()).add(item.name)
    with tempfile.TemporaryDirectory(prefix="pyprov-lock-") as temporary:
        directory = Path(temporary)
        missing: list[ArtifactResult] = []
        for package, names in sorted(wanted.items()):
            listed = {item.filename: item for item in _project_files(base, package)}
            for name in sorted(names):
                entry = listed.get(name)
                if entry is None:
                    reason = f"{package}: the index does not list {name}"
                    missing.append(
                        ArtifactResult(
                            artifact=name, sha256=None, checks=(failed("index", reason, source=base),)
                        )
                    )
                    continue
                path = directory / safe_filename(name)
                _download(entry.url, path, MAX_FILE_BYTES)
                data = _provenance(entry)
                if data is not None:
                    (directory / f"{path.name}.provenance").write_bytes(data)
        if len(missing) == sum(len(names) for names in wanted.values()):
            raise ProjectError(f"none of the files {lock} names is on {base}")
        report = verify(directory)
        return dataclasses.replace(report, artifacts=(*report.artifacts, *missing))
