"""SPDX 3.0.1 JSON-LD with the same facts as pyprov's CycloneDX document, converted from it.

Built with the official bindings (``spdx-python-model``, generated from the SPDX 3 SHACL
model), which check every property's type and cardinality as it is set and when the
document is serialised. What the SPDX 3 form adds over SPDX 2.3:

- ``software_Sbom`` with ``software_sbomType`` ``build`` (artifacts) or ``deployed``
  (environments): CISA's SBOM type has a field of its own.
- ``createdBy``: the organisation behind the tool, with its URL (as SPDX 2 documents of other
  tools name their vendor: ``Organization: aquasecurity``), ``createdUsing``: pyprov.
- ``originatedBy``: the distribution's authors (with their e-mail), ``suppliedBy``: its supplier.
- the artifact file itself (``hasDistributionArtifact``, ``archive``) with its SHA-256 and SHA-512.
- the build (CycloneDX ``formulation``) as a ``build_Build`` whose inputs are the sdist and the
  build environment and whose output is the artifact; the sdist ``generates`` the artifact.
- files are listed (``--sbom-files``, embedded SBOMs): SPDX 3 does not ask for a SHA-1.

docs/sbom.md maps every minimum element to its field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from pyprov.sbom.model import PYPROV_URL, REQUIRES_DIST
from pyprov.sbom.spdx import _licenses, _safe, _walk

if TYPE_CHECKING:
    from types import ModuleType

BUILD_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/build-type-v1.md"
"""The build's type, as pyprov's provenance names it."""

_HASHES = {
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
    "MD5": "md5",
    "SHA3-256": "sha3_256",
    "SHA3-384": "sha3_384",
    "SHA3-512": "sha3_512",
    "BLAKE2b-256": "blake2b256",
    "BLAKE2b-384": "blake2b384",
    "BLAKE2b-512": "blake2b512",
    "BLAKE3": "blake3",
}
_PURPOSES = {
    "application": "application",
    "framework": "framework",
    "library": "library",
    "file": "file",
    "container": "container",
    "operating-system": "operatingSystem",
    "device": "device",
    "firmware": "firmware",
    "platform": "platform",
    "data": "data",
}


def _model() -> ModuleType:
    from spdx_python_model.bindings import v3_0_1  # noqa: PLC0415 - only when SPDX 3 is written

    return v3_0_1


class _Writer:
    """Collects the elements of one document, each created once under a stable identifier."""

    def __init__(self, base: str, creation: Any) -> None:  # noqa: ANN401 - generated bindings
        self.spdx = _model()
        self.base = base
        self.creation = creation
        self.elements: dict[str, Any] = {}

    def id(self, kind: str, key: str) -> str:
        return f"{self.base}#{kind}-{hashlib.sha256(key.encode()).hexdigest()[:24]}"

    def add(self, element: Any) -> Any:  # noqa: ANN401
        return self.elements.setdefault(element.spdxId, element)

    def agent(self, name: str, email: str | None, *, person: bool, url: str | None = None) -> Any:  # noqa: ANN401
        spdx = self.spdx
        kind = "Person" if person else "Organization"
        identifier = self.id(kind.lower(), f"{name}\0{email or ''}\0{url or ''}")
        if identifier in self.elements:
            return self.elements[identifier]
        agent = (spdx.Person if person else spdx.Organization)(
            spdxId=identifier, creationInfo=self.creation, name=name
        )
        if email:
            agent.externalIdentifier.append(
                spdx.ExternalIdentifier(
                    externalIdentifierType=spdx.ExternalIdentifierType.email, identifier=email
                )
            )
        if url:
            agent.externalIdentifier.append(
                spdx.ExternalIdentifier(
                    externalIdentifierType=spdx.ExternalIdentifierType.urlScheme, identifier=url
                )
            )
        return self.add(agent)

    def relationship(self, source: Any, kind: str, targets: list[Any], **extra: Any) -> None:  # noqa: ANN401
        if not targets:
            return
        spdx = self.spdx
        key = "\0".join([source.spdxId, kind, *sorted(t.spdxId for t in targets)])
        cls = spdx.LifecycleScopedRelationship if "scope" in extra else spdx.Relationship
        self.add(
            cls(
                spdxId=self.id("relationship", key),
                creationInfo=self.creation,
                from_=source,
                relationshipType=getattr(spdx.RelationshipType, kind),
                to=sorted(targets, key=lambda t: t.spdxId),
                **extra,
            )
        )

    def license(self, expression: str) -> Any:  # noqa: ANN401
        spdx = self.spdx
        return self.add(
            spdx.simplelicensing_LicenseExpression(
                spdxId=self.id("license", expression),
                creationInfo=self.creation,
                simplelicensing_licenseExpression=expression,
            )
        )

    def hashes(self, component: dict[str, Any]) -> Iterator[Any]:
        spdx = self.spdx
        for item in component.get("hashes", []):
            algorithm = _HASHES.get(str(item.get("alg")))
            if algorithm and item.get("content"):
                yield spdx.Hash(
                    algorithm=getattr(spdx.HashAlgorithm, algorithm), hashValue=str(item["content"]).lower()
                )

    def file(self, component: dict[str, Any], name: str | None = None) -> Any:  # noqa: ANN401
        spdx = self.spdx
        element = spdx.software_File(
            spdxId=self.id("file", str(component["bom-ref"])),
            creationInfo=self.creation,
            name=name or str(component.get("name") or "unnamed"),
        )
        element.verifiedUsing.extend(self.hashes(component))
        notes = [f"{p['name']}={p['value']}" for p in component.get("properties", []) if "name" in p]
        if notes:
            element.comment = "; ".join(notes)
        return self.add(element)

    def package(self, component: dict[str, Any]) -> Any:  # noqa: ANN401
        spdx = self.spdx
        identifier = self.id("package", str(component["bom-ref"]))
        if identifier in self.elements:
            return self.elements[identifier]
        package = spdx.software_Package(
            spdxId=identifier,
            creationInfo=self.creation,
            name=str(component.get("name") or "unnamed"),
            software_primaryPurpose=getattr(
                spdx.software_SoftwarePurpose, _PURPOSES.get(str(component.get("type")), "other")
            ),
        )
        if component.get("version"):
            package.software_packageVersion = str(component["version"])
        if component.get("description"):
            package.summary = str(component["description"])
        if component.get("copyright"):
            package.software_copyrightText = str(component["copyright"])
        if component.get("purl"):
            package.software_packageUrl = str(component["purl"])
            package.externalIdentifier.append(
                spdx.ExternalIdentifier(
                    externalIdentifierType=spdx.ExternalIdentifierType.packageUrl,
                    identifier=str(component["purl"]),
                )
            )
        if component.get("cpe"):
            package.externalIdentifier.append(
                spdx.ExternalIdentifier(
                    externalIdentifierType=spdx.ExternalIdentifierType.cpe23, identifier=str(component["cpe"])
                )
            )
        package.verifiedUsing.extend(self.hashes(component))
        supplier = component.get("supplier")
        if isinstance(supplier, dict) and supplier.get("name"):
            contacts = [c for c in supplier.get("contact") or [] if isinstance(c, dict)]
            email = next((str(c["email"]) for c in contacts if c.get("email")), None)
            urls = [str(u) for u in supplier.get("url") or []]
            # Core metadata names people (Author, Maintainer); the index is an organisation.
            package.suppliedBy = self.agent(
                str(supplier["name"]), email, person=bool(contacts), url=urls[0] if urls else None
            )
        for author in component.get("authors") or []:
            if isinstance(author, dict) and author.get("name"):
                email = str(author["email"]) if author.get("email") else None
                package.originatedBy.append(self.agent(str(author["name"]), email, person=True))
        declared, licence_comment = _licenses(component.get("licenses", []))
        comments = [licence_comment] if licence_comment else []
        if declared != "NOASSERTION":
            # pyprov concludes what an SPDX expression declares, nothing from a free-text name.
            expression = self.license(declared)
            self.relationship(package, "hasDeclaredLicense", [expression])
            self.relationship(package, "hasConcludedLicense", [expression])
        requires = [p["value"] for p in component.get("properties", []) if p.get("name") == REQUIRES_DIST]
        if requires:
            comments.append(
                "Requires-Dist (declared ranges, resolved at install time): " + "; ".join(requires)
            )
        if comments:
            package.comment = "\n".join(comments)
        return self.add(package)


def to_spdx3(cyclonedx: dict[str, Any], *, name: str) -> dict[str, Any]:  # noqa: PLR0915 - one document
    """Convert a pyprov CycloneDX document (JSON) to an SPDX 3.0.1 document (JSON-LD)."""
    spdx = _model()
    metadata = cyclonedx.get("metadata", {})
    serial = str(cyclonedx.get("serialNumber") or _digest(cyclonedx)).rsplit(":", 1)[-1]
    base = f"https://spdx.org/spdxdocs/pyprov/{_safe(name)}-{serial}"
    timestamp = _time(str(metadata.get("timestamp") or "1970-01-01T00:00:00Z"))
    creation = spdx.CreationInfo(_id="_:creationinfo", specVersion="3.0.1", created=timestamp)
    writer = _Writer(base, creation)
    tools = [t for t in metadata.get("tools", {}).get("components", []) if isinstance(t, dict)]
    for tool in tools or [{"name": "pyprov"}]:
        label = "-".join(str(tool[key]) for key in ("name", "version") if tool.get(key))
        creation.createdUsing.append(
            writer.add(spdx.Tool(spdxId=writer.id("tool", label), creationInfo=creation, name=label))
        )
        supplier = tool.get("supplier") or {"name": "The pyprov developers", "url": [PYPROV_URL]}
        urls = [str(u) for u in supplier.get("url") or []]
        creation.createdBy.append(
            writer.agent(str(supplier["name"]), None, person=False, url=urls[0] if urls else None)
        )

    root = metadata.get("component")
    contained: dict[str, tuple[Any, list[Any]]] = {}
    packages: dict[str, Any] = {}
    for component, parent in _walk(root, cyclonedx.get("components", [])):
        # Files (--sbom-files, embedded SBOMs) are contained by the distribution holding them;
        # what an embedded SBOM describes is contained by that distribution too (as in SPDX 2.3).
        holder = (parent or root) if component.get("type") == "file" else parent
        if component.get("type") == "file" and holder is not None:
            element = writer.file(component)
        else:
            element = packages[component["bom-ref"]] = writer.package(component)
        if holder is not None:
            holding = writer.package(holder)
            contained.setdefault(holding.spdxId, (holding, []))[1].append(element)
    for holding, elements in contained.values():
        writer.relationship(holding, "contains", elements)
    top = [root] if root else list(cyclonedx.get("components", []))
    tops = [writer.package(component) for component in top]
    for dependency in cyclonedx.get("dependencies", []):
        # Between packages, as SPDX 2.3 says DEPENDS_ON: the files the root lists are contained.
        targets = [packages[t] for t in dependency.get("dependsOn", []) if t in packages]
        if dependency.get("ref") in packages:
            writer.relationship(packages[dependency["ref"]], "dependsOn", targets)
    artifact = None
    if root is not None:
        filename = _file_name(str(root.get("purl") or ""))
        if filename:
            artifact = writer.file(root, filename)
            artifact.software_primaryPurpose = spdx.software_SoftwarePurpose.archive
            writer.relationship(writer.package(root), "hasDistributionArtifact", [artifact])
    _build(writer, cyclonedx.get("formulation", []), artifact)

    lifecycles = {str(item.get("phase")) for item in metadata.get("lifecycles", []) if isinstance(item, dict)}
    sbom_types = [
        getattr(spdx.software_SbomType, kind)
        for phase, kind in (("build", "build"), ("operations", "deployed"), ("post-build", "analyzed"))
        if phase in lifecycles
    ]
    data_license = writer.license("CC0-1.0")
    elements = sorted(writer.elements.values(), key=lambda e: e.spdxId)
    sbom = spdx.software_Sbom(
        spdxId=f"{base}#sbom",
        creationInfo=creation,
        name=name,
        software_sbomType=sbom_types or [spdx.software_SbomType.analyzed],
        rootElement=tops,
        element=elements,
    )
    profiles = spdx.ProfileIdentifierType
    document = spdx.SpdxDocument(
        spdxId=f"{base}#document",
        creationInfo=creation,
        name=name,
        dataLicense=data_license,
        rootElement=[sbom],
        element=[sbom, *elements],
        profileConformance=[profiles.core, profiles.software, profiles.simpleLicensing, profiles.build],
    )
    warnings = [p["value"] for p in metadata.get("properties", []) if p.get("name") == "pyprov:warning"]
    if warnings:
        document.comment = "pyprov warnings: " + "; ".join(warnings)
    objects = spdx.SHACLObjectSet([document, sbom, *writer.elements.values()])
    data: dict[str, Any] = spdx.JSONLDSerializer().serialize_data(objects, force_at_graph=True)
    data["@graph"].sort(key=lambda item: (item.get("type", ""), item.get("spdxId", item.get("@id", ""))))
    return data


def _build(writer: _Writer, formulation: list[dict[str, Any]], artifact: Any) -> None:  # noqa: ANN401
    """CycloneDX formulation as an SPDX 3 Build: its inputs (sdist, environment) and its output."""
    spdx = writer.spdx
    for number, formula in enumerate(formulation):
        inputs: list[Any] = []
        for component in formula.get("components", []):
            if component.get("type") == "file":
                source = writer.file(component)
                source.software_primaryPurpose = spdx.software_SoftwarePurpose.archive
                source.software_additionalPurpose.append(spdx.software_SoftwarePurpose.source)
                inputs.append(source)
                if artifact is not None:
                    writer.relationship(source, "generates", [artifact])
            else:
                inputs.append(writer.package(component))
        if not inputs:
            continue
        build = writer.add(
            spdx.build_Build(
                spdxId=writer.id("build", str(formula.get("bom-ref", number))),
                creationInfo=writer.creation,
                build_buildType=BUILD_TYPE,
            )
        )
        writer.relationship(build, "hasInput", inputs)
        if artifact is not None:
            writer.relationship(build, "hasOutput", [artifact])


def _file_name(purl: str) -> str | None:
    """The ``file_name`` qualifier of a ``pkg:pypi`` purl: the artifact's file name."""
    names = parse_qs(urlsplit(purl).query).get("file_name") if purl.startswith("pkg:pypi/") else None
    return names[0] if names and "/" not in names[0] else None


def _digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:32]


def _time(timestamp: str) -> datetime:
    """SPDX 3 wants ``YYYY-MM-DDThh:mm:ssZ`` (whole seconds, UTC)."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def render_spdx3(cyclonedx: dict[str, Any], *, name: str) -> bytes:
    """The SPDX 3.0.1 JSON-LD bytes (sorted keys, deterministic)."""
    return (
        json.dumps(to_spdx3(cyclonedx, name=name), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    ).encode()
