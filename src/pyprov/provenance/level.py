"""The SLSA Build level a run can honestly claim, and why.

SLSA v1.0 levels are properties of the build platform and of how the provenance is
protected, not of the artifact: L1 provenance exists; L2 it is signed by a hosted
build platform; L3 the signing identity is out of reach of the build steps. pyprov
claims a level only from facts it recorded and from how the caller says the
statement is (to be) signed; a verifier establishes the level from the verified
signature and ``builder.id``, never from this claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pyprov.record import BuildRecord, GitHubContext

Signing = Literal["unsigned", "personal-identity", "hosted-identity", "isolated-reusable-workflow"]
"""How the statement is signed.

``unsigned``: not at all. ``personal-identity``: with an identity that is not a hosted
build platform's (a person's, or a token given by hand). ``hosted-identity``: with the CI platform's workload
identity (GitHub Actions OIDC) from the job that ran the build. ``isolated-reusable-workflow``:
by pyprov's reusable workflow, whose build job has no access to the signing identity.
"""

BuildLevelNumber = Literal[1, 2, 3]


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildLevel:
    """An SLSA Build level with the reason it is the highest the facts support."""

    level: BuildLevelNumber
    reason: str
    signing: Signing

    def __str__(self) -> str:
        return f"SLSA Build L{self.level}"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form stored in ``internalParameters.slsaBuildLevel``."""
        return {"level": self.level, "reason": self.reason, "signing": self.signing}


def build_level(*records: BuildRecord, signing: Signing = "unsigned") -> BuildLevel:
    """Return the SLSA Build level the builds in ``records`` can claim when signed as ``signing`` says.

    Never more than the facts support: unsigned provenance is L1 wherever it was made;
    L2 needs a signature by a hosted CI identity *and* a build on a runner that
    platform hosts; L3 needs, in addition, the isolated reusable workflow.
    """
    if not records:
        raise ValueError("build_level needs at least one build record")
    return run_level([record.invocation.github for record in records], signing=signing)


def run_level(contexts: Sequence[GitHubContext | None], *, signing: Signing = "unsigned") -> BuildLevel:
    """Return the SLSA Build level of runs in these CI contexts (``None``: not in GitHub Actions).

    The rules of :func:`build_level`, for anything that records a GitHub context (``pyprov run``).
    """
    if signing == "unsigned":
        return BuildLevel(
            level=1,
            signing=signing,
            reason="the provenance is unsigned: anyone able to write the file could have written it "
            "(L2 needs it signed by a hosted build platform)",
        )
    if signing == "personal-identity":
        return BuildLevel(
            level=1,
            signing=signing,
            reason="signed with an identity that is not a hosted build platform's: the signature names "
            "who vouches, but no platform attests how the build ran (L2 needs the CI's own identity)",
        )
    if not contexts or any(github is None for github in contexts):
        return BuildLevel(
            level=1,
            signing=signing,
            reason="the build did not run in GitHub Actions, so no hosted build platform vouches for it",
        )
    environments = {github.runner_environment for github in contexts if github is not None}
    if environments != {"github-hosted"}:
        found = ", ".join(sorted(str(env) for env in environments))
        return BuildLevel(
            level=1,
            signing=signing,
            reason=f"the runner is not GitHub-hosted (RUNNER_ENVIRONMENT: {found}): "
            "its owner, not the platform, controls the build machine",
        )
    if signing == "hosted-identity":
        return BuildLevel(
            level=2,
            signing=signing,
            reason="signed with the GitHub Actions workflow identity on a GitHub-hosted runner; "
            "not L3: the build steps ran in the job that could use the signing identity",
        )
    return BuildLevel(
        level=3,
        signing=signing,
        reason="built on a GitHub-hosted runner by the isolated reusable workflow, "
        "whose build job cannot reach the signing identity",
    )
