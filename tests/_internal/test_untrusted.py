"""The one reader of untrusted files, and the depth-bounded JSON and TOML loaders."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from pyprov._internal.untrusted import (
    MAX_JSON_DEPTH,
    UntrustedInputError,
    load_json,
    load_toml,
    open_untrusted,
    read_untrusted,
    read_untrusted_text,
)


def test_reads_a_regular_file_within_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b"12345")
    assert read_untrusted(path, limit=5) == b"12345"
    with pytest.raises(UntrustedInputError) as raised:
        read_untrusted(path, limit=4, what="a statement")
    assert raised.value.message == f"{path}: larger than 4 bytes (5 bytes): not read as a statement"
    assert raised.value.exit_code == 2


def test_a_fifo_is_refused_before_reading_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            read_untrusted(fifo, limit=10)
        except UntrustedInputError as error:
            errors.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "opening a FIFO blocked"
    (error,) = errors
    assert str(error) == f"not a regular file: {fifo}"


def test_missing_files_directories_and_devices(tmp_path: Path) -> None:
    with pytest.raises(UntrustedInputError, match=r"^cannot read .*nope: No such file or directory$"):
        read_untrusted(tmp_path / "nope", limit=10)
    with pytest.raises(UntrustedInputError, match="not a regular file"):
        read_untrusted(tmp_path, limit=10)
    with pytest.raises(UntrustedInputError, match="not a regular file"):
        read_untrusted(Path("/dev/zero"), limit=10)


def test_symlinks_are_followed_unless_refused(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text("x")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert read_untrusted(link, limit=10) == b"x"
    with pytest.raises(UntrustedInputError, match="cannot read"):
        read_untrusted(link, limit=10, follow_symlinks=False)


def test_streams_are_regular_files_only(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"a" * 100)
    with open_untrusted(path) as stream:
        assert stream.read() == b"a" * 100


def test_text_must_be_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1"
    path.write_bytes(b"caf\xe9")
    with pytest.raises(UntrustedInputError, match=r"not UTF-8 text: unexpected end of data at byte 3"):
        read_untrusted_text(path, limit=10)


def test_json_nesting_is_bounded() -> None:
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "x") is not None
    too_deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    with pytest.raises(
        UntrustedInputError, match=f"^x: not a document pyprov reads: nested deeper than {MAX_JSON_DEPTH}$"
    ):
        load_json(too_deep, "x")
    # Deeper than the interpreter's recursion limit: the same error, not a RecursionError.
    with pytest.raises(UntrustedInputError, match="nested deeper than"):
        load_json("[" * 100_000 + "]" * 100_000, "x")


def test_malformed_json_says_where() -> None:
    with pytest.raises(UntrustedInputError) as raised:
        load_json(b'{"a": }', "f.json")
    assert raised.value.message == "f.json is not JSON: Expecting value at line 1 column 7"
    with pytest.raises(UntrustedInputError, match=r"f\.json is not JSON: not UTF-8 text"):
        load_json(b'{"a": "\xff"}', "f.json")
    with pytest.raises(UntrustedInputError, match=r"f\.json is not JSON: Exceeds the limit"):
        load_json("1" * 5000, "f.json")


def test_toml_nesting_is_reported() -> None:
    assert load_toml("a = [[1], {b = 2}]\n", "lock")["a"] == [[1], {"b": 2}]
    with pytest.raises(UntrustedInputError, match=r"^lock: not a document pyprov reads: nested too deeply$"):
        load_toml("x = " + "[" * 5000 + "]" * 5000, "lock")
    with pytest.raises(UntrustedInputError, match=r"^lock is not a TOML file: "):
        load_toml("x = [", "lock")
