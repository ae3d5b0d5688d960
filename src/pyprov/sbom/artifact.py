"""The CycloneDX description of one distribution file: what pyprov built, or any wheel/sdist."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import Any

from cyclonedx.model.component import ComponentType

from pyprov._internal.hashing import hash_file
from pyprov.evidence import ArtifactContext
from pyprov.record import Digests
from pyprov.sbom.bundled import Grafts, bundled_components, file_component
from pyprov.sbom.cyclonedx import (
    DocumentParts,
    distribution_component,
    serial_number,
    supplier_json,
    timestamp_from,
)
from pyprov.sbom.formulation import FormulationInput, formulation
from pyprov.sbom.model import REQUIRES_DIST, Contents, Distribution
from pyprov.sbom.purl import pypi_purl
from pyprov.sbom.validation import SpecVersion
from pyprov.sbom.wheel import read_distribution


def requirement_properties(distribution: Distribution) -> list[tuple[str, str]]:
    """One ``pyprov:requires-dist`` property per ``Requires-Dist``, as the metadata declares it.

    A declared requirement is a range that the installer resolves later, not a component
    of the artifact: listing it as a component would give the SBOM components without a
    version (see docs/sbom.md, "Declared requirements").
    """
    return [(REQUIRES_DIST, requirement.raw) for requirement in distribution.requires]


def describe_contents(
    contents: Contents,
    *,
    filename: str,
    digests: Digests | None,
    spec: SpecVersion,
    tool_version: str,
    timestamp: datetime | None,
    formulation_data: list[dict[str, Any]] | None = None,
) -> DocumentParts:
    """The parts of the document describing ``contents`` read from the file ``filename``.

    ``digests`` are the file's (``None`` for an SBOM embedded in the file itself).
    """
    distribution = contents.distribution
    warnings = list(contents.warnings)
    root_ref = pypi_purl(distribution.name, distribution.version, file_name=filename)
    files = [file_component(entry, f"{root_ref}#file", ComponentType.FILE) for entry in contents.files]
    root = distribution_component(
        distribution,
        bom_ref=root_ref,
        purl=root_ref,
        digests=digests,
        nested=files,
        warnings=warnings,
        properties=requirement_properties(distribution),
    )
    grafts: Grafts = {}
    components = bundled_components(contents, f"{root_ref}#bundled", warnings, grafts)
    return DocumentParts(
        spec=spec,
        serial=serial_number(digests.sha256) if digests else None,
        timestamp=timestamp,
        tool_version=tool_version,
        root=root,
        components=components,
        dependencies={root_ref: [str(c.bom_ref.value) for c in components]},
        formulation=formulation_data,
        warnings=warnings,
        grafts=grafts,
    )


_READ_AHEAD_SLOTS = 8
_read_ahead: dict[tuple[Path, bool], tuple[tuple[int, int, int], Future[Contents]]] = {}
_read_ahead_lock = threading.Lock()


def _identity(path: Path) -> tuple[int, int, int]:
    found = path.stat()
    return found.st_ino, found.st_size, found.st_mtime_ns


def read_ahead(path: Path, *, files: bool) -> None:
    """Read the artifact ``path`` now, for a later :func:`describe_built_artifact` of the same file.

    ``build_project`` calls it on a thread for an artifact that is complete (the sdist while
    the wheel builds). The result is used only if the file is unchanged; a failure is left
    for the later call to raise.
    """
    future: Future[Contents] = Future()
    with _read_ahead_lock:
        if (path, files) in _read_ahead:
            return
        if len(_read_ahead) >= _READ_AHEAD_SLOTS:
            _read_ahead.pop(next(iter(_read_ahead)))
        try:
            _read_ahead[(path, files)] = (_identity(path), future)
        except OSError:
            return
    try:
        future.set_result(read_distribution(path, files=files))
    except BaseException as error:  # noqa: BLE001 - the caller of describe_built_artifact sees it again
        future.set_exception(error)


def _read(path: Path, *, files: bool) -> Contents:
    with _read_ahead_lock:
        entry = _read_ahead.get((path, files))
    if entry is not None:
        identity, future = entry
        try:
            if identity == _identity(path) and future.exception() is None:
                return future.result()
        except OSError:
            pass
    return read_distribution(path, files=files)


def describe_built_artifact(context: ArtifactContext, *, spec: SpecVersion, files: bool) -> DocumentParts:
    """The document of an artifact ``pyprov build`` just built, with its formulation."""
    record = context.record
    contents = _read(context.artifact, files=files)
    invocation = record.invocation
    distribution = contents.distribution
    root_ref = pypi_purl(distribution.name, distribution.version, file_name=record.artifact.filename)
    deterministic = invocation.source_date_epoch is not None
    data = formulation(
        record.environment,
        FormulationInput(
            kind=record.artifact.kind,
            name=distribution.name,
            version=distribution.version,
            artifact_ref=root_ref,
            source=record.source,
            supplier=supplier_json(distribution),
            started_on=None if deterministic else invocation.started_on,
            finished_on=None if deterministic else invocation.finished_on,
        ),
    )
    return describe_contents(
        contents,
        filename=record.artifact.filename,
        digests=record.artifact.digests,
        spec=spec,
        tool_version=invocation.pyprov_version,
        timestamp=timestamp_from(invocation.source_date_epoch, invocation.finished_on),
        formulation_data=data,
    )


def describe_file(path: Path, *, spec: SpecVersion, files: bool, timestamp: datetime) -> DocumentParts:
    """The document of any wheel or sdist (no build record, so no formulation)."""
    from pyprov import __version__  # noqa: PLC0415

    contents = read_distribution(path, files=files)
    return describe_contents(
        contents,
        filename=path.name,
        digests=hash_file(path),
        spec=spec,
        tool_version=__version__,
        timestamp=timestamp,
    )
