"""CycloneDX JSON documents built with cyclonedx-python-lib, plus formulation, validated.

Every document is deterministic: components are sorted by the library, keys are sorted
on output, the serial number is a UUIDv5 of the subject's digest and the timestamp is
passed in (``SOURCE_DATE_EPOCH`` when set).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from cyclonedx.contrib.license.exceptions import InvalidSpdxLicenseException
from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import ExternalReference, ExternalReferenceType, HashAlgorithm, HashType, Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.contact import OrganizationalContact, OrganizationalEntity
from cyclonedx.model.license import DisjunctiveLicense, License, LicenseAcknowledgement
from cyclonedx.model.lifecycle import LifecyclePhase, PredefinedLifecycle
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL

from pyprov.record import Digests
from pyprov.sbom.metadata import license_facts
from pyprov.sbom.model import PYPROV_URL, Contents, Distribution, SbomError
from pyprov.sbom.validation import SpecVersion, validate_cyclonedx

SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/pyprov/pyprov/docs/sbom.md")
"""Namespace of serial numbers: ``urn:uuid:<uuid5(SERIAL_NAMESPACE, "sha256:<digest>")>``."""

_SCHEMA = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}
_URL_TYPES = {
    "homepage": ExternalReferenceType.WEBSITE,
    "home": ExternalReferenceType.WEBSITE,
    "source": ExternalReferenceType.VCS,
    "sourcecode": ExternalReferenceType.VCS,
    "repository": ExternalReferenceType.VCS,
    "code": ExternalReferenceType.VCS,
    "github": ExternalReferenceType.VCS,
    "documentation": ExternalReferenceType.DOCUMENTATION,
    "docs": ExternalReferenceType.DOCUMENTATION,
    "issues": ExternalReferenceType.ISSUE_TRACKER,
    "issuetracker": ExternalReferenceType.ISSUE_TRACKER,
    "bugtracker": ExternalReferenceType.ISSUE_TRACKER,
    "tracker": ExternalReferenceType.ISSUE_TRACKER,
    "changelog": ExternalReferenceType.RELEASE_NOTES,
    "releasenotes": ExternalReferenceType.RELEASE_NOTES,
    "download": ExternalReferenceType.DISTRIBUTION,
}


def serial_number(sha256: str) -> uuid.UUID:
    """The serial number of the document about the file with this SHA-256."""
    return uuid.uuid5(SERIAL_NAMESPACE, f"sha256:{sha256}")


def timestamp_from(source_date_epoch: int | None, fallback: str | datetime) -> datetime:
    """``SOURCE_DATE_EPOCH`` when set, else ``fallback`` (an RFC 3339 string or a datetime)."""
    if source_date_epoch is not None:
        return datetime.fromtimestamp(source_date_epoch, tz=timezone.utc)
    if isinstance(fallback, datetime):
        return fallback.astimezone(timezone.utc).replace(microsecond=0)
    return datetime.fromisoformat(fallback.replace("Z", "+00:00"))


def distribution_component(
    distribution: Distribution,
    *,
    bom_ref: str,
    purl: str | None,
    digests: Digests | None = None,
    kind: ComponentType = ComponentType.LIBRARY,
    properties: Sequence[tuple[str, str]] = (),
    nested: Sequence[Component] = (),
    warnings: list[str] | None = None,
) -> Component:
    """The component of a distribution, from its core metadata."""
    hashes = []
    if digests is not None:
        hashes = [
            HashType(alg=HashAlgorithm.SHA_256, content=digests.sha256),
            HashType(alg=HashAlgorithm.SHA_512, content=digests.sha512),
        ]
    return Component(
        type=kind,
        name=distribution.name,
        version=distribution.version,
        bom_ref=bom_ref,
        purl=PackageURL.from_string(purl) if purl else None,
        hashes=hashes,
        description=distribution.summary,
        licenses=licenses(distribution),
        supplier=supplier(distribution),
        copyright="\n".join(distribution.copyright) or None,
        authors=[_contact(name, email) for name, email in distribution.authors + distribution.maintainers],
        external_references=_references(distribution, warnings if warnings is not None else []),
        properties=[Property(name=name, value=value) for name, value in properties],
        components=nested,
    )


def licenses(distribution: Distribution) -> list[License]:
    """Declared licenses: the PEP 639 expression, else ``License`` and classifiers (SPDX ids where exact).

    A single SPDX identifier is also given as the concluded licence.
    """
    factory = LicenseFactory()
    declared = LicenseAcknowledgement.DECLARED
    expression, names = license_facts(distribution)
    if expression:
        stated = factory.make_from_string(expression, license_acknowledgement=declared)
        if isinstance(stated, DisjunctiveLicense) and stated.id:
            # One SPDX identifier: pyprov concludes what is declared (as in SPDX's
            # licenseConcluded). CycloneDX allows a single expression only, so a compound
            # expression stays declared alone.
            return [stated, factory.make_with_id(stated.id, acknowledgement=LicenseAcknowledgement.CONCLUDED)]
        return [stated]
    found: list[License] = []
    for name in names:
        try:
            found.append(factory.make_with_id(name, acknowledgement=declared))
        except InvalidSpdxLicenseException:
            found.append(factory.make_with_name(name, acknowledgement=declared))
    return found


INDEX_NAME = "Python Package Index (PyPI)"
INDEX_URL = "https://pypi.org/"


def index_supplier() -> dict[str, Any]:
    """The supplier when nothing better is known: the index the distribution comes from (JSON)."""
    return {"name": INDEX_NAME, "url": [INDEX_URL]}


def supplier_json(distribution: Distribution) -> dict[str, Any]:
    """Who supplies the distribution: its authors, else its maintainers (core metadata), else the index.

    The entity is named after the first person (or address) listed; every listed person
    is a contact. The index stands in only when the metadata names nobody.
    """
    people = [p for p in distribution.authors or distribution.maintainers if p[0] or p[1]]
    if not people:
        return index_supplier()
    contacts = [
        {key: value for key, value in (("name", name), ("email", email)) if value} for name, email in people
    ]
    return {"name": people[0][0] or people[0][1], "contact": contacts}


def supplier(distribution: Distribution) -> OrganizationalEntity:
    """:func:`supplier_json` as a cyclonedx-python-lib entity."""
    return entity(supplier_json(distribution))


def entity(found: Mapping[str, Any]) -> OrganizationalEntity:
    """A supplier's JSON form (``name``, ``url``, ``contact``) as a cyclonedx-python-lib entity."""
    return OrganizationalEntity(
        name=found["name"],
        urls=[XsUri(url) for url in found.get("url", ())],
        contacts=[_contact(c.get("name"), c.get("email")) for c in found.get("contact", ())],
    )


def _contact(name: str | None, email: str | None) -> OrganizationalContact:
    return OrganizationalContact(name=name, email=email if email and "@" in email else None)


def _references(distribution: Distribution, warnings: list[str]) -> list[ExternalReference]:
    references = []
    for label, url in distribution.urls:
        key = re.sub(r"[\W_]+", "", label.lower())
        try:
            uri = XsUri(url.strip())
        except ValueError:
            warnings.append(f"{distribution.name}: unusable URL {url!r} left out")
            continue
        references.append(
            ExternalReference(
                type=_URL_TYPES.get(key, ExternalReferenceType.OTHER),
                url=uri,
                comment=f"Project-URL: {label}",
            )
        )
    return references


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentParts:
    """What goes into one CycloneDX document besides its components."""

    spec: SpecVersion
    serial: uuid.UUID | None
    timestamp: datetime | None
    tool_version: str
    root: Component | None = None
    components: Sequence[Component] = ()
    dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """bom-ref -> bom-refs it depends on (top-level components and the root only)."""
    lifecycle: LifecyclePhase = LifecyclePhase.BUILD
    """CISA's SBOM type: ``build`` for an artifact, ``operations`` for an installed environment."""
    build_lifecycle: bool = True
    """``False`` states no lifecycle at all (source trees)."""
    formulation: list[dict[str, Any]] | None = None
    warnings: Sequence[str] = ()
    grafts: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    """bom-ref -> JSON components nested into that component after serialisation."""


def render(parts: DocumentParts) -> bytes:
    """Serialise, add formulation, validate against the official schema; return UTF-8 JSON."""
    document = build_document(parts)
    validate_cyclonedx(document, parts.spec)
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def build_document(parts: DocumentParts) -> dict[str, Any]:
    """The document as a JSON object (not yet validated)."""
    from pyprov import __distribution__, __version__  # noqa: PLC0415

    metadata = BomMetaData(
        component=parts.root,
        lifecycles=[PredefinedLifecycle(parts.lifecycle)] if parts.build_lifecycle else None,
        properties=[Property(name="pyprov:warning", value=text) for text in sorted(set(parts.warnings))],
    )
    bom = Bom(metadata=metadata, components=parts.components)
    if parts.serial is not None:
        bom.serial_number = parts.serial
    if parts.timestamp is not None:
        bom.metadata.timestamp = parts.timestamp
    bom.metadata.tools.components.add(
        Component(
            type=ComponentType.APPLICATION,
            name="pyprov",
            version=parts.tool_version or __version__,
            bom_ref="pyprov:tool",
            supplier=OrganizationalEntity(name="The pyprov developers", urls=[XsUri(PYPROV_URL)]),
            purl=PackageURL(type="pypi", name=__distribution__, version=parts.tool_version or __version__),
        )
    )
    by_ref = {str(c.bom_ref.value): c for c in parts.components}
    if parts.root is not None:
        by_ref[str(parts.root.bom_ref.value)] = parts.root
    for ref in sorted(by_ref):
        targets = [by_ref[t] for t in sorted(set(parts.dependencies.get(ref, ()))) if t in by_ref]
        bom.register_dependency(by_ref[ref], targets)
    try:
        text = make_outputter(bom, OutputFormat.JSON, _SCHEMA[parts.spec]).output_as_string()
    except KeyError as error:
        raise SbomError(f"unsupported CycloneDX version {parts.spec!r}") from error
    document: dict[str, Any] = json.loads(text)
    if parts.timestamp is None:
        document.get("metadata", {}).pop("timestamp", None)
    if parts.serial is None:
        document.pop("serialNumber", None)
    if parts.grafts:
        _graft(document, parts.grafts)
    if parts.formulation:
        document["formulation"] = parts.formulation
    return document


def _graft(document: dict[str, Any], grafts: Mapping[str, list[dict[str, Any]]]) -> None:
    pending = [document.get("metadata", {}).get("component") or {}, *document.get("components", [])]
    while pending:
        component = pending.pop()
        pending.extend(component.get("components", []))
        nested = grafts.get(component.get("bom-ref", ""))
        if nested:
            component["components"] = [*component.get("components", []), *nested]


def contents_properties(contents: Contents) -> list[tuple[str, str]]:
    """Properties of a distribution component that describe how pyprov read it."""
    properties = []
    if contents.record_sha256:
        properties.append(("pyprov:record:sha256", contents.record_sha256))
    if contents.direct_url:
        properties.append(("pyprov:direct-url", contents.direct_url))
    return properties
