"""The test index (`pyprov.testing.index.LocalIndex`) as a client sees it over a real socket."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

import pytest

from pyprov.testing.index import LocalIndex


def test_a_client_that_resets_its_connection_leaves_no_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "big-1.0.tar.gz").write_bytes(b"\0" * (8 << 20))  # more than the socket buffers hold
    with LocalIndex(tmp_path) as index:
        host, port = index.url.split("/")[2].split(":")
        for _ in range(3):
            client = socket.create_connection((host, int(port)))
            client.sendall(b"GET /files/big-1.0.tar.gz HTTP/1.1\r\nHost: x\r\n\r\n")
            client.recv(1024)  # the server is writing the body
            # Closed with unread bytes and no lingering: a reset, as a client that gives up sends.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        time.sleep(0.5)  # the server's threads meet the reset
        assert index.requests == ["/files/big-1.0.tar.gz"] * 3

    assert capfd.readouterr().err == ""
