"""Facts from a file's PEP 740 provenance: does it verify, who published, is that the project's repository.

The provenance is verified as ``pypi-attestations verify pypi`` does, against the publisher it
names: the report says *who* published, and whether that is a repository the file's own
metadata names; the reader judges the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pyprov._internal.untrusted import UntrustedInputError, load_json
from pyprov._internal.urls import normal_repository_url
from pyprov.posture.model import Fact, Status

if TYPE_CHECKING:
    from pyprov.verify.policy import SignerPolicy
    from pyprov.verify.trust import Trust


def provenance_facts(path: Path, provenance: bytes, trust: Callable[[], Trust]) -> list[Fact]:
    """The ``verified``, ``publisher`` and ``own-repository`` facts of ``path`` from its provenance.

    The provenance is checked as ``pyprov verify --provenance`` checks it
    (:func:`pyprov.verify.checks.check_provenance_document`: each attestation's signature,
    transparency log entry and subject, against ``path``'s SHA-256 computed here), with a
    policy accepting the publishers it names; ``trust`` is called for the trust root only
    when there is something to verify.
    """
    from pyprov.verify.checks import CheckContext, check_provenance_document  # noqa: PLC0415 - sigstore
    from pyprov.verify.discovery import Artifact, sha256_file  # noqa: PLC0415

    source = f"{path.name}.provenance"
    try:
        document = load_json(provenance, source)
        policy, publisher = _publisher_policy(document)
    except (UntrustedInputError, ValueError) as error:
        reason = error.reason if isinstance(error, UntrustedInputError) else str(error)
        return [
            Fact(property="verified", status="no", value=f"unusable provenance: {reason}"),
            Fact(property="publisher", status="unknown", value="no publisher pyprov can check"),
            Fact(property="own-repository", status="unknown", value="no publisher pyprov can check"),
        ]
    loaded = trust()
    context = CheckContext(verifier=loaded.verifier, policy=policy, trust=loaded.description)
    artifact = Artifact(label=path.name, sha256=sha256_file(path), path=path)
    outcome = check_provenance_document(cast("dict[str, Any]", document), artifact, context, source)
    failure = next((check for check in outcome.checks if not check.ok), None)
    if failure is not None:
        return [
            Fact(property="verified", status="no", value=f"{failure.name}: {failure.reason}"),
            Fact(property="publisher", status="unknown", value=f"claimed, not verified: {publisher}"),
            Fact(property="own-repository", status="unknown", value="no verified publisher"),
        ]
    return [
        Fact(property="verified", status="yes", value="signature, transparency log and subject verified"),
        Fact(property="publisher", status="yes", value=publisher),
        _own_repository(path, document),
    ]


_FORGE_HOSTS = {"github": "https://github.com/", "gitlab": "https://gitlab.com/"}


def _own_repository(path: Path, document: object) -> Fact:
    """Whether a publisher of the verified provenance is a repository the file's metadata names."""
    from pyprov.sbom import SbomError  # noqa: PLC0415
    from pyprov.sbom.wheel import read_metadata  # noqa: PLC0415

    published = _published_repositories(document)
    if not published:
        return _own("unknown", "the publisher names no repository")
    try:
        urls = read_metadata(path).urls
    except SbomError as error:
        return _own("unknown", f"unreadable metadata: {error.message}")
    named = {normal_repository_url(url).lower() for _, url in urls}
    for repository in published:
        if any(url == repository.lower() or url.startswith(repository.lower() + "/") for url in named):
            return _own("yes", f"{repository} is in its Project-URLs")
    forges = sorted(url for url in named if url.startswith(tuple(_FORGE_HOSTS.values())))
    if not forges:
        return _own("unknown", "its metadata names no GitHub or GitLab repository")
    return _own("no", f"published from {', '.join(published)}; its metadata names {', '.join(forges[:3])}")


def _published_repositories(document: object) -> list[str]:
    """``https://HOST/OWNER/NAME`` of each GitHub or GitLab publisher the provenance names."""
    bundles = document.get("attestation_bundles") if isinstance(document, Mapping) else None
    found = set()
    for bundle in bundles or []:
        publisher = bundle.get("publisher") if isinstance(bundle, Mapping) else None
        if not isinstance(publisher, Mapping) or not isinstance(publisher.get("repository"), str):
            continue
        host = _FORGE_HOSTS.get(str(publisher.get("kind", "")).lower())
        if host is not None:
            found.add(host + str(publisher["repository"]).strip("/"))
    return sorted(found)


def _own(status: Status, value: str) -> Fact:
    return Fact(property="own-repository", status=status, value=value)


def _publisher_policy(document: object) -> tuple[SignerPolicy, str]:
    """The policy accepting any publisher the provenance names, and their description."""
    from pyprov.verify.policy import any_of, policy_from_publisher  # noqa: PLC0415 - sigstore

    bundles = document.get("attestation_bundles") if isinstance(document, Mapping) else None
    publishers: list[dict[str, object]] = [
        bundle["publisher"]
        for bundle in bundles or []
        if isinstance(bundle, Mapping) and isinstance(bundle.get("publisher"), dict)
    ]
    if not publishers:
        raise ValueError("no publisher named")
    policies = [policy_from_publisher(publisher) for publisher in publishers]
    return any_of(policies), "; ".join(_describe(publisher) for publisher in publishers)


def _describe(publisher: Mapping[str, object]) -> str:
    kind = publisher.get("kind")
    where = publisher.get("repository") or publisher.get("email")
    workflow = publisher.get("workflow") or publisher.get("workflow_filepath")
    text = f"{kind} {where}"
    return f"{text} ({workflow})" if workflow else text
