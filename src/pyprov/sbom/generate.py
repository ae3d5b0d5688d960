"""``pyprov sbom``: the SBOM of a wheel, an sdist or an environment pyprov did not build."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pyprov.sbom.artifact import describe_file
from pyprov.sbom.cyclonedx import build_document, timestamp_from
from pyprov.sbom.environment import describe_environment, read_environment
from pyprov.sbom.model import SbomError
from pyprov.sbom.quality import Gap, Profile, minimum_element_gaps
from pyprov.sbom.spdx import render_spdx
from pyprov.sbom.validation import SpecVersion, validate_cyclonedx

OutputFormat = Literal["cyclonedx", "spdx", "spdx3"]
"""CycloneDX JSON, SPDX 2.3 JSON, or SPDX 3.0.1 JSON-LD."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SbomResult:
    """A generated, validated SBOM and the warnings met while reading the input."""

    content: bytes
    format: OutputFormat
    warnings: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()
    """Minimum elements the document lacks, when a profile was given to check."""


def generate_sbom(
    path: Path | None = None,
    *,
    python: Path | None = None,
    spec: SpecVersion = "1.6",
    output_format: OutputFormat = "cyclonedx",
    files: bool = False,
    source_date_epoch: int | None = None,
    now: datetime | None = None,
    check: Profile | None = None,
) -> SbomResult:
    """Describe the wheel or sdist at ``path``, or the environment of the interpreter ``python``.

    Exactly one of them is given; a ``path`` that is a virtual environment's directory
    stands for its interpreter. The timestamp is ``source_date_epoch`` when set, else
    ``now``. With ``check``, the result lists the minimum elements of that profile the
    document lacks (see :mod:`pyprov.sbom.quality`). Raises
    :class:`~pyprov.sbom.model.SbomError` for unusable input.
    """
    from pyprov import __version__  # noqa: PLC0415

    if (path is None) == (python is None):
        raise SbomError("give either a wheel/sdist path or --python, not both or neither")
    if path is not None and path.is_dir():
        python, path = venv_interpreter(path), None
    # An SPDX 3 document of a wheel or sdist lists its files, as pyprov build writes it: that the
    # artifact contains them is the composition relationship it truthfully has.
    files = files or (output_format == "spdx3" and path is not None)
    timestamp = timestamp_from(source_date_epoch, now or datetime.now(timezone.utc))
    if python is not None:
        environment = read_environment(python, files=files)
        parts = describe_environment(environment, spec=spec, timestamp=timestamp, tool_version=__version__)
        name = f"environment of {python}"
    else:
        assert path is not None  # noqa: S101 - checked above
        if not path.is_file():
            raise SbomError(f"{path} is not a file", hint="pass a wheel (.whl) or an sdist (.tar.gz)")
        parts = describe_file(path, spec=spec, files=files, timestamp=timestamp)
        name = path.name
    document = build_document(parts)
    validate_cyclonedx(document, spec)
    warnings = tuple(sorted(set(parts.warnings)))
    gaps = minimum_element_gaps(document, check) if check else ()
    if output_format == "spdx":
        content = render_spdx(document, name=name)
        return SbomResult(content=content, format="spdx", warnings=warnings, gaps=gaps)
    if output_format == "spdx3":
        from pyprov.sbom.spdx3 import render_spdx3  # noqa: PLC0415 - the SPDX 3 bindings: only when asked

        content = render_spdx3(document, name=name)
        return SbomResult(content=content, format="spdx3", warnings=warnings, gaps=gaps)
    return SbomResult(content=_dump(document), format="cyclonedx", warnings=warnings, gaps=gaps)


def venv_interpreter(directory: Path) -> Path:
    """The interpreter of the virtual environment ``directory`` (as ``cyclonedx-py environment`` takes it)."""
    if not (directory / "pyvenv.cfg").is_file():
        raise SbomError(
            f"{directory} is a directory but not a virtual environment (no pyvenv.cfg)",
            hint="pass a wheel, an sdist, a venv directory or --python PATH/TO/python",
        )
    for candidate in (directory / "bin" / "python", directory / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    raise SbomError(f"{directory} is a virtual environment without bin/python")


def _dump(document: dict[str, Any]) -> bytes:
    import json  # noqa: PLC0415

    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
