"""Real outputs of every kind pyprov writes or reads, made once per session.

- a real ``pyprov build --no-isolation`` of the hatchling fixture (hatchling is in the
  test environment, so no index is needed): ``.build.json``, ``.cdx.json``,
  ``.spdx.json``, ``.intoto.json``;
- a real ``record_run``: ``.run.json``;
- a release signed against the local Sigstore instance: ``.sigstore.json``,
  ``.intoto.sigstore.json``, ``.cdx.sigstore.json``, ``.slsa.attestation``;
- the recorded real PyPI files in tests/assets/pep740: ``.provenance``,
  ``.publish.attestation`` and a ``.sigstore`` bundle.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pyprov._cli import main
from pyprov.run import RunOptions, record_run
from pyprov.testing.sigstore import LocalSigstore
from tests.conftest import copy_fixture
from tests.verify._release import WORKFLOW, Signer, write_release

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "tests" / "assets" / "pep740"


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("NO_COLOR", "1")
    for name in list(os.environ):
        if name.startswith(("PYPROV_", "SIGSTORE_")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSigstore]:
    with LocalSigstore(tmp_path_factory.mktemp("instance")) as running:
        yield running


@pytest.fixture(scope="session")
def outputs(tmp_path_factory: pytest.TempPathFactory, instance: LocalSigstore) -> dict[str, Path]:
    """Suffix -> one real file of that kind."""
    root = tmp_path_factory.mktemp("outputs")
    source = copy_fixture("hatchling-pure", root / "project", git_init=True)
    built = CliRunner().invoke(main, ["build", "-w", "-n", "--sbom-format", "both", "-q", str(source)])
    assert built.exit_code == 0, built.output
    (wheel,) = (source / "dist").iterdir()
    evidence = source / "evidence"
    found = {
        suffix: evidence / f"{wheel.name}{suffix}"
        for suffix in (".build.json", ".cdx.json", ".spdx.json", ".intoto.json")
    }
    workdir = root / "run"
    workdir.mkdir()
    script = "import os; os.makedirs('out', exist_ok=True); open('out/product.txt', 'w').write('made')"
    record_run(RunOptions(command=(sys.executable, "-c", script), products=("out/*",), workdir=workdir))
    found[".run.json"] = workdir / "evidence" / "product.txt.run.json"
    dist = write_release(Signer(instance, instance.github_token(WORKFLOW)), root / "release")
    signed = dist.parent / "evidence"
    for suffix in (".sigstore.json", ".intoto.sigstore.json", ".cdx.sigstore.json"):
        found[suffix] = signed / f"widget-1.0.tar.gz{suffix}"
    found[".slsa.attestation"] = dist / "widget-1.0.tar.gz.slsa.attestation"
    pep740 = shutil.copytree(ASSETS, root / "pep740")
    found[".provenance"] = pep740 / "pypi_attestations-0.0.19.tar.gz.provenance"
    found[".publish.attestation"] = pep740 / "pypi_attestations-0.0.19.tar.gz.publish.attestation"
    found[".sigstore"] = pep740 / "rfc8785-0.1.2-py3-none-any.whl.sigstore"
    for suffix, path in found.items():
        assert path.is_file(), (suffix, path)
    return found
