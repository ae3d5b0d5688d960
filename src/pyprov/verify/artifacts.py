"""Verifying artifacts against their evidence: the body of :func:`pyprov.verify.verify_artifacts`.

Each artifact's evidence is discovered (or named), every file is checked against the signer
policy with one loaded trust root, and missing evidence is a warning or, when required, a
failure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from pyprov.errors import ProjectError
from pyprov.verify.checks import GOOD_REBUILD_VERDICTS, CheckContext, EvidenceKind, Outcome, check_evidence
from pyprov.verify.discovery import Artifact, Evidence, Listings, discover, discover_rebuild, expand_arguments
from pyprov.verify.policy import SignerPolicy
from pyprov.verify.result import ArtifactResult, Check, VerificationReport, failed, warned
from pyprov.verify.trust import OFFLINE_NOTE, Trust, TrustSource, load_trust

Requirement = Literal["signature", "provenance", "sbom", "publish", "rebuild"]
"""Evidence that ``--require`` can make mandatory."""
REQUIREMENTS: tuple[Requirement, ...] = get_args(Requirement)
_WARN_WHEN_MISSING: tuple[EvidenceKind, ...] = ("provenance", "sbom")


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyOptions:
    """How to find evidence and what to require.

    ``bundles``, ``attestations`` and ``provenances`` name evidence files explicitly
    (then nothing is discovered; allowed with one artifact only). ``evidence_dir``
    overrides where pyprov's evidence is looked for. ``builder_ids`` is the allow-list
    for SLSA provenance's ``runDetails.builder.id`` (empty: any). ``require`` makes
    missing evidence of those kinds a failure instead of a warning. ``jobs`` is the
    number of artifacts verified at once.

    ``rebuilder`` is the signer policy of rebuild statements (``A.rebuild.sigstore.json``,
    written by ``pyprov rebuild --sign``): a rebuilder, not the publisher, signs them. With
    it, each artifact's rebuild statement is looked for (beside it and in the evidence
    directory, also when evidence is named explicitly) and must verify under that policy,
    name exactly this artifact and carry a verdict in ``rebuild_verdicts`` (default
    identical or equivalent). ``require`` may hold ``rebuild`` only with a ``rebuilder``.
    """

    bundles: tuple[Path, ...] = ()
    attestations: tuple[Path, ...] = ()
    provenances: tuple[Path, ...] = ()
    evidence_dir: Path | None = None
    builder_ids: tuple[str, ...] = ()
    require: frozenset[Requirement] = field(default_factory=frozenset)
    jobs: int = 1
    rebuilder: SignerPolicy | None = None
    rebuild_verdicts: frozenset[str] = GOOD_REBUILD_VERDICTS

    def __post_init__(self) -> None:
        if "rebuild" in self.require and self.rebuilder is None:
            raise ProjectError(
                "--require rebuild needs a rebuilder policy: a rebuild statement is signed by "
                "whoever rebuilt the artifact, not by its publisher",
                hint="give --rebuilder-identity ID --rebuilder-issuer URL",
            )
        if not self.rebuild_verdicts or not self.rebuild_verdicts <= GOOD_REBUILD_VERDICTS:
            raise ProjectError("the accepted rebuild verdicts are identical, equivalent or both")

    @property
    def explicit(self) -> tuple[Evidence, ...]:
        """The evidence files named explicitly."""
        return (
            *(Evidence(path, "bundle") for path in self.bundles),
            *(Evidence(path, "attestation") for path in self.attestations),
            *(Evidence(path, "provenance") for path in self.provenances),
        )


def verify_artifacts(
    artifacts: Sequence[str | Path],
    policy: SignerPolicy,
    trust: TrustSource | Trust,
    options: VerifyOptions | None = None,
) -> VerificationReport:
    """Verify each artifact (a file, a directory of artifacts, or ``sha256:<hex>``) against ``policy``.

    Raises :class:`~pyprov.errors.ProjectError` when verification cannot run.
    """
    options = options or VerifyOptions()
    if options.jobs < 1:
        raise ProjectError(f"-j/--jobs must be at least 1, not {options.jobs}")
    arguments = expand_arguments([str(item) for item in artifacts])
    if not arguments:
        raise ProjectError("nothing to verify: name at least one artifact")
    if options.explicit and len(arguments) != 1:
        raise ProjectError(
            "--bundle, --attestation and --provenance name the evidence of one artifact; "
            f"{len(arguments)} artifacts were given",
            hint="verify them one by one, or let pyprov find each artifact's evidence",
        )
    # Every argument is read before the trust root is loaded: a typo is reported as one,
    # not as a failure to reach Sigstore's TUF repository.
    parsed = [Artifact.from_argument(argument) for argument in arguments]
    for evidence in options.explicit:
        if not evidence.path.exists():  # a typo; an unreadable file is a failing check instead
            raise ProjectError(f"cannot read {evidence.path}: No such file or directory")
    loaded = trust if isinstance(trust, Trust) else load_trust(trust)
    context = CheckContext(
        verifier=loaded.verifier, policy=policy, trust=loaded.description, builder_ids=options.builder_ids
    )
    listings = Listings()

    def one(artifact: Artifact) -> ArtifactResult:
        return verify_one(artifact, context, options, listings)

    if options.jobs == 1 or len(parsed) == 1:
        results = [one(artifact) for artifact in parsed]
    else:
        with ThreadPoolExecutor(max_workers=options.jobs, thread_name_prefix="pyprov-verify") as pool:
            results = list(pool.map(one, parsed))
    notes: tuple[str, ...] = ()
    if isinstance(trust, TrustSource) and trust.offline:
        notes = (OFFLINE_NOTE,)
    described = policy.describe()
    if options.rebuilder is not None:
        described += f"; rebuilder {options.rebuilder.describe()}"
    return VerificationReport(
        trust=loaded.description, policy=described, artifacts=tuple(results), notes=notes
    )


def verify_one(
    artifact: Artifact, context: CheckContext, options: VerifyOptions, listings: Listings | None = None
) -> ArtifactResult:
    """Check every evidence file of one artifact, then what evidence is missing."""
    evidence = list(options.explicit)
    if not evidence and artifact.path is not None:
        evidence = discover(artifact.path, options.evidence_dir, listings)
    outcome = Outcome()
    if not evidence:
        where = (
            "given (a bare digest needs --bundle, --attestation or --provenance)"
            if artifact.path is None
            else "found beside the artifact or in the evidence directory"
        )
        outcome.add(failed("evidence", f"no signature, attestation or provenance {where}"))
    for item in evidence:
        outcome.extend(check_evidence(item, artifact, context))
    if options.rebuilder is not None and artifact.path is not None:
        rebuilder = dataclasses.replace(
            context, policy=options.rebuilder, rebuild_verdicts=options.rebuild_verdicts
        )
        for item in discover_rebuild(artifact.path, options.evidence_dir, listings):
            outcome.extend(check_evidence(item, artifact, rebuilder))
    failing = not all(c.ok for c in outcome.checks)
    outcome.checks += _missing(
        outcome, options.require, failing=failing, rebuilder=options.rebuilder is not None
    )
    return ArtifactResult(artifact=artifact.label, sha256=artifact.sha256, checks=tuple(outcome.checks))


def _missing(
    outcome: Outcome, require: frozenset[Requirement], *, failing: bool, rebuilder: bool = False
) -> list[Check]:
    """Failures for required evidence not proved; warnings for usual evidence not proved.

    The warnings are left out when the artifact already fails: a provenance that failed
    its checks is reported once, by its own failing line, not again as missing.
    """
    checks = []
    for kind in REQUIREMENTS:
        if kind in outcome.proved:
            continue
        if kind in require:
            checks.append(failed(f"required {kind}", f"no verified {kind} evidence", expected=kind))
        elif (kind in _WARN_WHEN_MISSING or (kind == "rebuild" and rebuilder)) and not failing:
            checks.append(warned(kind, f"no verified {kind} (use --require {kind} to make this a failure)"))
    return checks
