"""The evidence writers that put provenance beside the artifacts of a build."""

from __future__ import annotations

from collections.abc import Sequence

from pyprov.evidence import ArtifactContext
from pyprov.evidence.layout import BUNDLE_FILENAME, PROVENANCE_SUFFIX
from pyprov.provenance.level import Signing
from pyprov.provenance.statement import dump_statement, make_statement


class ProvenanceWriter:
    """Writes ``<artifact>.intoto.json``: a one-subject statement (what PyPI accepts).

    Its byproducts are the evidence written for the artifact before it (the build
    record, the SBOM...), so put this writer after those. ``signing`` says how the
    statement will be signed, for the level it claims (see :func:`build_level`).
    """

    def __init__(self, *, signing: Signing = "unsigned") -> None:
        self._signing: Signing = signing

    @property
    def suffix(self) -> str:
        """``.intoto.json``."""
        return PROVENANCE_SUFFIX

    def prepare(self) -> None:
        """Import the in-toto models (``build_project`` calls it while build code runs)."""
        _prepare()

    def render(self, context: ArtifactContext) -> bytes:
        """Return the statement for ``context.record``, checked with the in-toto models."""
        statement = make_statement(
            (context.record,), evidence=tuple(context.evidence.items()), signing=self._signing
        )
        from pyprov.provenance.check import check_statement  # noqa: PLC0415 - protobuf is slow to import

        check_statement(statement)
        return dump_statement(statement)


class ProvenanceBundleWriter:
    """Writes one statement with every artifact of the run as a subject (``--provenance-bundle``).

    For release pages; PyPI refuses it (more than one subject).
    """

    def __init__(self, *, filename: str = BUNDLE_FILENAME, signing: Signing = "unsigned") -> None:
        self._filename = filename
        self._signing: Signing = signing

    def prepare(self) -> None:
        """Import the in-toto models."""
        _prepare()

    @property
    def filename(self) -> str:
        """The file name in the evidence directory (``pyprov.intoto.json`` by default)."""
        return self._filename

    def render(self, contexts: Sequence[ArtifactContext]) -> bytes:
        """Return the statement for every artifact in ``contexts``, in build order."""
        evidence = tuple(item for context in contexts for item in context.evidence.items())
        statement = make_statement(
            tuple(context.record for context in contexts), evidence=evidence, signing=self._signing
        )
        from pyprov.provenance.check import check_statement  # noqa: PLC0415 - protobuf is slow to import

        check_statement(statement)
        return dump_statement(statement)


def _prepare() -> None:
    import pyprov.provenance.check  # noqa: F401, PLC0415
