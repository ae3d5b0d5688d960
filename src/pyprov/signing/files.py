"""Signing as a step of ``pyprov build``, and signing files built elsewhere (``pyprov sign``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyprov._internal.hashing import hash_file
from pyprov._internal.outputs import Output, ignore_directory, make_directory, publish_all
from pyprov._internal.untrusted import read_untrusted
from pyprov.errors import ProjectError
from pyprov.evidence import ArtifactContext, SignedFile
from pyprov.evidence.layout import (
    BUNDLE_SUFFIX,
    GITIGNORE_CONTENT,
    PROVENANCE_SUFFIX,
    default_evidence_directory,
)
from pyprov.evidence.layout import CYCLONEDX_SUFFIX as SBOM_SUFFIX
from pyprov.signing.sigstore import (
    SigningPolicy,
    SigningResult,
    SigningSubject,
    sign_subjects,
)

MAX_STATEMENT_BYTES = 64 << 20


class SigstoreSigner:
    """The :class:`~pyprov.evidence.ArtifactSigner` of ``pyprov build --sign``.

    Signs each artifact, its provenance statement and its SBOM (as far as the evidence
    writers made them). ``result`` holds the signer's identity afterwards.
    """

    def __init__(self, policy: SigningPolicy) -> None:
        self.policy = policy
        self.result: SigningResult | None = None

    def prepare(self) -> None:
        """Import sigstore (``build_project`` calls it while build code runs)."""
        import sigstore.sign  # noqa: PLC0415
        import sigstore.verify  # noqa: F401, PLC0415

    def sign(self, contexts: Sequence[ArtifactContext]) -> Sequence[Sequence[SignedFile]]:
        """Sign every artifact of the build; see :func:`sign_subjects`."""
        subjects = [
            SigningSubject(
                name=context.record.artifact.filename,
                sha256=context.record.artifact.digests.sha256,
                provenance=context.evidence[PROVENANCE_SUFFIX].content
                if PROVENANCE_SUFFIX in context.evidence
                else None,
                sbom=context.evidence[SBOM_SUFFIX].content if SBOM_SUFFIX in context.evidence else None,
            )
            for context in contexts
        ]
        self.result = sign_subjects(subjects, self.policy)
        return self.result.files


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedArtifact:
    """An artifact ``sign_files`` signed, and the files it wrote for it."""

    artifact: Path
    files: tuple[Path, ...]


def sign_files(
    artifacts: Sequence[Path],
    policy: SigningPolicy,
    *,
    evidence_dir: Path | None = None,
    cpython_names: bool = False,
    attestations: tuple[tuple[str, str, object], ...] = (),
) -> tuple[SigningResult, tuple[SignedArtifact, ...]]:
    """Sign files built elsewhere, with the statements about them pyprov finds in ``evidence_dir``.

    ``evidence_dir`` defaults to ``evidence/`` beside each artifact's directory; an
    ``<artifact>.intoto.json`` or ``<artifact>.cdx.json`` there is signed too. Bundles go
    to the evidence directory, PEP 740 attestations beside the artifact. With
    ``cpython_names`` the artifact's bundle is ``<artifact>.sigstore`` beside it, as
    python.org publishes them. ``attestations`` are further ``(suffix, predicate type,
    predicate)`` statements signed for every artifact. Every file is written only after
    all artifacts are signed and verified; an error writes nothing.
    """
    subjects = []
    for artifact in artifacts:
        if not artifact.is_file():
            raise ProjectError(f"{artifact} is not a file")
        evidence = _evidence_dir(artifact, evidence_dir)
        provenance, sbom = (
            evidence / (artifact.name + PROVENANCE_SUFFIX),
            evidence / (artifact.name + SBOM_SUFFIX),
        )
        subjects.append(
            SigningSubject(
                name=artifact.name,
                sha256=hash_file(artifact).sha256,
                provenance=_read(provenance) if provenance.is_file() else None,
                sbom=_read(sbom) if sbom.is_file() else None,
                attestations=attestations,
            )
        )
    result = sign_subjects(subjects, policy)
    if cpython_names:
        result = dataclasses.replace(
            result,
            files=tuple(
                _cpython_names(artifact.name, files)
                for artifact, files in zip(artifacts, result.files, strict=True)
            ),
        )
    planned = [
        (artifact, [(_directory(artifact, evidence_dir, item), item) for item in files])
        for artifact, files in zip(artifacts, result.files, strict=True)
    ]
    return result, tuple(_write_all(planned))


def _write_all(planned: list[tuple[Path, list[tuple[Path, SignedFile]]]]) -> list[SignedArtifact]:
    """Publish every file at once (``publish_all``): all or nothing, also on Ctrl-C."""
    for _, items in planned:
        for directory, item in items:
            if make_directory(directory, item.location) and item.location == "evidence":
                ignore_directory(directory, GITIGNORE_CONTENT)
    publish_all(
        [
            Output(directory=directory, name=item.filename, content=item.content)
            for _, items in planned
            for directory, item in items
        ]
    )
    return [
        SignedArtifact(artifact=artifact, files=tuple(directory / item.filename for directory, item in items))
        for artifact, items in planned
    ]


def _cpython_names(name: str, files: Sequence[SignedFile]) -> tuple[SignedFile, ...]:
    """The artifact's own bundle as ``<artifact>.sigstore`` beside it; the other files unchanged."""
    bundle = name + BUNDLE_SUFFIX
    return tuple(
        SignedFile(location="output", filename=f"{name}.sigstore", content=item.content)
        if item.filename == bundle
        else item
        for item in files
    )


def _evidence_dir(artifact: Path, evidence_dir: Path | None) -> Path:
    return evidence_dir if evidence_dir is not None else default_evidence_directory(artifact.parent)


def _directory(artifact: Path, evidence_dir: Path | None, item: SignedFile) -> Path:
    return artifact.parent if item.location == "output" else _evidence_dir(artifact, evidence_dir)


def _read(path: Path) -> bytes:
    return read_untrusted(path, limit=MAX_STATEMENT_BYTES, what="a statement")
