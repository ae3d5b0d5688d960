"""CycloneDX ``formulation``: how an artifact was made, from pyprov's build record.

cyclonedx-python-lib does not model formulation, so this module builds its JSON form,
which :mod:`pyprov.sbom.cyclonedx` adds to the serialised document before validating it.
One formula holds the build environment's distributions as components and one workflow:
its inputs are the source and those distributions, its steps the backend hooks that
ran, its output the artifact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pyprov.record import BuildEnvironment, DistributionKind, Source
from pyprov.sbom.cyclonedx import index_supplier
from pyprov.sbom.purl import pypi_purl

_REF = "pyprov:build"


@dataclass(frozen=True, slots=True, kw_only=True)
class FormulationInput:
    """What the formulation of one build needs besides its :class:`BuildEnvironment`."""

    kind: DistributionKind
    name: str
    version: str
    artifact_ref: str
    """bom-ref of the artifact's component (the workflow's output)."""
    source: Source | None = None
    supplier: dict[str, Any] | None = None
    """CycloneDX ``supplier`` of the artifact, which is also the sdist's."""
    started_on: str | None = None
    finished_on: str | None = None
    """Times of the build; leave them out for byte-identical documents."""


def build_environment_ref(name: str) -> str:
    """bom-ref of a build environment distribution's component."""
    return f"{_REF}:environment:{name.lower()}"


def formulation(environment: BuildEnvironment, build: FormulationInput) -> list[dict[str, Any]]:
    """Return the ``formulation`` array of a CycloneDX (>= 1.5) document."""
    components = [_environment_component(item) for item in environment.installed]
    inputs: list[dict[str, Any]] = []
    source = build.source
    sdist = source.sdist if source else None
    if sdist is not None:
        sdist_ref = f"{_REF}:source:{sdist.filename}"
        components.append(
            {
                "type": "file",
                "bom-ref": sdist_ref,
                "name": sdist.filename,
                "version": build.version,
                "purl": pypi_purl(build.name, build.version, file_name=sdist.filename),
                "hashes": [{"alg": "SHA-256", "content": sdist.sha256}],
                "description": "the sdist this wheel was built from",
                "supplier": build.supplier or index_supplier(),
            }
        )
        inputs.append({"resource": {"ref": sdist_ref}})
    parameters = _source_parameters(source)
    if parameters:
        inputs.append({"parameters": parameters})
    inputs.extend(
        {"resource": {"ref": component["bom-ref"]}}
        for component in components
        if component["bom-ref"].startswith(f"{_REF}:environment:")
    )
    workflow: dict[str, Any] = {
        "bom-ref": f"{_REF}:workflow:{build.kind}",
        "uid": f"pyprov-build-{build.kind}",
        "name": f"PEP 517 build of the {build.kind}",
        "description": f"{environment.backend} run through pypa/build "
        + (
            f"in an isolated environment ({environment.installer})"
            if environment.isolated
            else "without isolation"
        ),
        "taskTypes": ["build"],
        "steps": _steps(environment, build.kind),
        "inputs": inputs,
        "outputs": [{"type": "artifact", "resource": {"ref": build.artifact_ref}}],
        "properties": _properties(environment),
    }
    if build.started_on and build.finished_on:
        workflow["timeStart"], workflow["timeEnd"] = build.started_on, build.finished_on
    return [
        {
            "bom-ref": f"{_REF}:formula:{build.kind}",
            "components": sorted(components, key=lambda c: str(c["bom-ref"])),
            "workflows": [workflow],
        }
    ]


def _environment_component(item: Any) -> dict[str, Any]:  # noqa: ANN401 - record.InstalledDistribution
    component: dict[str, Any] = {
        "type": "library",
        "bom-ref": build_environment_ref(item.name),
        "name": item.name,
        "version": item.version,
        "purl": pypi_purl(item.name, item.version),
        "scope": "excluded",
        "supplier": _index_of(item.url),
    }
    if item.wheel_sha256:
        component["hashes"] = [{"alg": "SHA-256", "content": item.wheel_sha256}]
    # Not the RECORD digest of the build record: RECORD lists console scripts whose
    # shebang names the (temporary) environment, so it differs on every build.
    properties = []
    if item.url:
        properties.append({"name": "pyprov:download:url", "value": item.url})
    if properties:
        component["properties"] = properties
    return component


def _index_of(url: str | None) -> dict[str, Any]:
    """The supplier of a build dependency: the index it was downloaded from (its metadata is not kept)."""
    host = urlsplit(url).hostname if url else None
    if host is None or host in {"files.pythonhosted.org", "pypi.org"}:
        return index_supplier()
    return {"name": host, "url": [f"https://{host}/"]}


def _source_parameters(source: Source | None) -> list[dict[str, str]]:
    if source is None or source.git is None:
        return []
    git = source.git
    parameters = [{"name": "git.commit", "value": git.commit, "dataType": "string"}]
    if git.remote:
        parameters.append({"name": "git.remote", "value": git.remote, "dataType": "string"})
    if git.ref:
        parameters.append({"name": "git.ref", "value": git.ref, "dataType": "string"})
    if git.subdirectory:
        parameters.append({"name": "git.subdirectory", "value": git.subdirectory, "dataType": "string"})
    parameters.append({"name": "git.dirty", "value": str(git.dirty).lower(), "dataType": "boolean"})
    return parameters


def _steps(environment: BuildEnvironment, kind: DistributionKind) -> list[dict[str, Any]]:
    backend = environment.backend
    steps: list[dict[str, Any]] = []
    if environment.isolated and environment.build_system_requires:
        steps.append(
            {
                "name": "install build-system.requires",
                "commands": [
                    {
                        "executed": f"{environment.installer} install "
                        + " ".join(environment.build_system_requires)
                    }
                ],
            }
        )
    steps.append(
        {
            "name": f"get_requires_for_build_{kind}",
            "description": "PEP 517 hook: the backend's own build requirements",
            "commands": [{"executed": f"{backend}.get_requires_for_build_{kind}(config_settings)"}],
        }
    )
    if environment.isolated and environment.backend_requires:
        steps.append(
            {
                "name": "install backend requirements",
                "commands": [
                    {"executed": f"{environment.installer} install " + " ".join(environment.backend_requires)}
                ],
            }
        )
    steps.append(
        {
            "name": f"build_{kind}",
            "description": "PEP 517 hook: build the distribution",
            "commands": [{"executed": f"{backend}.build_{kind}(output_directory, config_settings)"}],
        }
    )
    return steps


def _properties(environment: BuildEnvironment) -> list[dict[str, str]]:
    properties = [
        {"name": "pyprov:build:backend", "value": environment.backend},
        {"name": "pyprov:build:isolated", "value": str(environment.isolated).lower()},
    ]
    if environment.installer:
        properties.append({"name": "pyprov:build:installer", "value": environment.installer})
    properties.extend({"name": "pyprov:build:backend-path", "value": p} for p in environment.backend_path)
    properties.extend(
        {"name": "pyprov:build:requires", "value": r} for r in environment.build_system_requires
    )
    properties.extend(
        {"name": "pyprov:build:backend-requires", "value": r} for r in environment.backend_requires
    )
    return properties
