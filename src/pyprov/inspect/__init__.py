"""Every file pyprov writes or reads, summarised for people (what ``pyprov inspect`` shows).

``inspect_file(path)`` reads the file (bounded, never a FIFO), recognises its format from
its content, and returns an :class:`Inspection`: a title, sections of lines, and a
JSON-able summary. One module per family of formats:

- ``_sbom``: CycloneDX (``.cdx.json``), SPDX 2 JSON and SPDX 3 JSON-LD (``.spdx3.json``);
- ``_statement``: in-toto statements (``.intoto.json``), also inside signed evidence;
- ``_sigstore``: Sigstore bundles (``.sigstore.json``, ``.intoto.sigstore.json``,
  ``.cdx.sigstore.json``, CPython's ``.sigstore``), PEP 740 attestations
  (``.slsa.attestation``, ``.publish.attestation``) and PyPI ``.provenance`` objects;
- ``_record``: pyprov's build (``.build.json``) and run (``.run.json``) records.

Nothing is verified here; strings come from the file unescaped, so a renderer must
escape them (``pyprov._internal.terminal.printable``) before they reach a terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyprov._internal.untrusted import UntrustedInputError, load_json, read_untrusted
from pyprov.inspect.model import Inspection, Section

MAX_INSPECT_BYTES = 64 << 20
"""Files inspected are untrusted: a larger one is refused unread."""

FORMATS = (
    "CycloneDX or SPDX JSON SBOMs, in-toto statements, Sigstore bundles, "
    "PEP 740 attestations, PyPI provenance, pyprov build and run records"
)
"""What `inspect_file` reads, for messages."""


def inspect_file(path: Path) -> Inspection:
    """Read ``path`` and summarise it.

    Raises :class:`~pyprov.errors.ProjectError` (exit 2) for a file that cannot be read,
    is too large, is not JSON, or is of no format pyprov reads.
    """
    data = read_untrusted(path, limit=MAX_INSPECT_BYTES, what="a file")
    return inspect_document(data, path)


def inspect_document(data: bytes, where: Path | str) -> Inspection:  # noqa: PLR0911, PLR0912 - one per format
    """Summarise the JSON document ``data`` read from ``where`` (named in errors)."""
    from pyprov.inspect.record import inspect_record  # noqa: PLC0415
    from pyprov.inspect.sbom import inspect_cyclonedx, inspect_spdx, inspect_spdx3, is_spdx3  # noqa: PLC0415
    from pyprov.inspect.sigstore import (  # noqa: PLC0415
        BUNDLE_MEDIA_TYPE,
        inspect_attestation,
        inspect_bundle,
        inspect_provenance,
    )
    from pyprov.inspect.statement import (  # noqa: PLC0415
        statement_problems,
        statement_sections,
        statement_title,
    )
    from pyprov.provenance import STATEMENT_TYPE, check_statement  # noqa: PLC0415
    from pyprov.record import RECORD_TYPE  # noqa: PLC0415
    from pyprov.run.record import RUN_RECORD_TYPE  # noqa: PLC0415
    from pyprov.sbom import SbomError  # noqa: PLC0415

    document: Any = load_json(data, where)
    if not isinstance(document, dict):
        raise UntrustedInputError(
            where, f"not a file pyprov inspect reads: expected a JSON object ({FORMATS})"
        )
    if document.get("bomFormat") == "CycloneDX":
        try:
            return inspect_cyclonedx(data, document)
        except SbomError as error:
            raise UntrustedInputError(where, error.message) from error
    if str(document.get("spdxVersion", "")).startswith("SPDX-2"):
        return inspect_spdx(document)
    if is_spdx3(document):
        return inspect_spdx3(document)
    if document.get("_type") == STATEMENT_TYPE:
        try:
            check_statement(document)
        except ValueError as error:
            raise UntrustedInputError(where, f"not a valid in-toto statement: {error}") from error
        problems = statement_problems(document)
        if problems:
            raise UntrustedInputError(where, f"not a valid SLSA provenance: {'; '.join(problems)}")
        return Inspection(
            kind="in-toto statement",
            title=statement_title(document),
            sections=statement_sections(document),
            data=document,
        )
    if str(document.get("mediaType", "")).startswith(BUNDLE_MEDIA_TYPE):
        return inspect_bundle(document)
    if "attestation_bundles" in document:
        return inspect_provenance(document)
    if "envelope" in document and "verification_material" in document:
        return inspect_attestation(document)
    if document.get("recordType") == RECORD_TYPE:
        return inspect_record(document, "pyprov build record")
    if document.get("recordType") == RUN_RECORD_TYPE:
        return inspect_record(document, "pyprov run record")
    raise UntrustedInputError(where, f"not a file pyprov inspect reads ({FORMATS})")


__all__ = ["FORMATS", "MAX_INSPECT_BYTES", "Inspection", "Section", "inspect_document", "inspect_file"]
