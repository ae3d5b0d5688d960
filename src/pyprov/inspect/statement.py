"""An in-toto statement laid out for people: subjects, source, build, builder, dependencies, level.

The statement is untrusted (it may come out of a bundle nobody verified): every field of
the wrong type counts as absent, and strings are escaped by the renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyprov.inspect.model import Section, as_list, as_object, pairs
from pyprov.provenance import BUILD_TYPE, LOCAL_BUILDER_ID, PREDICATE_TYPE, WORKFLOW_BUILD_TYPE

_UNVERIFIED = "claimed by the statement itself; `pyprov verify` establishes the level from its signature"


_SHAPES: tuple[tuple[tuple[str, str], type[Any], type[Any] | None], ...] = (
    (("externalParameters", "source"), dict, None),
    (("externalParameters", "distributions"), list, dict),
    (("externalParameters", "configSettings"), dict, None),
    (("externalParameters", "workflow"), dict, None),
    (("internalParameters", "python"), dict, None),
    (("internalParameters", "platform"), dict, None),
    (("internalParameters", "github"), dict, None),
    (("internalParameters", "slsaBuildLevel"), dict, None),
)
"""Free-form parameters of SLSA provenance whose shape pyprov's buildTypes fix: (path, type, item type)."""


def statement_problems(data: dict[str, Any]) -> list[str]:
    """Where a SLSA provenance statement's parameters have the wrong JSON type (empty: none).

    ``check_statement`` validates the in-toto and SLSA models, whose parameters are free
    JSON; these are the shapes pyprov's buildTypes give them, and what is shown.
    """
    if data.get("predicateType") != PREDICATE_TYPE:
        return []
    definition = as_object(as_object(data.get("predicate")).get("buildDefinition"))
    problems = []
    names: dict[type[Any], str] = {dict: "an object", list: "an array"}
    for (parameters, key), kind, item_kind in _SHAPES:
        value = as_object(definition.get(parameters)).get(key)
        where = f"buildDefinition.{parameters}.{key}"
        if value is None:
            continue
        if not isinstance(value, kind):
            problems.append(f"{where}: expected {names[kind]}")
        elif item_kind is not None and isinstance(value, list):
            problems += [
                f"{where}[{index}]: expected {names[item_kind]}"
                for index, item in enumerate(value)
                if not isinstance(item, item_kind)
            ]
    return problems[:5]


def statement_title(data: dict[str, Any]) -> str:
    """The first line: what the statement says it is."""
    return f"in-toto statement  predicate {data.get('predicateType', '?')}"


def statement_sections(data: dict[str, Any]) -> tuple[Section, ...]:
    """The sections of a statement; for predicates other than SLSA provenance v1, the subjects only."""
    sections = [Section("subject", tuple(_descriptor(item) for item in as_list(data.get("subject"))))]
    if data.get("predicateType") != PREDICATE_TYPE:
        sections.append(Section("(not SLSA provenance v1: the predicate is not shown)", ()))
        return tuple(sections)
    predicate = as_object(data.get("predicate"))
    definition = as_object(predicate.get("buildDefinition"))
    details = as_object(predicate.get("runDetails"))
    dependencies = [as_object(item) for item in as_list(definition.get("resolvedDependencies"))]
    layout: list[tuple[str, Callable[[], list[str]]]] = [
        ("source", lambda: _source(definition, dependencies)),
        ("build", lambda: _build(definition)),
        ("builder", lambda: _builder(details)),
        (f"build dependencies ({len(_environment(dependencies))})", lambda: _dependencies(dependencies)),
        ("level", lambda: _level(definition)),
        (
            "byproducts",
            lambda: [_descriptor(item) for item in as_list(details.get("byproducts"))] or ["none"],
        ),
    ]
    sections += [Section(title, tuple(render())) for title, render in layout]
    return tuple(sections)


def _digest(descriptor: dict[str, Any]) -> str:
    digest = as_object(descriptor.get("digest"))
    return "  ".join(f"{algorithm}:{value}" for algorithm, value in sorted(digest.items()))


def _descriptor(value: object) -> str:
    descriptor = as_object(value)
    label = descriptor.get("name") or descriptor.get("uri") or "(unnamed)"
    digest = _digest(descriptor)
    return f"{label}  {digest}" if digest else str(label)


def _source(definition: dict[str, Any], dependencies: list[dict[str, Any]]) -> list[str]:
    source = as_object(as_object(definition.get("externalParameters")).get("source"))
    rows: list[tuple[str, str]] = [
        (key, str(source[key])) for key in ("repository", "ref", "subdirectory", "path") if key in source
    ]
    for item in dependencies:
        digest = as_object(item.get("digest"))
        commit = digest.get("gitCommit")
        if commit:
            rows.append(("commit", str(commit)))
            annotations = as_object(item.get("annotations"))
            if annotations.get("dirty"):
                modified = as_list(annotations.get("modified"))
                rows.append(("dirty", f"yes: {len(modified)} path(s) differ from the commit"))
        elif "name" in item and "sha256" in digest and "uri" not in item:
            rows.append(("sdist", f"{item['name']}  sha256:{digest['sha256']}"))
    return pairs(rows) or ["unknown"]


def _build(definition: dict[str, Any]) -> list[str]:
    build_type = str(definition.get("buildType", "?"))
    notes = {BUILD_TYPE: "", WORKFLOW_BUILD_TYPE: "  (pyprov's L3 reusable workflow)"}
    rows = [("type", build_type + notes.get(build_type, "  (not pyprov's)"))]
    external = as_object(definition.get("externalParameters"))
    internal = as_object(definition.get("internalParameters"))
    runner = as_object(internal.get("github")).get("runnerEnvironment")
    reported = ""
    if isinstance(internal.get("buildJob"), dict):
        # The reusable workflow's statements keep the build job's own report apart.
        internal, reported = as_object(internal["buildJob"]), " (the build job's report)"
    for value in as_list(external.get("distributions")):
        item = as_object(value)
        rows.append(("distribution", f"{item.get('kind')} from {item.get('from')}"))
    settings = as_object(external.get("configSettings"))
    rows.append(("config settings", ", ".join(f"{k}={v}" for k, v in settings.items()) or "none"))
    if "sourceDateEpoch" in external:
        rows.append(("SOURCE_DATE_EPOCH", str(external["sourceDateEpoch"])))
    workflow = as_object(external.get("workflow"))
    if workflow:
        location = f"{workflow.get('repository')}/{workflow.get('path')}"
        rows.append(("workflow", f"{location}@{workflow.get('ref')}"))
    if "isolated" in internal:
        isolation = f"isolated ({internal.get('installer')})" if internal["isolated"] else "not isolated"
        rows.append(("environment", isolation + reported))
    sandbox = as_object(internal.get("isolation"))
    if sandbox:
        rows.append(("sandbox", str(sandbox.get("sandbox") or f"none ({sandbox.get('reason')})") + reported))
    python, platform = as_object(internal.get("python")), as_object(internal.get("platform"))
    if python:
        rows.append(("python", f"{python.get('implementation')} {python.get('version')}{reported}"))
    if platform:
        rows.append(("platform", str(platform.get("platform")) + reported))
    if runner:
        rows.append(("runner", str(runner)))
    return pairs(rows)


def _builder(details: dict[str, Any]) -> list[str]:
    builder = as_object(details.get("builder"))
    builder_id = str(builder.get("id", "?"))
    rows = [("id", builder_id + ("  (local, unverified)" if builder_id == LOCAL_BUILDER_ID else ""))]
    versions = as_object(builder.get("version"))
    if versions:
        rows.append(("version", ", ".join(f"{name} {version}" for name, version in versions.items())))
    metadata = as_object(details.get("metadata"))
    for key, label in (("invocationId", "invocation"), ("startedOn", "started"), ("finishedOn", "finished")):
        if key in metadata:
            rows.append((label, str(metadata[key])))
    return pairs(rows)


def _environment(dependencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in dependencies if str(item.get("uri", "")).startswith("pkg:")]


def _dependencies(dependencies: list[dict[str, Any]]) -> list[str]:
    lines = []
    for item in _environment(dependencies):
        purl = str(item["uri"]).partition("?")[0].removeprefix("pkg:pypi/")
        name, _, version = purl.partition("@")
        sha256 = as_object(item.get("digest")).get("sha256")
        lines.append(f"{name} {version}  " + (f"sha256:{sha256}" if sha256 else "(no digest recorded)"))
    return lines or ["none recorded"]


def _level(definition: dict[str, Any]) -> list[str]:
    claim = as_object(definition.get("internalParameters")).get("slsaBuildLevel")
    if not isinstance(claim, dict):
        return ["not stated"]
    return [f"SLSA Build L{claim.get('level')}: {claim.get('reason')}", f"({_UNVERIFIED})"]
