"""Fixtures for the GitHub Action tests: the simulated runner, one installed action venv per session.

The action's install step needs the package index (its pinned requirements are
downloaded by pip, as on GitHub); it runs for real once per session, in
``action_venv``, and every later job links that venv into its ``$RUNNER_TEMP``, where
the action's own reuse check finds it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pyprov.testing.sigstore import GitHubWorkflowIdentity, LocalSigstore
from tests.action.runner import JobResult, Machine, artifact_stand_ins, checkout_stand_in
from tests.conftest import ROOT, git

REPOSITORY = "octo-org/octo-repo"
WORKFLOW = "release.yml"
REUSABLE_REPOSITORY = "pyprov/pyprov"
REUSABLE_SHA = "b" * 40
REUSABLE_ID = (
    f"https://github.com/{REUSABLE_REPOSITORY}/.github/workflows/build-provenance.yml@refs/tags/v1.0.0"
)


def github_context(identity: GitHubWorkflowIdentity) -> dict[str, Any]:
    """The ``github`` context of the run an identity token describes (the caller's run)."""
    return {
        "repository": identity.repository,
        "repository_owner": identity.repository_owner,
        "sha": identity.sha,
        "ref": identity.ref,
        "workflow_ref": identity.workflow_ref,
        "workflow_sha": identity.sha,
        "server_url": "https://github.com",
        "run_id": identity.run_id,
        "run_attempt": identity.run_attempt,
        "event_name": identity.event_name,
        "actor": identity.actor,
    }


@pytest.fixture(scope="session")
def action_venv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, JobResult]:
    """Run the action's install step for real (install-only), once; return the venv and the result."""
    root = tmp_path_factory.mktemp("action-install")
    machine = Machine(root=root, github=github_context(GitHubWorkflowIdentity()), id_token_env={})
    job = machine.job("install", id_token=False)
    result = job.run_action(ROOT, {"install-only": "true"})
    assert result.ok, result.log()
    return job.temp / "pyprov-action-venv", result


@pytest.fixture
def caller_project(project: Callable[..., Path]) -> Callable[[str], Path]:
    """A fixture project committed on ``main`` with the caller's GitHub repository as ``origin``."""

    def make(name: str = "hatchling-pure") -> Path:
        source = project(name, git_init=True)
        git(source, "remote", "add", "origin", f"https://github.com/{REPOSITORY}")
        return source

    return make


def commit_of(source: Path) -> str:
    return git(source, "rev-parse", "HEAD").strip()


@pytest.fixture
def simulated(
    tmp_path: Path, action_venv: tuple[Path, JobResult]
) -> Callable[..., tuple[Machine, LocalSigstore]]:
    """Make a simulated runner for a caller's run, with a local Sigstore instance serving its tokens."""
    started: list[LocalSigstore] = []

    def make(
        source: Path, *, job_workflow_ref: str | None = None, fulcio_audience: str = "sigstore"
    ) -> tuple[Machine, LocalSigstore]:
        identity = GitHubWorkflowIdentity(
            repository=REPOSITORY,
            workflow=WORKFLOW,
            ref="refs/heads/main",
            sha=commit_of(source),
            job_workflow_ref=job_workflow_ref,
            job_workflow_sha=REUSABLE_SHA if job_workflow_ref else None,
        )
        instance = LocalSigstore(
            tmp_path / "sigstore", github_workflow=identity, fulcio_audience=fulcio_audience
        ).start()
        started.append(instance)
        env = instance.github_env()
        env.pop("GITHUB_ACTIONS")
        machine = Machine(
            root=tmp_path / "runner",
            github=github_context(identity),
            id_token_env=env,
            stand_ins={
                "actions/checkout": checkout_stand_in(
                    {REPOSITORY: source, REUSABLE_REPOSITORY: ROOT}, linked=frozenset({REUSABLE_REPOSITORY})
                ),
                **artifact_stand_ins(tmp_path / "artifacts"),
            },
            shared_venv=action_venv[0],
        )
        return machine, instance

    yield make  # type: ignore[misc]
    for instance in started:
        instance.stop()


def pyprov(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run this checkout's pyprov as a consumer would (outside the action's venv)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for name in list(env):
        if name.startswith(("PYPROV_", "SIGSTORE_", "GITHUB_", "ACTIONS_")):
            del env[name]
    return subprocess.run(
        [sys.executable, "-m", "pyprov", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
