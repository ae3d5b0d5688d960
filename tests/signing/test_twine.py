"""twine finds pyprov's PEP 740 attestations and sends them: a loopback upload endpoint records the form."""

from __future__ import annotations

import email.parser
import email.policy
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypi_attestations import Attestation

from pyprov.signing import SigningPolicy, sign_files


class _Recorder(BaseHTTPRequestHandler):
    uploads: list[dict[str, list[str]]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        )
        fields: dict[str, list[str]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if name == "content":  # the distribution itself: keep its file name
                fields.setdefault("content-filename", []).append(str(part.get_filename()))
                continue
            fields.setdefault(str(name), []).append(payload.decode(errors="replace") if payload else "")
        self.uploads.append(fields)
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upload_endpoint() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    uploads: list[dict[str, list[str]]] = []
    handler = type("Recorder", (_Recorder,), {"uploads": uploads})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/legacy/", uploads
    server.shutdown()
    server.server_close()


def test_twine_upload_sends_the_slsa_attestations(
    built: Path, policy: Callable[..., SigningPolicy], upload_endpoint: tuple[str, list[dict[str, list[str]]]]
) -> None:
    dist = built / "dist"
    sign_files(sorted(dist.iterdir()), policy())
    url, uploads = upload_endpoint
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr  # attestation files do not upset twine
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "upload",
            "--repository-url",
            url,
            "-u",
            "user",
            "-p",
            "password",
            "--non-interactive",
            "--disable-progress-bar",
            "--attestations",
            *map(str, sorted(dist.iterdir())),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(uploads) == 2
    for fields in uploads:
        (attestations,) = fields["attestations"]
        (sent,) = json.loads(attestations)
        attestation = Attestation.model_validate(sent)
        statement = json.loads(attestation.envelope.statement)
        assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
        (filename,) = fields["content-filename"]
        assert statement["subject"][0]["name"] == filename
        assert statement["subject"][0]["digest"]["sha256"] == fields["sha256_digest"][0]
