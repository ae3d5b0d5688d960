"""``pyprov posture --lock / -r``: each pinned file as the loopback index serves it.

The index is `pyprov.testing.index.LocalIndex` on 127.0.0.1 serving the real PyPI sdist of
pypi-attestations 0.0.19 with its real PEP 740 provenance (signed on Sigstore's production
instance by trailofbits/pypi-attestations' release.yml; verified offline with the embedded
trusted root), and a real wheel without provenance, which the index marks as yanked.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import Result

from pyprov.testing.index import LocalIndex
from tests.posture.conftest import facts

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "pep740"
SDIST = "pypi_attestations-0.0.19.tar.gz"
WHEEL = "rfc8785-0.1.2-py3-none-any.whl"


def _every_property_in_order(report: dict[str, Any]) -> None:
    from pyprov.posture import DEPENDENCY_PROPERTIES

    for item in report["items"]:
        assert [fact["property"] for fact in item["facts"]] == list(DEPENDENCY_PROPERTIES), item["name"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def served(tmp_path: Path) -> Path:
    directory = tmp_path / "index"
    directory.mkdir()
    for name in (SDIST, f"{SDIST}.provenance", WHEEL):
        shutil.copy(ASSETS / name, directory / name)
    return directory


@pytest.fixture
def index(served: Path) -> Iterator[LocalIndex]:
    with LocalIndex(served, yanked=frozenset({WHEEL})) as running:
        yield running


def test_requirements_file_attested_verified_publisher_hash_yanked(
    index: LocalIndex, posture: Callable[..., Result], posture_schema: dict[str, Any], tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# pinned, with hashes\n"
        f"pypi-attestations==0.0.19 \\\n    --hash=sha256:{_sha256(ASSETS / SDIST)}\n"
        f"rfc8785==0.1.2 --hash=sha256:{'0' * 64}  # not the served file's hash\n"
    )

    result = posture("-r", requirements, "--index-url", index.url, "--offline", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    jsonschema.validate(report, posture_schema)
    assert report["subject"] == "dependencies"
    _every_property_in_order(report)
    sdist = facts(report, SDIST)
    assert sdist["attested"] == ("yes", "PEP 740 provenance served")
    assert sdist["verified"][0] == "yes"
    assert sdist["publisher"] == ("yes", "GitHub trailofbits/pypi-attestations (release.yml)")
    assert sdist["own-repository"] == (
        "yes",
        "https://github.com/trailofbits/pypi-attestations is in its Project-URLs",
    )
    assert report["summary"]["own-repository"]["have"] == 1
    assert sdist["hash"] == ("yes", f"sha256:{_sha256(ASSETS / SDIST)}")
    assert sdist["not-yanked"] == ("yes", "not yanked")
    wheel = facts(report, WHEEL)
    assert wheel["attested"] == ("no", "the index serves no provenance")
    assert wheel["verified"] == ("unknown", "the index serves no provenance")
    assert wheel["hash"][0] == "no"
    assert wheel["not-yanked"] == ("no", "yanked: yanked by the test")
    summary = report["summary"]
    assert (summary["attested"]["have"], summary["attested"]["checked"]) == (1, 2)
    assert (summary["verified"]["have"], summary["verified"]["checked"], summary["verified"]["unknown"]) == (
        1,
        1,
        1,
    )
    assert (summary["hash"]["have"], summary["hash"]["lack"]) == (1, 1)
    assert summary["not-yanked"]["lack"] == 1


def test_lock_file_terminal_summary(
    index: LocalIndex, posture: Callable[..., Result], tmp_path: Path
) -> None:
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "tests"\n\n'
        '[[packages]]\nname = "pypi-attestations"\nversion = "0.0.19"\n'
        f'sdist = {{ name = "{SDIST}", hashes = {{ sha256 = "{_sha256(ASSETS / SDIST)}" }} }}\n\n'
        '[[packages]]\nname = "rfc8785"\nversion = "0.1.2"\n'
        f'wheels = [{{ name = "{WHEEL}", hashes = {{ sha256 = "{_sha256(ASSETS / WHEEL)}" }} }}]\n'
    )
    page = tmp_path / "deps.html"

    # No --offline: posture does not refresh the trusted root unless --refresh-trust.
    result = posture("--lock", lock, "--index-url", index.url, "--html", page)

    assert result.exit_code == 0, result.output
    assert "summary (2 files):" in result.stdout
    assert "  attested: 1 of 2 checked (50%), 0 unknown" in result.stdout
    assert "  verified: 1 of 1 checked (100%), 1 unknown" in result.stdout
    assert "  hash: 2 of 2 checked (100%), 0 unknown" in result.stdout
    assert "  not-yanked: 1 of 2 checked (50%), 0 unknown" in result.stdout
    assert "✓ publisher       GitHub trailofbits/pypi-attestations (release.yml)" in result.stdout
    assert (
        "✓ own-repository  https://github.com/trailofbits/pypi-attestations is in its Project-URLs"
        in result.stdout
    )
    assert "offline: the trusted root was not refreshed" in result.stderr
    assert "GitHub trailofbits/pypi-attestations (release.yml)" in page.read_text()


def test_a_tampered_download_is_neither_hash_matching_nor_verified(
    served: Path, posture: Callable[..., Result], tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"pypi-attestations==0.0.19 --hash=sha256:{_sha256(ASSETS / SDIST)}\n")
    with LocalIndex(served, tampered=frozenset({SDIST})) as index:
        result = posture("-r", requirements, "--index-url", index.url, "--offline", "--json")
    assert result.exit_code == 0, result.output
    found = facts(json.loads(result.stdout), SDIST)
    assert found["hash"][0] == "no"
    assert found["verified"] == ("no", "the downloaded file is not the one the index lists")


def test_an_unpinned_requirement_is_one_line_and_exit_2(
    index: LocalIndex, posture: Callable[..., Result], tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pypi-attestations>=0.0.19\n")
    result = posture("-r", requirements, "--index-url", index.url, "--offline")
    assert result.exit_code == 2
    assert result.stderr == f"error: {requirements}:1: pypi-attestations is not pinned as NAME==VERSION\n"


def test_a_project_the_index_lacks_is_unknown_not_an_error(
    index: LocalIndex, posture: Callable[..., Result], tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        f"pypi-attestations==0.0.19 --hash=sha256:{_sha256(ASSETS / SDIST)}\nnot-on-the-index==1.0\n"
    )
    result = posture("-r", requirements, "--index-url", index.url, "--offline", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    missing = facts(report, "not-on-the-index==1.0")
    assert {status for status, _ in missing.values()} == {"unknown"}
    assert "no project 'not-on-the-index'" in missing["attested"][1]
    assert (report["summary"]["attested"]["have"], report["summary"]["attested"]["unknown"]) == (1, 1)


def test_an_unusable_trust_root_stops_the_run(
    index: LocalIndex, posture: Callable[..., Result], tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"pypi-attestations==0.0.19 --hash=sha256:{_sha256(ASSETS / SDIST)}\n")
    broken = tmp_path / "trust.json"
    broken.write_text("{}")
    result = posture("-r", requirements, "--index-url", index.url, "--trust-config", broken)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: no trust root: cannot load {broken}")
    assert "Traceback" not in result.output


def test_refresh_trust_asks_sigstores_tuf_repository(
    index: LocalIndex, posture: Callable[..., Result], tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"pypi-attestations==0.0.19 --hash=sha256:{_sha256(ASSETS / SDIST)}\n")
    # The network guard lets only loopback through: the refresh is attempted, and fails.
    result = posture("-r", requirements, "--index-url", index.url, "--refresh-trust")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: no trust root: cannot load Sigstore production: ")
    assert "hint: use --offline to use the embedded trusted root" in result.stderr
    last_wins = posture("-r", requirements, "--index-url", index.url, "--refresh-trust", "--offline")
    assert last_wins.exit_code == 0


def test_parallel_fetches_keep_the_files_order_and_facts(
    index: LocalIndex, posture: Callable[..., Result], tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    sdist = f"pypi-attestations==0.0.19 --hash=sha256:{_sha256(ASSETS / SDIST)}\n"
    wheel = f"rfc8785==0.1.2 --hash=sha256:{_sha256(ASSETS / WHEEL)}\n"
    # The same file twice (two downloads, one directory each), a missing project between them.
    requirements.write_text(sdist + wheel + "not-on-the-index==1.0\n" + sdist + wheel)

    one = posture("-r", requirements, "--index-url", index.url, "-j", "1", "--json")
    many = posture("-r", requirements, "--index-url", index.url, "-j", "4", "--json")

    assert one.exit_code == many.exit_code == 0, many.output
    assert json.loads(one.stdout) == json.loads(many.stdout)
    names = [item["name"] for item in json.loads(many.stdout)["items"]]
    assert names == [SDIST, WHEEL, "not-on-the-index==1.0", SDIST, WHEEL]
    assert json.loads(many.stdout)["summary"]["verified"]["have"] == 2
    assert posture("-r", requirements, "--index-url", index.url, "-j", "0").exit_code == 2


def test_a_pages_files_are_fetched_before_the_next_page_is_asked_for(
    index: LocalIndex, posture: Callable[..., Result], tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pypi-attestations==0.0.19\nrfc8785==0.1.2\nnot-on-the-index==1.0\n")

    # One at a time, the order is fixed: each page's files (and provenance) are queued
    # ahead of the pages not yet asked for, so fetching files never waits for every page.
    result = posture("-r", requirements, "--index-url", index.url, "-j", "1", "--json")

    assert result.exit_code == 0, result.output
    assert index.requests == [
        "/simple/pypi-attestations/",
        f"/files/{SDIST}",
        f"/integrity/pypi-attestations/0.0.19/{SDIST}/provenance",
        "/simple/rfc8785/",
        f"/files/{WHEEL}",
        "/simple/not-on-the-index/",
    ]


def test_reading_pins_and_fetching_import_no_sigstore() -> None:
    # sigstore takes most of a second to import: posture imports it on a thread of its own
    # while it fetches, so nothing on the way to the first request may import it.
    code = (
        "import sys, pyprov._cli.posture, pyprov.posture.dependencies, pyprov.verify.lock, "
        "pyprov.verify.index, pyprov.verify.trust; "
        "print(sorted(name for name in sys.modules if name.split('.')[0] in "
        "('sigstore', 'pypi_attestations', 'rekor_types', 'tuf')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_an_index_before_pep_740_leaves_attested_unknown_where_it_has_none(
    served: Path, posture: Callable[..., Result], tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        f"pypi-attestations==0.0.19 --hash=sha256:{_sha256(ASSETS / SDIST)}\n"
        f"rfc8785==0.1.2 --hash=sha256:{_sha256(ASSETS / WHEEL)}\n"
    )
    # api-version 1.1: the page cannot name provenance; the integrity API is asked instead.
    with LocalIndex(served, api_version="1.1") as index:
        result = posture("-r", requirements, "--index-url", index.url, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    _every_property_in_order(report)
    assert facts(report, SDIST)["verified"][0] == "yes"
    assert facts(report, WHEEL)["attested"] == (
        "unknown",
        "the index's page predates PEP 740 (api-version < 1.3) and its integrity API has none",
    )
    assert (report["summary"]["attested"]["have"], report["summary"]["attested"]["unknown"]) == (1, 1)


def test_a_publisher_other_than_the_projects_repository_is_counted() -> None:
    from pyprov.posture.provenance import _own_repository

    provenance = json.loads((ASSETS / f"{SDIST}.provenance").read_text())
    assert _own_repository(ASSETS / SDIST, provenance).status == "yes"
    for bundle in provenance["attestation_bundles"]:
        bundle["publisher"]["repository"] = "someone-else/fork"
    other = _own_repository(ASSETS / SDIST, provenance)
    named = "https://github.com/trailofbits/pypi-attestations"
    assert other.status == "no"
    assert (
        other.value
        == f"published from https://github.com/someone-else/fork; its metadata names {named}, {named}/issues"
    )
    for bundle in provenance["attestation_bundles"]:
        bundle["publisher"] = {"kind": "Google", "email": "x@example.com"}
    assert _own_repository(ASSETS / SDIST, provenance).status == "unknown"


class _Later:
    """Real verification (in this process), answered a while later as a busy worker answers.

    Counts the files handed over and not yet answered: more than -j at once means the
    fetching threads went on fetching instead of waiting for the answers.
    """

    def __init__(self, *, elsewhere: bool = True) -> None:
        from pyprov.posture.verification import LocalVerification
        from pyprov.verify.trust import TrustSource

        self.elsewhere = elsewhere
        self.inner = LocalVerification(TrustSource(kind="production", offline=True))
        self.answering = ThreadPoolExecutor(max_workers=1)
        self.lock = threading.Lock()
        self.unanswered = self.most = 0
        self.niceness: set[int] = set()  # of the fetching threads that handed files over

    def submit(self, path: Path, provenance: bytes) -> Future[list[Any]]:
        with self.lock:
            self.unanswered += 1
            self.most = max(self.most, self.unanswered)
            self.niceness.add(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

        def answer() -> list[Any]:
            time.sleep(0.5)
            facts = self.inner.submit(path, provenance).result()
            with self.lock:
                self.unanswered -= 1
            return facts

        return self.answering.submit(answer)

    def description(self, unused: str) -> str:
        return self.inner.description(unused)

    def notes(self) -> tuple[str, ...]:
        return self.inner.notes()

    def close(self) -> None:
        self.answering.shutdown()


def _verified(item: Any) -> str:
    return next(fact.status for fact in item.facts if fact.property == "verified")


def _six_downloads(tmp_path: Path) -> list[Any]:
    from pyprov.posture import read_requirements

    requirements = tmp_path / "six.txt"
    requirements.write_text(f"pypi-attestations==0.0.19 --hash=sha256:{_sha256(ASSETS / SDIST)}\n" * 6)
    return read_requirements(requirements)


def test_fetching_goes_on_while_files_are_verified(index: LocalIndex, tmp_path: Path) -> None:
    from pyprov.posture import dependency_posture

    later = _Later()
    try:
        report = dependency_posture(_six_downloads(tmp_path), later, index_url=index.url, jobs=2)
    finally:
        later.close()

    assert later.most > 2  # more files handed over than threads: none waited for its answer
    assert [_verified(item) for item in report.items] == ["yes"] * 6
    assert index.requests.count(f"/files/{SDIST}") == 6


def test_files_waiting_to_be_verified_are_bounded_in_bytes(
    index: LocalIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyprov.posture import dependencies, dependency_posture

    monkeypatch.setattr(dependencies, "MAX_UNVERIFIED_BYTES", 1)
    downloaded: list[Path] = []
    later = _Later()
    answer = later.submit

    def submit(path: Path, provenance: bytes) -> Future[list[Any]]:
        downloaded.append(path)
        return answer(path, provenance)

    later.submit = submit  # type: ignore[method-assign]
    try:
        report = dependency_posture(_six_downloads(tmp_path), later, index_url=index.url, jobs=2)
    finally:
        later.close()

    # Over the limit, a thread waits before fetching: at most one file per thread waits.
    assert later.most <= 2
    assert [_verified(item) for item in report.items] == ["yes"] * 6
    assert not any(path.exists() for path in downloaded)  # each deleted once verified


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's niceness is set on Linux only")
@pytest.mark.parametrize("elsewhere", [True, False])
def test_fetching_threads_give_way_to_a_verifying_process(
    index: LocalIndex, tmp_path: Path, elsewhere: bool
) -> None:
    from pyprov.posture import dependencies, dependency_posture

    later = _Later(elsewhere=elsewhere)
    try:
        dependency_posture(_six_downloads(tmp_path), later, index_url=index.url, jobs=2)
    finally:
        later.close()

    here = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    lowered = min(here + dependencies.FETCHING_NICENESS, 19)  # 19: the lowest priority there is
    # In this process, a verifier is the fetching thread itself: nothing to give way to.
    assert later.niceness == ({lowered} if elsewhere else {here})
