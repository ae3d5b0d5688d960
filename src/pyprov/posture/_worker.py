"""The worker process of :class:`pyprov.posture.verification.WorkerVerification`.

Reads JSON lines on stdin: first the trust source (``kind``, ``path``, ``offline``), then
requests: ``{"path": FILE}`` (FILE's provenance saved beside it as ``FILE.provenance``)
answered with ``{"facts": [[property, status, value], ...]}``, or ``{"describe": true}``
answered with the trust root's description. An error is ``{"error": {"message", "hint",
"trust"}}``; ``trust`` is true when the trust root could not be loaded. Nothing else is
written to stdout.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from pyprov._internal.untrusted import UntrustedInputError, read_untrusted
from pyprov.errors import ProjectError
from pyprov.posture.provenance import provenance_facts
from pyprov.verify.discovery import MAX_EVIDENCE_BYTES
from pyprov.verify.trust import Trust, TrustSource, load_trust


def main() -> None:
    """Serve requests until stdin closes."""
    stdout = sys.stdout.buffer
    sys.stdout = sys.stderr  # whatever a library prints goes elsewhere than the answers
    first = json.loads(sys.stdin.buffer.readline() or "{}")
    source = TrustSource(
        kind=first.get("kind", "production"),
        path=Path(first["path"]) if first.get("path") else None,
        offline=bool(first.get("offline")),
    )
    loaded: Trust | ProjectError
    try:
        from pyprov.verify.artifacts import verify_artifacts  # noqa: F401, PLC0415 - while the caller fetches

        loaded = load_trust(source)
    except ProjectError as error:
        loaded = error

    def trust() -> Trust:
        if isinstance(loaded, ProjectError):
            raise _NoTrustRootError(loaded)
        return loaded

    for line in sys.stdin.buffer:
        request = json.loads(line)
        try:
            if request.get("describe"):
                answer: dict[str, object] = {"description": trust().description}
            else:
                path = Path(request["path"])
                provenance = read_untrusted(
                    path.parent / f"{path.name}.provenance", limit=MAX_EVIDENCE_BYTES, what="a provenance"
                )
                facts = provenance_facts(path, provenance, trust)
                answer = {"facts": [[fact.property, fact.status, fact.value] for fact in facts]}
        except _NoTrustRootError as failure:
            answer = {"error": {"message": failure.error.message, "hint": failure.error.hint, "trust": True}}
        except (ProjectError, UntrustedInputError) as error:
            answer = {
                "error": {"message": error.message, "hint": getattr(error, "hint", None), "trust": False}
            }
        stdout.write(json.dumps(answer).encode() + b"\n")
        stdout.flush()


class _NoTrustRootError(Exception):
    def __init__(self, error: ProjectError) -> None:
        super().__init__(error.message)
        self.error = error


if __name__ == "__main__":
    main()
    # Every answer is written and flushed, and nothing else is owed to anyone: skip the
    # interpreter's teardown (a fifth of a second with sigstore loaded), which the caller waits for.
    sys.stderr.flush()
    os._exit(0)
