"""``pyprov inspect FILE.intoto.json``: a statement rendered for people.

The statement is read with :func:`pyprov.provenance.load_statement` (which checks it);
this module only lays it out: subjects, source, build, builder, dependencies, level.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import click

from pyprov.provenance import BUILD_TYPE, LOCAL_BUILDER_ID, PREDICATE_TYPE, WORKFLOW_BUILD_TYPE

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UNVERIFIED = "claimed by the statement itself; `pyprov verify` establishes the level from its signature"


def render_statement(data: Mapping[str, Any], *, color: bool) -> str:
    """Return a checked statement (``load_statement``'s result) as text for a terminal or a log.

    ``color`` adds ANSI styles to headings; pass ``False`` when stdout is not a
    terminal or ``NO_COLOR`` is set.
    """
    data = _printable(data)

    def heading(text: str) -> str:
        return click.style(text, bold=True) if color else text

    lines = [f"{heading('in-toto statement')}  predicate {data.get('predicateType', '?')}", ""]
    lines += [heading("subject"), *_subjects(data.get("subject", []))]
    if data.get("predicateType") != PREDICATE_TYPE:
        lines += ["", "(not SLSA provenance v1: the predicate is not shown)"]
        return "\n".join(lines) + "\n"
    predicate: Mapping[str, Any] = data.get("predicate", {})
    definition: Mapping[str, Any] = predicate.get("buildDefinition", {})
    details: Mapping[str, Any] = predicate.get("runDetails", {})
    dependencies: list[Mapping[str, Any]] = list(definition.get("resolvedDependencies", []))
    sections: list[tuple[str, Callable[[], list[str]]]] = [
        ("source", lambda: _source(definition, dependencies)),
        ("build", lambda: _build(definition)),
        ("builder", lambda: _builder(details)),
        (f"build dependencies ({len(_environment(dependencies))})", lambda: _dependencies(dependencies)),
        ("level", lambda: _level(definition)),
        ("byproducts", lambda: [_descriptor(item) for item in details.get("byproducts", [])] or ["  none"]),
    ]
    for title, render in sections:
        lines += ["", heading(title), *render()]
    return "\n".join(lines) + "\n"


def _printable(value: Any) -> Any:  # noqa: ANN401 - any JSON value
    """Escape control characters in every string: the file may be hostile (terminal escapes)."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", value)
    if isinstance(value, Mapping):
        return {_printable(key): _printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value


def _pairs(rows: list[tuple[str, str]]) -> list[str]:
    width = max((len(label) for label, _ in rows), default=0)
    return [f"  {label.ljust(width)}  {value}" for label, value in rows]


def _digest(descriptor: Mapping[str, Any]) -> str:
    digest: Mapping[str, str] = descriptor.get("digest", {})
    return "  ".join(f"{algorithm}:{value}" for algorithm, value in sorted(digest.items()))


def _descriptor(descriptor: Mapping[str, Any]) -> str:
    label = descriptor.get("name") or descriptor.get("uri") or "(unnamed)"
    digest = _digest(descriptor)
    return f"  {label}  {digest}" if digest else f"  {label}"


def _subjects(subjects: list[Mapping[str, Any]]) -> list[str]:
    return [_descriptor(subject) for subject in subjects]


def _source(definition: Mapping[str, Any], dependencies: list[Mapping[str, Any]]) -> list[str]:
    source: Mapping[str, Any] = definition.get("externalParameters", {}).get("source", {})
    rows = [(key, str(source[key])) for key in ("repository", "ref", "subdirectory", "path") if key in source]
    for item in dependencies:
        commit = item.get("digest", {}).get("gitCommit")
        if commit:
            rows.append(("commit", commit))
            annotations: Mapping[str, Any] = item.get("annotations", {})
            if annotations.get("dirty"):
                modified = annotations.get("modified", [])
                rows.append(("dirty", f"yes: {len(modified)} path(s) differ from the commit"))
        elif "name" in item and "sha256" in item.get("digest", {}) and "uri" not in item:
            rows.append(("sdist", f"{item['name']}  sha256:{item['digest']['sha256']}"))
    return _pairs(rows) or ["  unknown"]


def _build(definition: Mapping[str, Any]) -> list[str]:
    build_type = definition.get("buildType", "?")
    notes = {BUILD_TYPE: "", WORKFLOW_BUILD_TYPE: "  (pyprov's L3 reusable workflow)"}
    rows = [("type", build_type + notes.get(build_type, "  (not pyprov's)"))]
    external: Mapping[str, Any] = definition.get("externalParameters", {})
    internal: Mapping[str, Any] = definition.get("internalParameters", {})
    runner = internal.get("github", {}).get("runnerEnvironment")
    reported = ""
    if isinstance(internal.get("buildJob"), dict):
        # The reusable workflow's statements keep the build job's own report apart.
        internal, reported = internal["buildJob"], " (the build job's report)"
    for item in external.get("distributions", []):
        rows.append(("distribution", f"{item.get('kind')} from {item.get('from')}"))
    settings = external.get("configSettings", {})
    rows.append(("config settings", ", ".join(f"{k}={v}" for k, v in settings.items()) or "none"))
    if "sourceDateEpoch" in external:
        rows.append(("SOURCE_DATE_EPOCH", str(external["sourceDateEpoch"])))
    workflow = external.get("workflow")
    if workflow:
        location = f"{workflow.get('repository')}/{workflow.get('path')}"
        rows.append(("workflow", f"{location}@{workflow.get('ref')}"))
    if "isolated" in internal:
        isolation = f"isolated ({internal.get('installer')})" if internal["isolated"] else "not isolated"
        rows.append(("environment", isolation + reported))
    python, platform = internal.get("python", {}), internal.get("platform", {})
    if python:
        rows.append(("python", f"{python.get('implementation')} {python.get('version')}{reported}"))
    if platform:
        rows.append(("platform", str(platform.get("platform")) + reported))
    if runner:
        rows.append(("runner", runner))
    return _pairs(rows)


def _builder(details: Mapping[str, Any]) -> list[str]:
    builder: Mapping[str, Any] = details.get("builder", {})
    builder_id = str(builder.get("id", "?"))
    rows = [("id", builder_id + ("  (local, unverified)" if builder_id == LOCAL_BUILDER_ID else ""))]
    versions = builder.get("version", {})
    if versions:
        rows.append(("version", ", ".join(f"{name} {version}" for name, version in versions.items())))
    metadata: Mapping[str, Any] = details.get("metadata", {})
    for key, label in (("invocationId", "invocation"), ("startedOn", "started"), ("finishedOn", "finished")):
        if key in metadata:
            rows.append((label, str(metadata[key])))
    return _pairs(rows)


def _environment(dependencies: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [item for item in dependencies if str(item.get("uri", "")).startswith("pkg:")]


def _dependencies(dependencies: list[Mapping[str, Any]]) -> list[str]:
    lines = []
    for item in _environment(dependencies):
        purl = str(item["uri"]).partition("?")[0].removeprefix("pkg:pypi/")
        name, _, version = purl.partition("@")
        sha256 = item.get("digest", {}).get("sha256")
        lines.append(f"  {name} {version}  " + (f"sha256:{sha256}" if sha256 else "(no digest recorded)"))
    return lines or ["  none recorded"]


def _level(definition: Mapping[str, Any]) -> list[str]:
    claim = definition.get("internalParameters", {}).get("slsaBuildLevel")
    if not isinstance(claim, Mapping):
        return ["  not stated"]
    return [
        f"  SLSA Build L{claim.get('level')}: {claim.get('reason')}",
        f"  ({_UNVERIFIED})",
    ]
