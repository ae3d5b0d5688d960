"""``pyprov rebuild`` refusing what it cannot rebuild: one line, exit 2, nothing written."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from click.testing import CliRunner

from pyprov._cli import main
from tests.rebuild.test_compare import make_wheel

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "rebuild"


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["rebuild", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_manylinux_wheel_needs_its_image(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    status, out, err = run_cli(str(wheel), "--source", str(tmp_path))
    assert status == 2
    assert out == ""
    assert err.splitlines() == [
        (
            f"error: cannot rebuild {wheel.name} here: "
            "it is built for manylinux2014_x86_64, manylinux_2_17_x86_64"
        ),
        "hint: a platform wheel is rebuilt in the image it was built in (e.g. the manylinux image)",
    ]


def test_a_wheel_with_a_member_outside_the_archive_is_refused_before_anything_runs(tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("../../etc/cron.d/evil", b"* * * * * root sh\n")
    status, _, err = run_cli(str(wheel), "--source", str(tmp_path), "--keep", str(tmp_path / "kept"))
    assert status == 2
    unsafe = "unsafe member name in archive: '../../etc/cron.d/evil'"
    assert err == f"error: cannot read demo-1.0-py3-none-any.whl: {unsafe}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [wheel.name]


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "demo-1.0-py3-none-any.whl"
    os.mkfifo(fifo)
    status, _, err = run_cli(str(fifo), "--source", str(tmp_path))
    assert status == 2
    assert err == f"error: no such file: {fifo}\n"


def test_an_sdist_is_not_rebuilt_from_an_sdist() -> None:
    sdist = ASSETS / "six-1.17.0.tar.gz"
    status, _, err = run_cli(str(sdist), "--source", str(sdist))
    assert status == 2
    assert err == "error: an sdist is rebuilt from a source directory or a git revision, not from an sdist\n"


def test_a_bad_pin_and_a_bad_source_are_one_line_each() -> None:
    wheel = ASSETS / "six-1.17.0-py2.py3-none-any.whl"
    status, _, err = run_cli(
        str(wheel), "--source", str(ASSETS / "six-1.17.0.tar.gz"), "--pin", "setuptools>=70"
    )
    assert (status, err) == (2, "error: --pin wants NAME==VERSION, not 'setuptools>=70'\n")
    status, _, err = run_cli(str(wheel), "--source", "nowhere")
    assert status == 2
    assert err.splitlines()[0] == "error: cannot use 'nowhere' as a source"


def test_a_build_record_that_is_not_json_is_refused(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text("{not json")
    wheel = ASSETS / "six-1.17.0-py2.py3-none-any.whl"
    status, _, err = run_cli(str(wheel), "--provenance", str(record))
    assert status == 2
    assert err.startswith(f"error: {record} is not a pyprov build record: ")
    record.write_text(json.dumps({"recordType": "something else"}))
    status, _, err = run_cli(str(wheel), "--provenance", str(record))
    assert err == (
        f"error: {record} is not a pyprov build record: "
        "not a pyprov build record: recordType is 'something else'\n"
    )
