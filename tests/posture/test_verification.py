"""Where a dependency report verifies: the worker process, with real provenance and real processes.

The provenance is the real PyPI provenance of pypi-attestations 0.0.19 (tests/assets/pep740,
signed on Sigstore's production instance), verified offline with the embedded trusted root.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyprov.errors import ProjectError
from pyprov.posture.verification import LocalVerification, WorkerVerification, start_verification
from pyprov.verify.trust import TrustSource

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "pep740"
SDIST = "pypi_attestations-0.0.19.tar.gz"
OFFLINE = TrustSource(kind="production", offline=True)

REPORT = """
import json, sys
from pathlib import Path
from pyprov.posture.dependencies import dependency_posture, read_requirements
from pyprov.testing.index import LocalIndex
from pyprov.verify.trust import TrustSource

served, requirements = Path(sys.argv[1]), Path(sys.argv[2])
with LocalIndex(served) as index:
    report = dependency_posture(
        read_requirements(requirements), TrustSource(kind="production", offline=True), index_url=index.url
    )
facts = {fact.property: fact.status for fact in report.items[0].facts}
print(json.dumps({"verified": facts["verified"], "sigstore here": "sigstore" in sys.modules}))
"""


def test_a_report_verifies_in_the_worker_not_in_the_fetching_process(tmp_path: Path) -> None:
    served = tmp_path / "index"
    served.mkdir()
    for name in (SDIST, f"{SDIST}.provenance"):
        shutil.copy(ASSETS / name, served / name)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pypi-attestations==0.0.19\n")

    # A script without a __main__ guard: the worker is a new interpreter, not a re-run of it.
    done = subprocess.run(
        [sys.executable, "-c", REPORT, str(served), str(requirements)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"verified": "yes", "sigstore here": False}


@pytest.fixture
def sdist(tmp_path: Path) -> Path:
    """The real sdist, its provenance saved beside it (as a dependency report saves it)."""
    shutil.copy(ASSETS / f"{SDIST}.provenance", tmp_path / f"{SDIST}.provenance")
    return Path(shutil.copy(ASSETS / SDIST, tmp_path / SDIST))


def test_the_worker_gives_the_facts_the_process_would(sdist: Path) -> None:
    provenance = sdist.with_name(f"{SDIST}.provenance").read_bytes()
    worker, local = start_verification(OFFLINE), LocalVerification(OFFLINE)
    assert isinstance(worker, WorkerVerification)
    try:
        assert worker.description("unused") == "unused"  # nothing verified yet
        facts = worker.submit(sdist, provenance).result()
        assert facts == local.submit(sdist, provenance).result()
        assert [fact.status for fact in facts] == ["yes", "yes", "yes"]
        assert worker.description("unused") == local.description("unused")
        assert worker.notes() == local.notes() != ()
    finally:
        worker.close()


def test_a_worker_that_died_is_one_clear_error(sdist: Path) -> None:
    worker = WorkerVerification(OFFLINE)
    try:
        worker._process.kill()
        worker._process.wait()
        with pytest.raises(ProjectError, match=r"^the verifying process stopped: "):
            worker.submit(sdist, b"").result(timeout=60)
    finally:
        worker.close()


def test_requests_wait_in_the_worker_and_a_death_fails_every_one(sdist: Path) -> None:
    worker = WorkerVerification(OFFLINE)
    try:
        # Written at once, answered in order: nobody waits for an answer to ask again.
        answers = [worker.submit(sdist, b"") for _ in range(20)]
        assert [fact.status for fact in answers[-1].result(timeout=120)] == ["yes", "yes", "yes"]
        assert all(answer.done() for answer in answers)

        waiting = [worker.submit(sdist, b"") for _ in range(200)]
        worker._process.kill()
        failed = [answer.exception(timeout=60) for answer in waiting]
        # Those answered before the kill are facts; every other one the same one-line error.
        errors = {str(error) for error in failed if error is not None}
        assert len(errors) == 1
        assert errors.pop().startswith("the verifying process stopped: ")
        assert worker.submit(sdist, b"").exception(timeout=60) is not None
    finally:
        worker.close()
