"""``pyprov run`` and ``pyprov merge``: evidence for artifacts that no PEP 517 backend builds.

- :func:`record_run`: run any build command (``make dist``, a release script,
  cibuildwheel), hash its materials before and its products after, and write for each
  product a run record, an SBOM (wheels) and SLSA provenance with pyprov's generic
  buildType (``docs/build-type-generic-v1.md``).
- :func:`merge_evidence`: the evidence directories of several matrix jobs as one release set.
"""

from __future__ import annotations

from pyprov.evidence.layout import RELEASE_FILENAME, RUN_RECORD_SUFFIX
from pyprov.run.command import redact_command
from pyprov.run.record import RUN_RECORD_TYPE, RecordedFile, RunRecord
from pyprov.run.recorder import RunOptions, RunResult, SbomChoice, record_run
from pyprov.run.release_set import RELEASE_PREDICATE_TYPE, MergeResult, merge_evidence
from pyprov.run.statement import GENERIC_BUILD_TYPE, make_run_statement

__all__ = [
    "GENERIC_BUILD_TYPE",
    "RELEASE_FILENAME",
    "RELEASE_PREDICATE_TYPE",
    "RUN_RECORD_SUFFIX",
    "RUN_RECORD_TYPE",
    "MergeResult",
    "RecordedFile",
    "RunOptions",
    "RunRecord",
    "RunResult",
    "SbomChoice",
    "make_run_statement",
    "merge_evidence",
    "record_run",
    "redact_command",
]
