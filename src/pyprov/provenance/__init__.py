"""SLSA provenance: in-toto Statements v1 with an SLSA Provenance v1 predicate.

pyprov's buildType (what each parameter means) is defined in ``docs/build-type-v1.md``
(``docs/build-type-workflow-v1.md`` for statements signed by the L3 reusable workflow);
the JSON schemas are ``schemas/intoto-statement-v1.schema.json``,
``schemas/slsa-provenance-v1.schema.json`` and ``schemas/pyprov-build-type-v1.schema.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyprov._internal.lazy import lazy_exports

if TYPE_CHECKING:
    from pyprov.evidence.layout import BUNDLE_FILENAME, PROVENANCE_SUFFIX
    from pyprov.evidence.statement import STATEMENT_TYPE
    from pyprov.provenance.check import check_statement, load_statement
    from pyprov.provenance.level import BuildLevel, Signing, build_level, run_level
    from pyprov.provenance.reissue import (
        ReissuedProvenance,
        builder_id_from_token,
        parse_expected_hashes,
        reissue_provenance,
    )
    from pyprov.provenance.statement import (
        BUILD_TYPE,
        LOCAL_BUILDER_ID,
        PREDICATE_TYPE,
        dump_statement,
        github_workflow,
        make_statement,
        source_uri,
    )
    from pyprov.provenance.workflow import WORKFLOW_BUILD_TYPE
    from pyprov.provenance.writers import ProvenanceBundleWriter, ProvenanceWriter

# Imported on first use: `pyprov --help` and builds that do not need a module do not pay for it.
_EXPORTS = {
    "check_statement": "pyprov.provenance.check",
    "load_statement": "pyprov.provenance.check",
    "BuildLevel": "pyprov.provenance.level",
    "Signing": "pyprov.provenance.level",
    "build_level": "pyprov.provenance.level",
    "run_level": "pyprov.provenance.level",
    "ReissuedProvenance": "pyprov.provenance.reissue",
    "builder_id_from_token": "pyprov.provenance.reissue",
    "parse_expected_hashes": "pyprov.provenance.reissue",
    "reissue_provenance": "pyprov.provenance.reissue",
    "BUILD_TYPE": "pyprov.provenance.statement",
    "LOCAL_BUILDER_ID": "pyprov.provenance.statement",
    "PREDICATE_TYPE": "pyprov.provenance.statement",
    "STATEMENT_TYPE": "pyprov.evidence.statement",
    "dump_statement": "pyprov.provenance.statement",
    "github_workflow": "pyprov.provenance.statement",
    "make_statement": "pyprov.provenance.statement",
    "source_uri": "pyprov.provenance.statement",
    "WORKFLOW_BUILD_TYPE": "pyprov.provenance.workflow",
    "BUNDLE_FILENAME": "pyprov.evidence.layout",
    "PROVENANCE_SUFFIX": "pyprov.evidence.layout",
    "ProvenanceBundleWriter": "pyprov.provenance.writers",
    "ProvenanceWriter": "pyprov.provenance.writers",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "BUILD_TYPE",
    "BUNDLE_FILENAME",
    "LOCAL_BUILDER_ID",
    "PREDICATE_TYPE",
    "PROVENANCE_SUFFIX",
    "STATEMENT_TYPE",
    "WORKFLOW_BUILD_TYPE",
    "BuildLevel",
    "ProvenanceBundleWriter",
    "ProvenanceWriter",
    "ReissuedProvenance",
    "Signing",
    "build_level",
    "builder_id_from_token",
    "check_statement",
    "dump_statement",
    "github_workflow",
    "load_statement",
    "make_statement",
    "parse_expected_hashes",
    "reissue_provenance",
    "run_level",
    "source_uri",
]
