"""The SBOM of an installed environment (a venv's interpreter): every distribution, its graph."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.lifecycle import LifecyclePhase
from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

from pyprov._internal.process import ToolError, run_tool
from pyprov.sbom.bundled import Grafts, bundled_components, file_component
from pyprov.sbom.cyclonedx import DocumentParts, contents_properties, distribution_component, serial_number
from pyprov.sbom.metadata import copyright_notices, parse_metadata
from pyprov.sbom.model import Contents, SbomError
from pyprov.sbom.purl import normalise, pypi_purl
from pyprov.sbom.validation import SpecVersion
from pyprov.sbom.wheel import embedded_sbom, parse_record, with_notices

_SCRIPT = Path(__file__).with_name("_environment_script.py")
TIMEOUT = 300


@dataclass(frozen=True, slots=True, kw_only=True)
class Environment:
    """What an interpreter has installed, read by its own ``importlib.metadata``."""

    python: str
    markers: Mapping[str, str]
    """PEP 508 marker environment of the interpreter."""
    distributions: tuple[Contents, ...]
    """Sorted by normalised name."""


def read_environment(python: Path, *, files: bool = False) -> Environment:
    """Run ``python`` to list its distributions; raise :class:`SbomError` if it cannot."""
    if not python.exists():
        raise SbomError(f"no interpreter at {python}", hint="pass --python the path of a venv's bin/python")
    try:
        done = run_tool([str(python), "-I", str(_SCRIPT)], timeout=TIMEOUT)
    except ToolError as error:
        raise SbomError(f"{python} could not list its distributions: {error}") from error
    if not done.ok:
        detail = done.last_error_line() if done.stderr.strip() else f"exit status {done.status}"
        raise SbomError(f"{python} could not list its distributions: {detail}")
    try:
        listed = json.loads(done.stdout)
    except (ValueError, RecursionError) as error:
        raise SbomError(f"{python} could not list its distributions: {error}") from error
    if not isinstance(listed, dict):
        raise SbomError(f"{python} could not list its distributions: unexpected output")
    found = [_contents(item, files=files) for item in listed.get("distributions", ())]
    return Environment(
        python=str(python),
        markers={str(k): str(v) for k, v in listed.get("markers", {}).items()},
        distributions=tuple(sorted(found, key=lambda c: normalise(c.distribution.name))),
    )


def _decode(value: object, where: str) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SbomError(f"unreadable inventory output for {where}") from error


def _contents(item: Mapping[str, Any], *, files: bool) -> Contents:
    directory = str(item.get("directory", "?"))
    metadata = _decode(item.get("metadata"), directory) or b""
    distribution, warnings = parse_metadata(metadata, f"{directory}/METADATA")
    record_bytes = _decode(item.get("record"), directory)
    record = parse_record(record_bytes, f"{directory}/RECORD", warnings) if record_bytes is not None else {}
    sboms = []
    for path, encoded in sorted((item.get("sboms") or {}).items()):
        data = _decode(encoded, path)
        if data is None:
            warnings.append(f"embedded SBOM {path} is unreadable or too large: left out")
            continue
        sboms.append(embedded_sbom(path, data, warnings))
    direct = _decode(item.get("directUrl"), directory)
    wheel = _decode(item.get("wheel"), directory)
    notices: list[str] = []
    licence_files = item.get("licenses")
    for path, encoded in sorted(licence_files.items() if isinstance(licence_files, dict) else ()):
        data = _decode(encoded, f"{directory}/{path}")
        if data is not None:
            notices.extend(copyright_notices(data.decode("utf-8", errors="replace")))
    return Contents(
        distribution=with_notices(distribution, notices),
        files=tuple(record[name] for name in sorted(record)) if files else (),
        sboms=tuple(sboms),
        warnings=tuple(warnings),
        record_sha256=hashlib.sha256(record_bytes).hexdigest() if record_bytes is not None else None,
        direct_url=direct.decode("utf-8", errors="replace") if direct else None,
        wheel_tags=_wheel_tags(wheel) if wheel else (),
    )


def _wheel_tags(data: bytes) -> tuple[str, ...]:
    """The ``Tag:`` values of a ``WHEEL`` file (RFC 822 style), in order."""
    tags = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "tag" and value.strip():
            tags.append(value.strip())
    return tuple(tags)


def environment_purl(contents: Contents) -> str | None:
    """The purl cyclonedx-py gives too: qualifiers from ``direct_url.json``, none for local paths."""
    distribution = contents.distribution
    qualifiers: dict[str, str] = {}
    subpath = None
    if contents.direct_url:
        try:
            data = json.loads(contents.direct_url)
        except ValueError:
            data = {}
        url = data.get("url") if isinstance(data, dict) else None
        if isinstance(url, str) and url:
            if url.startswith("file://"):
                return None
            subpath = data.get("subdirectory") or None
            vcs = data.get("vcs_info")
            if isinstance(vcs, dict):
                qualifiers["vcs_url"] = f"{vcs.get('vcs')}+{url}@{vcs.get('commit_id')}"
            elif "archive_info" in data and "://files.pythonhosted.org/" not in url:
                qualifiers["download_url"] = url
    return pypi_purl(distribution.name, distribution.version, qualifiers=qualifiers, subpath=subpath)


def _depends(contents: Contents, installed: Mapping[str, str], markers: Mapping[str, str]) -> list[str]:
    targets = []
    for requirement in contents.distribution.requires:
        target = installed.get(normalise(requirement.name))
        if target is None or target == installed.get(normalise(contents.distribution.name)):
            continue
        if requirement.marker:
            try:
                if not Marker(requirement.marker).evaluate({**markers, "extra": ""}):
                    continue
            except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
                continue
        targets.append(target)
    return targets


def describe_environment(
    environment: Environment, *, spec: SpecVersion, timestamp: datetime | None, tool_version: str
) -> DocumentParts:
    """Every distribution, the graph from Requires-Dist (markers evaluated), their PEP 770 SBOMs."""
    refs = {
        normalise(c.distribution.name): f"{c.distribution.name}=={c.distribution.version}"
        for c in environment.distributions
    }
    components: list[Component] = []
    dependencies: dict[str, list[str]] = {}
    warnings: list[str] = []
    grafts: Grafts = {}
    for contents in environment.distributions:
        ref = refs[normalise(contents.distribution.name)]
        warnings.extend(contents.warnings)
        nested = bundled_components(contents, f"{ref}#bundled", warnings, grafts)
        nested += [file_component(entry, f"{ref}#file", ComponentType.FILE) for entry in contents.files]
        purl = environment_purl(contents)
        components.append(
            distribution_component(
                contents.distribution,
                bom_ref=ref,
                purl=purl,
                properties=contents_properties(contents),
                nested=nested,
                warnings=warnings,
            )
        )
        dependencies[ref] = _depends(contents, refs, environment.markers)
    digest = hashlib.sha256(
        "\n".join(
            f"{c.distribution.name}=={c.distribution.version} {c.record_sha256}"
            for c in environment.distributions
        ).encode()
    ).hexdigest()
    return DocumentParts(
        spec=spec,
        serial=serial_number(digest),
        timestamp=timestamp,
        tool_version=tool_version,
        components=components,
        dependencies=dependencies,
        lifecycle=LifecyclePhase.OPERATIONS,
        warnings=warnings,
        grafts=grafts,
    )
