"""Facts about each file of a dependency set (a lock, requirements, an environment), from an index.

For every pinned file the index lists, pyprov downloads it, compares its SHA-256 with the
index's and the lock's, fetches the PEP 740 provenance the index serves for it
(:mod:`pyprov.verify.index`), and verifies that provenance with
:func:`pyprov.verify.verify_artifacts` against the publisher it names (as
``pypi-attestations verify pypi`` does): the report says *who* published, the reader
judges whether that is the project's own repository.

For an installed environment (:func:`read_installed`), the file checked is the one it was
installed from, where that is knowable: the wheel whose tags are the ``Tag:`` lines of the
installed ``WHEEL`` file (what the installer wrote), else the sdist of that version (a wheel
built on the machine). Its ``hash`` fact compares the installed ``RECORD``'s hashes with the
downloaded wheel's ``RECORD``; for an sdist it is unknown. A distribution installed from
elsewhere (``direct_url.json``: editable, a local path, VCS, a URL) is not looked up.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from pyprov._internal.untrusted import UntrustedInputError, load_json, read_untrusted_text
from pyprov.errors import ProjectError
from pyprov.posture.model import Fact, Item, PostureReport
from pyprov.posture.properties import DEPENDENCY_PROPERTIES
from pyprov.posture.summary import summarize
from pyprov.posture.verification import TrustRootError, Verification, start_verification
from pyprov.verify.index import (
    IndexFile,
    check_index_url,
    download,
    fetch_provenance,
    file_version,
    project_files,
    safe_filename,
)
from pyprov.verify.trust import Trust, TrustSource

if TYPE_CHECKING:
    from pyprov.sbom.model import FileEntry

MAX_REQUIREMENTS_BYTES = 16 << 20
DEFAULT_JOBS = 8
"""Files fetched and verified at once: enough to hide an index's latency, few enough to be polite."""
MAX_JOBS = 32
MAX_UNVERIFIED_BYTES = 1 << 30
"""Downloaded files waiting to be verified, in bytes, beyond which fetching waits: bounded disk use."""
FETCHING_NICENESS = 10
"""How much lower the fetching threads' CPU priority is than the verifying process's (Linux)."""


_SERVED = Fact(property="attested", status="yes", value="PEP 740 provenance served")

_HASH = re.compile(r"--hash[=\s]+sha256:([0-9a-fA-F]{64})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Installed:
    """What an environment says about one installed distribution."""

    tags: frozenset[str]
    """The ``Tag:`` lines of its ``WHEEL`` file: the tags of the wheel it was installed from."""
    files: Mapping[str, str]
    """Installed path → SHA-256, as the installed ``RECORD`` lists them."""
    not_from_index: str | None = None
    """Why it was not installed from an index (editable, local path, VCS, URL), if it was not."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pinned:
    """What a lock or requirements file pins, or an environment has installed.

    A project, a version or a file name, and SHA-256s; ``installed`` for a distribution of
    an environment (:func:`read_installed`).
    """

    project: str
    version: Version | None
    filename: str | None
    sha256: frozenset[str]
    where: str
    installed: Installed | None = None


def read_requirements(path: Path) -> list[Pinned]:
    """The ``NAME==VERSION`` lines of a requirements file with their ``--hash=sha256:`` values.

    Raises :class:`~pyprov.errors.ProjectError` for a line that is not pinned with ``==``,
    naming the line. Option lines (``--index-url``, ``-c``) are skipped.
    """
    try:
        text = read_untrusted_text(path, limit=MAX_REQUIREMENTS_BYTES, what="a requirements file")
    except UntrustedInputError as error:
        raise ProjectError(error.message) from error
    pinned = []
    for number, line in _logical_lines(text):
        hashes = frozenset(digest.lower() for digest in _HASH.findall(line))
        spec = _HASH.sub("", line).strip()
        if not spec or spec.startswith("-"):
            continue
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as error:
            raise ProjectError(f"{path}:{number}: not a requirement: {error}") from error
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==" or "*" in specifiers[0].version:
            raise ProjectError(f"{path}:{number}: {requirement.name} is not pinned as NAME==VERSION")
        try:
            version = Version(specifiers[0].version)
        except InvalidVersion as error:
            raise ProjectError(f"{path}:{number}: {specifiers[0].version!r} is not a version") from error
        pinned.append(
            Pinned(
                project=requirement.name,
                version=version,
                filename=None,
                sha256=hashes,
                where=f"{path}:{number}",
            )
        )
    return pinned


def _logical_lines(text: str) -> list[tuple[int, str]]:
    r"""Lines with ``\`` continuations joined and comments removed, with their first line number."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        lines.append((start, pending + line))
        pending = ""
    if pending:
        lines.append((start, pending))
    return lines


def read_lock_files(lock: Path) -> list[Pinned]:
    """The files a PEP 751 lock names, with their SHA-256s (:func:`pyprov.verify.lock.read_lock`)."""
    from pyprov.verify.lock import read_lock  # noqa: PLC0415

    locked, _ = read_lock(lock)
    return [
        Pinned(
            project=item.package,
            version=None,
            filename=item.name,
            sha256=frozenset({item.hashes["sha256"].lower()} if "sha256" in item.hashes else set()),
            where=f"{lock}: {item.where}",
        )
        for item in locked
    ]


def read_installed(environment: Path) -> list[Pinned]:
    """The distributions installed in ``environment``: an interpreter, or a venv directory.

    Listed by the interpreter itself, as ``pyprov sbom --python`` / ``pyprov sbom VENV`` do
    (:func:`pyprov.sbom.environment.read_environment`). Raises
    :class:`~pyprov.sbom.SbomError` (exit 2) when it cannot be run.
    """
    from pyprov.sbom.environment import read_environment  # noqa: PLC0415
    from pyprov.sbom.generate import venv_interpreter  # noqa: PLC0415

    python = venv_interpreter(environment) if environment.is_dir() else environment
    found = read_environment(python, files=True)
    pinned = []
    for contents in found.distributions:
        name, text = contents.distribution.name, contents.distribution.version
        try:
            version: Version | None = Version(text)
        except InvalidVersion:
            version = None
        pinned.append(
            Pinned(
                project=name,
                version=version,
                filename=None,
                sha256=frozenset(),
                where=f"{python}: {name} {text}",
                installed=Installed(
                    tags=frozenset(contents.wheel_tags),
                    files={entry.path: entry.sha256 for entry in contents.files if entry.sha256},
                    not_from_index=_direct_url(contents.direct_url),
                ),
            )
        )
    if not pinned:
        raise ProjectError(f"{python} has no distribution installed")
    return pinned


def _direct_url(text: str | None) -> str | None:
    """Why ``direct_url.json`` (PEP 610) says the distribution did not come from an index."""
    if text is None:
        return None
    try:
        data = load_json(text.encode(), "direct_url.json")
    except UntrustedInputError:
        return "installed from a direct URL (its direct_url.json is unreadable)"
    url = data.get("url") if isinstance(data, Mapping) else None
    where = url if isinstance(url, str) else "?"
    dir_info = data.get("dir_info") if isinstance(data, Mapping) else None
    if isinstance(dir_info, Mapping) and dir_info.get("editable") is True:
        return f"an editable install of {where}"
    vcs = data.get("vcs_info") if isinstance(data, Mapping) else None
    if isinstance(vcs, Mapping):
        return f"installed from {vcs.get('vcs')} {where}"
    if where.startswith("file:"):
        return f"installed from a local path ({where})"
    return f"installed from a direct URL ({where}), not from the index"


def dependency_posture(
    pinned: Sequence[Pinned],
    trust: TrustSource | Trust | Verification,
    *,
    index_url: str,
    jobs: int = DEFAULT_JOBS,
) -> PostureReport:
    """The posture of every file ``pinned`` names, as served by the index at ``index_url``.

    Project pages, and each page's files with their provenance as soon as it is read, are
    fetched ``jobs`` at a time and verified meanwhile with one trust root, each file deleted
    once verified. ``trust`` is where the trust root comes from, or verification already
    started from it (:func:`~pyprov.posture.verification.start_verification`), which the
    caller then closes. Raises :class:`~pyprov.errors.ProjectError` when there
    is nothing pinned, the index URL is not http(s), or a provenance needs the trust root and
    it cannot be loaded; a project or file the index cannot answer for is an item whose facts
    are unknown.
    """
    if not pinned:
        raise ProjectError("nothing pinned: the file names no NAME==VERSION and no file")
    if not 1 <= jobs <= MAX_JOBS:
        raise ProjectError(f"-j/--jobs must be between 1 and {MAX_JOBS}, not {jobs}")
    check_index_url(index_url)
    if isinstance(trust, (TrustSource, Trust)):
        verification, ours = start_verification(trust), True
    else:
        verification, ours = trust, False
    try:
        items = _measure(pinned, index_url, verification, jobs)
        trust_used = verification.description("(not loaded: no provenance to verify)")
        notes = verification.notes()
    except _NoTrustRootError as error:
        raise error.error from None
    finally:
        if ours:
            verification.close()
    return PostureReport(
        subject="dependencies",
        items=tuple(items),
        summary=summarize(items, DEPENDENCY_PROPERTIES),
        trust=trust_used,
        notes=notes,
    )


class _NoTrustRootError(Exception):
    """The trust root could not be loaded: the run stops (exit 2), no item is "unknown" for it."""

    def __init__(self, error: ProjectError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True, slots=True, kw_only=True)
class _Verifying:
    """A file whose served provenance is being verified: the facts known, and the future of the rest."""

    entry: Pinned
    name: str
    sha256: str
    verified: Future[list[Fact]]
    after: tuple[Fact, ...]

    def item(self) -> Item:
        """The file's item once verified; unknown if it could not be verified at all."""
        try:
            facts = self.verified.result()
        except TrustRootError as error:
            raise _NoTrustRootError(error) from error
        except ProjectError as error:
            return _unknown(self.entry, error.message, label=self.name)
        return Item(name=self.name, sha256=self.sha256, facts=(_SERVED, *facts, *self.after))


class _Room:
    """Bytes of downloaded files waiting to be verified: fetching waits while they are over a limit."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._waiting = 0
        self._changed = threading.Condition()

    def wait(self) -> None:
        """Return once the files waiting are under the limit."""
        with self._changed:
            self._changed.wait_for(lambda: self._waiting < self._limit)

    def take(self, size: int) -> None:
        """Count a file as waiting."""
        with self._changed:
            self._waiting += size

    def give(self, size: int) -> None:
        """Count a file as no longer waiting."""
        with self._changed:
            self._waiting -= size
            self._changed.notify_all()


def _measure(pinned: Sequence[Pinned], index_url: str, verification: Verification, jobs: int) -> list[Item]:
    """Every entry's items, in the order of ``pinned``, fetched ``jobs`` at a time.

    At most ``jobs`` pages are asked for at once; a page's files are queued as soon as it is
    read, ahead of the pages not yet asked for, so that files and pages are fetched together.
    Fetching does not wait for verification, unless the files waiting to be verified add up
    to :data:`MAX_UNVERIFIED_BYTES`; when verification runs in a process of its own, the
    fetching threads give way to it for the CPU (:func:`_yield_to_verifier`).
    """
    slots: list[list[Item | Future[Item | _Verifying]]] = [[] for _ in pinned]
    room = _Room(MAX_UNVERIFIED_BYTES)
    waiting: dict[str, list[int]] = {}  # a project's page → the entries it answers
    for position, entry in enumerate(pinned):
        if entry.installed is not None and entry.installed.not_from_index:
            slots[position].append(_unknown(entry, entry.installed.not_from_index))
        else:
            waiting.setdefault(canonicalize_name(entry.project), []).append(position)
    projects = iter(waiting)
    with (
        tempfile.TemporaryDirectory(prefix="pyprov-posture-", ignore_cleanup_errors=True) as temporary,
        ThreadPoolExecutor(
            max_workers=jobs,
            thread_name_prefix="pyprov-posture",
            initializer=_yield_to_verifier if verification.elsewhere else None,
        ) as pool,
    ):
        try:
            asked: dict[Future[list[IndexFile] | str], str] = {}

            def ask_next() -> None:
                project = next(projects, None)
                if project is not None:
                    asked[pool.submit(_listing, index_url, pinned[waiting[project][0]].project)] = project

            for _ in range(jobs):
                ask_next()
            files = 0
            while asked:
                done, _ = wait(asked, return_when=FIRST_COMPLETED)
                for answered in done:
                    page = answered.result()
                    for position in waiting[asked.pop(answered)]:
                        entry = pinned[position]
                        if isinstance(page, str):
                            slots[position].append(_unknown(entry, page))
                            continue
                        chosen = _select(entry, page)
                        if not chosen:
                            slots[position].append(_unknown(entry, _not_listed(entry, page)))
                        for item in chosen:
                            # A directory per file: two entries may name the same file.
                            directory = Path(temporary) / str(files)
                            files += 1
                            slots[position].append(
                                pool.submit(_file_task, entry, item, directory, verification, room)
                            )
                    ask_next()
            return [_item(task) for slot in slots for task in slot]
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _yield_to_verifier() -> None:
    """Lower this fetching thread's CPU priority (nice +``FETCHING_NICENESS``), on Linux.

    The verifying process is the run's critical path: one process doing serial work on the
    files fetching has already handed it. When the cores are busy (a fast or local index,
    a small machine), fetching, which is ahead of it anyway, should not slow it down. Only
    this thread is lowered; elsewhere than Linux a thread id is not a process id, and
    nothing is done.
    """
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + FETCHING_NICENESS)


def _listing(index_url: str, project: str) -> list[IndexFile] | str:
    """The project's files, or why the index cannot answer (no such project, unreachable, malformed).

    Then nothing about its entries is measured: every fact is unknown.
    """
    try:
        return project_files(index_url, project)
    except ProjectError as error:
        return error.message


def _item(task: Item | Future[Item | _Verifying]) -> Item:
    if isinstance(task, Item):
        return task
    done = task.result()
    return done if isinstance(done, Item) else done.item()


def _file_task(
    entry: Pinned, item: IndexFile, directory: Path, verification: Verification, room: _Room
) -> Item | _Verifying:
    """The file's item, or what is known while its provenance is verified; its directory deleted once done."""
    room.wait()
    directory.mkdir()
    try:
        done = _file_posture(entry, item, directory, verification, room)
    except ProjectError as error:  # the file or its provenance could not be fetched
        done = _unknown(entry, error.message, label=item.filename)
    if isinstance(done, Item):
        shutil.rmtree(directory, ignore_errors=True)
    return done


def _select(entry: Pinned, files: list[IndexFile]) -> list[IndexFile]:
    if entry.filename is not None:
        return [item for item in files if item.filename == entry.filename]
    of_version = [item for item in files if file_version(item.filename, entry.project) == entry.version]
    if entry.installed is not None:
        # The wheel it was installed from has the tags its WHEEL file names; without one,
        # it was built on the machine, from the sdist.
        wheels = [item for item in of_version if _wheel_tags(item.filename) == entry.installed.tags]
        sdists = [item for item in of_version if not item.filename.endswith(".whl")]
        return (wheels or sdists)[:1]
    if entry.sha256:
        return [item for item in of_version if item.sha256 in entry.sha256] or (
            of_version[:1] if of_version else []
        )
    return of_version


def _wheel_tags(filename: str) -> frozenset[str] | None:
    if not filename.endswith(".whl"):
        return None
    try:
        return frozenset(str(tag) for tag in parse_wheel_filename(filename)[3])
    except (InvalidWheelFilename, InvalidVersion):
        return None


def _not_listed(entry: Pinned, files: list[IndexFile]) -> str:
    if entry.installed is None:
        return f"the index does not list it ({entry.where})"
    if not any(file_version(item.filename, entry.project) == entry.version for item in files):
        return f"the index has no file of version {entry.version} ({entry.where})"
    tags = ", ".join(sorted(entry.installed.tags)) or "none recorded"
    return f"no file of the index has the installed wheel's tags ({tags}) and there is no sdist"


def _unknown(entry: Pinned, why: str, *, label: str | None = None) -> Item:
    label = label or entry.filename or f"{entry.project}=={entry.version}"
    facts = [Fact(property=name, status="unknown", value=why) for name in DEPENDENCY_PROPERTIES]
    return Item(name=label, sha256=None, facts=tuple(facts))


def _file_posture(
    entry: Pinned, item: IndexFile, directory: Path, verification: Verification, room: _Room
) -> Item | _Verifying:
    path = directory / safe_filename(item.filename)
    digest = download(item.url, path)
    if entry.installed is not None:
        hashed = _installed_hash(entry.installed, item, path, digest)
    elif not entry.sha256:
        hashed = Fact(property="hash", status="unknown", value=f"no sha256 hash pinned ({entry.where})")
    elif digest in entry.sha256 and digest == item.sha256:
        hashed = Fact(property="hash", status="yes", value=f"sha256:{digest}")
    else:
        hashed = Fact(
            property="hash",
            status="no",
            value=f"downloaded sha256:{digest}; pinned {', '.join(sorted(entry.sha256))}",
        )
    yanked = (
        Fact(property="not-yanked", status="yes", value="not yanked")
        if item.yanked is None
        else Fact(property="not-yanked", status="no", value=f"yanked: {item.yanked or 'no reason given'}")
    )
    provenance = fetch_provenance(item)
    if provenance is None and item.provenance_guessed:
        # A page before api-version 1.3 cannot name provenance, and an index (a mirror) may
        # not have PEP 740's integrity API at all: nothing was learnt about this file.
        why = "the index's page predates PEP 740 (api-version < 1.3) and its integrity API has none"
        facts = [
            Fact(property=name, status="unknown", value=why)
            for name in ("attested", "verified", "publisher", "own-repository")
        ]
    elif provenance is None:
        why = "the index serves no provenance"
        facts = [
            Fact(property="attested", status="no", value=why),
            Fact(property="verified", status="unknown", value=why),
            Fact(property="publisher", status="unknown", value=why),
            Fact(property="own-repository", status="unknown", value=why),
        ]
    elif digest != item.sha256:
        why = "the downloaded file is not the one the index lists"
        facts = [
            _SERVED,
            Fact(property="verified", status="no", value=why),
            Fact(property="publisher", status="unknown", value=why),
            Fact(property="own-repository", status="unknown", value=why),
        ]
    else:
        (directory / f"{path.name}.provenance").write_bytes(provenance)
        size = path.stat().st_size
        room.take(size)
        verified = verification.submit(path, provenance)

        def verified_and_deleted(_: Future[list[Fact]]) -> None:
            shutil.rmtree(directory, ignore_errors=True)
            room.give(size)

        verified.add_done_callback(verified_and_deleted)
        after = (hashed, yanked)
        return _Verifying(entry=entry, name=item.filename, sha256=digest, verified=verified, after=after)
    return Item(name=item.filename, sha256=digest, facts=(*facts, hashed, yanked))


def _installed_hash(installed: Installed, item: IndexFile, path: Path, digest: str) -> Fact:
    """Whether the installed files have the hashes the downloaded wheel's RECORD lists."""
    from pyprov.sbom import SbomError  # noqa: PLC0415
    from pyprov.sbom.wheel import read_wheel  # noqa: PLC0415

    if digest != item.sha256:
        return Fact(property="hash", status="no", value="the downloaded file is not the one the index lists")
    if not item.filename.endswith(".whl"):
        tags = ", ".join(sorted(installed.tags)) or "no WHEEL tags"
        return Fact(
            property="hash",
            status="unknown",
            value=f"installed from a wheel built here ({tags}): no file of the index to compare with",
        )
    try:
        listed = read_wheel(path, files=True).files
    except SbomError as error:
        return Fact(property="hash", status="unknown", value=f"cannot read {item.filename}: {error.message}")
    compared = [
        entry.path for entry in listed if entry.sha256 and installed.files.get(entry.path) is not None
    ]
    differ = [name for name in compared if installed.files[name] != _listed_hash(listed, name)]
    if not compared:
        return Fact(property="hash", status="unknown", value="no file is listed with a hash in both RECORDs")
    if differ:
        more = f" and {len(differ) - 3} more" if len(differ) > 3 else ""  # noqa: PLR2004
        return Fact(
            property="hash",
            status="no",
            value=f"{len(differ)} of {len(compared)} installed files differ from {item.filename}'s RECORD: "
            f"{', '.join(differ[:3])}{more}",
        )
    return Fact(
        property="hash",
        status="yes",
        value=f"{len(compared)} installed files as in {item.filename}'s RECORD (sha256:{digest})",
    )


def _listed_hash(listed: Sequence[FileEntry], name: str) -> str | None:
    return next((entry.sha256 for entry in listed if entry.path == name), None)
