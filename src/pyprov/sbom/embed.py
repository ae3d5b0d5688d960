"""PEP 770: embed an SBOM of the build environment and bundled content into a built wheel.

The SBOM goes to ``<name>.dist-info/sboms/pyprov.cdx.json`` and is listed in ``RECORD``.
The wheel is rewritten member by member (same order, dates and compression) into a
temporary file beside it, then renamed over it: the artifact is never half-written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pyprov.evidence import ArtifactTransform
from pyprov.record import BuildEnvironment, DistributionKind
from pyprov.sbom.artifact import describe_contents
from pyprov.sbom.cyclonedx import build_document
from pyprov.sbom.formulation import FormulationInput, formulation
from pyprov.sbom.model import SbomError
from pyprov.sbom.purl import pypi_purl
from pyprov.sbom.validation import SpecVersion, validate_cyclonedx
from pyprov.sbom.wheel import dist_info_directory, read_member, read_wheel

EMBEDDED_NAME = "pyprov.cdx.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbedSbomTransform:
    """Adds ``.dist-info/sboms/pyprov.cdx.json`` to wheels, whatever the backend.

    The embedded document has no serial number (a wheel cannot hold its own hash) and a
    timestamp only with ``source_date_epoch``, so rebuilding gives the same wheel.
    """

    spec: SpecVersion = "1.6"
    source_date_epoch: int | None = None

    def applies_to(self, kind: DistributionKind) -> bool:
        """Wheels only: PEP 770 defines no place in sdists."""
        return kind == "wheel"

    def transform(self, artifact: Path, environment: BuildEnvironment) -> None:
        """Rewrite ``artifact`` with the SBOM embedded and RECORD updated (atomically)."""
        from pyprov import __version__  # noqa: PLC0415

        contents = read_wheel(artifact)
        distribution = contents.distribution
        root_ref = pypi_purl(distribution.name, distribution.version, file_name=artifact.name)
        data = formulation(
            environment,
            FormulationInput(
                kind="wheel",
                name=distribution.name,
                version=distribution.version,
                artifact_ref=root_ref,
            ),
        )
        timestamp = (
            datetime.fromtimestamp(self.source_date_epoch, tz=timezone.utc)
            if self.source_date_epoch is not None
            else None
        )
        parts = describe_contents(
            contents,
            filename=artifact.name,
            digests=None,
            spec=self.spec,
            tool_version=__version__,
            timestamp=timestamp,
            formulation_data=data,
        )
        document = build_document(parts)
        validate_cyclonedx(document, self.spec)
        content = (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
        embed(artifact, EMBEDDED_NAME, content)


def embed(wheel: Path, name: str, content: bytes) -> None:
    """Write ``content`` as ``<dist-info>/sboms/<name>`` in ``wheel`` (replacing any), RECORD updated."""
    try:
        with zipfile.ZipFile(wheel) as source:
            infos = source.infolist()
            dist_info = dist_info_directory({info.filename for info in infos}, wheel.name)
            target = f"{dist_info}/sboms/{name}"
            record_name = f"{dist_info}/RECORD"
            by_name = {info.filename: info for info in infos}
            if record_name not in by_name:
                raise SbomError(f"{wheel.name} has no {record_name}: cannot embed an SBOM")
            record = read_member(source, by_name[record_name], wheel.name).decode("utf-8")
            fd, temporary = tempfile.mkstemp(dir=wheel.parent, prefix=f".{wheel.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as stream, zipfile.ZipFile(stream, "w") as output:
                    for info in infos:
                        if info.filename in {target, record_name}:
                            continue
                        output.writestr(info, source.read(info))
                    template = by_name[record_name]
                    output.writestr(_like(template, target), content)
                    output.writestr(
                        _like(template, record_name), _record(record, target, content, record_name)
                    )
                Path(temporary).chmod(0o644)
                Path(temporary).replace(wheel)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as error:
        raise SbomError(f"cannot embed an SBOM in {wheel.name}: {error}") from error


def _like(template: zipfile.ZipInfo, name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=template.date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _record(record: str, target: str, content: bytes, record_name: str) -> bytes:
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
    lines = [
        line
        for line in record.splitlines()
        if line and not line.startswith((f"{target},", f"{record_name},"))
    ]
    lines += [f"{target},sha256={digest},{len(content)}", f"{record_name},,"]
    return ("\n".join(lines) + "\n").encode()


if TYPE_CHECKING:  # mypy checks that the transform implements the extension point
    _CHECK: ArtifactTransform = EmbedSbomTransform()
