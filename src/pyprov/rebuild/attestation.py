"""A signed in-toto statement about a published artifact, recording its rebuild.

The statement's subject is the published artifact (name and SHA-256); its predicate
(type :data:`PREDICATE_TYPE`, documented in ``docs/rebuild.md``) is the rebuild report
without its ``reportType``, plus who rebuilt it. It is signed with the same signing code
as ``pyprov attest`` (a Sigstore DSSE bundle) and written as
``<artifact>.rebuild.sigstore.json`` in the evidence directory. The artifact itself is not
signed: a rebuilder vouches for the rebuild, not for the publisher's file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pyprov._internal import outputs
from pyprov.evidence.layout import REBUILD_BUNDLE_SUFFIX as SUFFIX
from pyprov.rebuild.report import RebuildReport
from pyprov.signing import SigningPolicy, sign_files

PREDICATE_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/rebuild.md#predicate-v1"
"""The predicate type of the rebuild statement; a new major version gets a new URI."""


def rebuild_predicate(report: RebuildReport) -> dict[str, Any]:
    """The statement's predicate: the report (its JSON form without ``reportType``) and the rebuilder."""
    from pyprov import __version__  # noqa: PLC0415 - the package imports this module

    data = report.to_dict()
    del data["reportType"]
    data.pop("kept")
    return {"rebuilder": {"id": "https://github.com/pyprov/pyprov", "version": __version__}, **data}


def sign_rebuild(report: RebuildReport, artifact: Path, policy: SigningPolicy, evidence_dir: Path) -> Path:
    """Sign the statement about ``artifact`` (the one ``report`` rebuilt); return its bundle's path.

    Raises :class:`~pyprov.errors.SigningError` when signing fails (nothing is written)
    and :class:`~pyprov.errors.OutputError` when the evidence directory cannot be written.
    """
    outputs.make_directory(evidence_dir, "evidence")
    with tempfile.TemporaryDirectory(prefix=".pyprov-rebuild-", dir=evidence_dir) as stage:
        # An empty evidence directory of its own: sign_files would sign the publisher's
        # provenance and SBOM found next to the artifact, which the rebuilder does not vouch for.
        _, signed = sign_files(
            [artifact],
            policy,
            evidence_dir=Path(stage),
            attestations=((SUFFIX, PREDICATE_TYPE, rebuild_predicate(report)),),
        )
        (bundle,) = (path for item in signed for path in item.files if path.name == artifact.name + SUFFIX)
        return outputs.publish(bundle, evidence_dir)
