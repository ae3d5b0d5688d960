"""Validation of CycloneDX JSON against the official schema, fast enough for big documents.

cyclonedx-python-lib's ``JsonStrictValidator`` (python-jsonschema) spends seconds on a
document of a hundred components: importing ``jsonschema`` builds the lark grammar of
``rfc3987-syntax`` (about 1.4 s here), the ``iri-reference`` format check parses every
URL with it, and ``uniqueItems`` compares every pair of objects. pyprov validates with
jsonschema-rs instead (Rust, Draft 7, format checks on, ``iri-reference`` included),
against the same schema files, the copies bundled with cyclonedx-python-lib: about
10 ms. The tests check that both validators agree on every document pyprov writes and
on broken ones.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

from pyprov.sbom.model import SbomError

SpecVersion = Literal["1.5", "1.6", "1.7"]
SPEC_VERSIONS: tuple[SpecVersion, ...] = ("1.5", "1.6", "1.7")

_SCHEMA_FILES = {
    "1.5": "bom-1.5.SNAPSHOT.schema.json",
    "1.6": "bom-1.6.SNAPSHOT.schema.json",
    "1.7": "bom-1.7.SNAPSHOT.schema.json",
}
_REFERENCED = (
    "spdx.SNAPSHOT.schema.json",
    "jsf-0.82.SNAPSHOT.schema.json",
    "cryptography-defs.SNAPSHOT.schema.json",
)
_PREFIX = "http://cyclonedx.org/schema/"
_MAX_REPORTED = 5


def schema(name: str) -> Any:  # noqa: ANN401 - JSON
    """One of the schema files bundled with cyclonedx-python-lib (``bom-1.6.SNAPSHOT.schema.json``...)."""
    text = (resources.files("cyclonedx.schema") / "_res" / name).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _validator(spec: SpecVersion) -> Any:  # noqa: ANN401 - jsonschema-rs ships no stubs for this
    import jsonschema_rs  # noqa: PLC0415 - only when a document is validated

    registry = jsonschema_rs.Registry([(_PREFIX + name, schema(name)) for name in _REFERENCED])
    return jsonschema_rs.Draft7Validator(
        schema(_SCHEMA_FILES[spec]), registry=registry, validate_formats=True
    )


def prepare_validator(spec: SpecVersion) -> None:
    """Compile the validator of ``spec`` now (it is cached), e.g. while a build runs."""
    if spec in _SCHEMA_FILES:
        _validator(spec)


def validate_cyclonedx(document: dict[str, Any], spec: SpecVersion) -> None:
    """Raise :class:`SbomError` naming every place ``document`` breaks the CycloneDX ``spec`` schema."""
    if spec not in _SCHEMA_FILES:
        raise SbomError(f"unsupported CycloneDX version {spec!r}: expected one of {', '.join(SPEC_VERSIONS)}")
    errors = list(_validator(spec).iter_errors(document))
    if errors:
        where = "; ".join(
            f"{'.'.join(str(part) for part in error.instance_path) or '<document>'}: {error.message}"
            for error in errors[:_MAX_REPORTED]
        )
        more = f" (and {len(errors) - _MAX_REPORTED} more)" if len(errors) > _MAX_REPORTED else ""
        raise SbomError(
            f"the CycloneDX {spec} document is invalid: {where}{more}",
            hint="this is a bug in pyprov: please report it",
        )
