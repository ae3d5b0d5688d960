"""The build record: what went into one PEP 517 build and what came out of it.

A :class:`BuildRecord` describes the build of one distribution (an sdist or a wheel).
Its JSON form (``to_dict``/``from_dict``, camelCase keys) is defined by
``schemas/build-record-v1.schema.json`` and documented in ``docs/build-record.md``.
"""

from __future__ import annotations

import dataclasses
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

# A record type, defined beside the function that computes it; "as" re-exports it.
from pyprov._internal.hashing import Digests as Digests  # noqa: PLC0414

RECORD_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/build-record.md#v1"
"""The ``recordType`` of every build record; a new major version gets a new URI."""

DistributionKind = Literal["sdist", "wheel"]
Installer = Literal["pip", "uv"]
ConfigSettings = Mapping[str, "str | list[str]"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _to_json(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {_camel(f.name): _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_to_json(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _to_json(item) for key, item in value.items()}
    return value


class JSONForm:
    """Mixin: the camelCase JSON form of a record dataclass (build and run records alike).

    Fields in declaration order, nested dataclasses and tuples converted, ``None`` kept.
    """

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form, with camelCase keys."""
        return cast("dict[str, Any]", _to_json(self))


@dataclass(frozen=True, slots=True, kw_only=True)
class ArtifactReference(JSONForm):
    """Another artifact this one was built from (the sdist a wheel came from)."""

    filename: str
    sha256: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArtifactReference:
        """Read the JSON form."""
        return cls(filename=data["filename"], sha256=data["sha256"])


@dataclass(frozen=True, slots=True, kw_only=True)
class Artifact(JSONForm):
    """A distribution file the build produced."""

    filename: str
    kind: DistributionKind
    size: int
    digests: Digests
    built_from: ArtifactReference | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Artifact:
        """Read the JSON form."""
        built_from = data.get("builtFrom")
        return cls(
            filename=data["filename"],
            kind=data["kind"],
            size=data["size"],
            digests=Digests.from_dict(data["digests"]),
            built_from=ArtifactReference.from_dict(built_from) if built_from else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class GitSource(JSONForm):
    """The git checkout the source directory belongs to."""

    commit: str
    remote: str | None = None
    """URL of the ``origin`` remote (or the only remote), with any credentials removed."""
    ref: str | None = None
    """The checked-out branch as a full ref (``refs/heads/main``); ``None`` when detached."""
    tags: tuple[str, ...] = ()
    """Tags pointing at ``commit``."""
    dirty: bool = False
    modified: tuple[str, ...] = ()
    """Paths (relative to the repository root) that differ from ``commit``, untracked ones included."""
    subdirectory: str = ""
    """The source directory relative to the repository root (``""`` for the root itself)."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GitSource:
        """Read the JSON form."""
        return cls(
            commit=data["commit"],
            remote=data.get("remote"),
            ref=data.get("ref"),
            tags=tuple(data.get("tags", ())),
            dirty=data.get("dirty", False),
            modified=tuple(data.get("modified", ())),
            subdirectory=data.get("subdirectory", ""),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class FileList(JSONForm):
    """A digest of an sdist's member list (sorted names, one per line, UTF-8)."""

    sha256: str
    count: int

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileList:
        """Read the JSON form."""
        return cls(sha256=data["sha256"], count=data["count"])


@dataclass(frozen=True, slots=True, kw_only=True)
class Source(JSONForm):
    """Where the build's source came from."""

    path: str
    """The absolute source directory the user named."""
    git: GitSource | None = None
    sdist: ArtifactReference | None = None
    """For a wheel built from an sdist: that sdist."""
    sdist_file_list: FileList | None = None
    """For an sdist, or a wheel built from one: the sdist's file list."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Source:
        """Read the JSON form."""
        git, sdist, files = data.get("git"), data.get("sdist"), data.get("sdistFileList")
        return cls(
            path=data["path"],
            git=GitSource.from_dict(git) if git else None,
            sdist=ArtifactReference.from_dict(sdist) if sdist else None,
            sdist_file_list=FileList.from_dict(files) if files else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class InstalledDistribution(JSONForm):
    """A distribution installed in the build environment when the backend ran."""

    name: str
    version: str
    wheel_sha256: str | None = None
    """SHA-256 of the file the installer installed, from its installation report (pip only)."""
    url: str | None = None
    """Where the installer got it (credentials removed), from its installation report (pip only)."""
    record_sha256: str | None = None
    """SHA-256 of the installed ``RECORD`` file, which lists the hash of every installed file."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InstalledDistribution:
        """Read the JSON form."""
        return cls(
            name=data["name"],
            version=data["version"],
            wheel_sha256=data.get("wheelSha256"),
            url=data.get("url"),
            record_sha256=data.get("recordSha256"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildIsolation(JSONForm):
    """What protected pyprov from the build code (backend hooks, installer) of one build."""

    sandbox: str | None
    """``"bubblewrap 0.8.0"``, or ``None`` when build code ran unsandboxed."""
    pid_namespace: bool
    """Its own PID namespace and ``/proc``: no process of pyprov or its parents was visible."""
    private_tmp: bool
    network: Literal["allowed", "none"]
    """``none``: the backend hooks ran without network (``--hermetic``)."""
    no_new_privileges: bool
    capabilities_dropped: bool
    credential_files_hidden: bool
    """Credential files (``~/.pypirc``, ``~/.netrc``, ``~/.ssh``...) and agent sockets were hidden."""
    reason: str | None = None
    """Why there was no sandbox."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BuildIsolation:
        """Read the JSON form."""
        return cls(
            sandbox=data["sandbox"],
            pid_namespace=data["pidNamespace"],
            private_tmp=data["privateTmp"],
            network=data["network"],
            no_new_privileges=data["noNewPrivileges"],
            capabilities_dropped=data["capabilitiesDropped"],
            credential_files_hidden=data["credentialFilesHidden"],
            reason=data.get("reason"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildEnvironment(JSONForm):
    """The environment the backend ran in, captured before it was torn down."""

    isolated: bool
    installer: Installer | None
    """The installer of an isolated environment; ``None`` without isolation."""
    backend: str
    backend_path: tuple[str, ...] = ()
    build_system_requires: tuple[str, ...] = ()
    """``build-system.requires`` as written in ``pyproject.toml``."""
    backend_requires: tuple[str, ...] = ()
    """What the backend's ``get_requires_for_build_<kind>`` hook asked for."""
    installed: tuple[InstalledDistribution, ...] = ()
    """Every distribution in the environment, sorted by name."""
    isolation: BuildIsolation | None = None
    """How build code was kept away from pyprov; ``None`` in records of pyprov before 0.4."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BuildEnvironment:
        """Read the JSON form."""
        return cls(
            isolated=data["isolated"],
            installer=data.get("installer"),
            backend=data["backend"],
            backend_path=tuple(data.get("backendPath", ())),
            build_system_requires=tuple(data.get("buildSystemRequires", ())),
            backend_requires=tuple(data.get("backendRequires", ())),
            installed=tuple(InstalledDistribution.from_dict(item) for item in data.get("installed", ())),
            isolation=BuildIsolation.from_dict(data["isolation"]) if data.get("isolation") else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class GitHubContext(JSONForm):
    """The GitHub Actions run the build happened in (from its environment variables)."""

    server_url: str
    repository: str
    sha: str
    ref: str
    workflow_ref: str
    run_id: str
    run_attempt: str
    runner_environment: str | None = None

    @property
    def run_url(self) -> str:
        """The URL of the run's attempt, as GitHub shows it."""
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}/attempts/{self.run_attempt}"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> GitHubContext | None:
        """The GitHub Actions run described by ``environ``, or ``None`` outside GitHub Actions."""
        if environ.get("GITHUB_ACTIONS") != "true":
            return None
        return cls(
            server_url=environ.get("GITHUB_SERVER_URL", "https://github.com"),
            repository=environ.get("GITHUB_REPOSITORY", ""),
            sha=environ.get("GITHUB_SHA", ""),
            ref=environ.get("GITHUB_REF", ""),
            workflow_ref=environ.get("GITHUB_WORKFLOW_REF", ""),
            run_id=environ.get("GITHUB_RUN_ID", ""),
            run_attempt=environ.get("GITHUB_RUN_ATTEMPT", ""),
            runner_environment=environ.get("RUNNER_ENVIRONMENT"),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GitHubContext:
        """Read the JSON form."""
        return cls(
            server_url=data["serverUrl"],
            repository=data["repository"],
            sha=data["sha"],
            ref=data["ref"],
            workflow_ref=data["workflowRef"],
            run_id=data["runId"],
            run_attempt=data["runAttempt"],
            runner_environment=data.get("runnerEnvironment"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Invocation(JSONForm):
    """How and where pyprov was run for this build."""

    pyprov_version: str
    argv: tuple[str, ...]
    config_settings: Mapping[str, str | list[str]] = field(default_factory=dict)
    python_implementation: str
    python_version: str
    platform: str
    """``platform.platform()``, e.g. ``Linux-6.1.0-x86_64-with-glibc2.36``."""
    system: str
    machine: str
    source_date_epoch: int | None = None
    started_on: str
    """RFC 3339 UTC time the build of this distribution started."""
    finished_on: str
    github: GitHubContext | None = None

    @classmethod
    def here(
        cls,
        *,
        argv: tuple[str, ...],
        started_on: str,
        finished_on: str,
        config_settings: Mapping[str, str | list[str]] | None = None,
        source_date_epoch: int | None = None,
        github: GitHubContext | None = None,
    ) -> Invocation:
        """The invocation of this process: pyprov's version, this interpreter and platform."""
        from pyprov import __version__  # noqa: PLC0415 - the package imports this module

        return cls(
            pyprov_version=__version__,
            argv=argv,
            config_settings=dict(config_settings or {}),
            python_implementation=platform.python_implementation(),
            python_version=platform.python_version(),
            platform=platform.platform(),
            system=platform.system(),
            machine=platform.machine(),
            source_date_epoch=source_date_epoch,
            started_on=started_on,
            finished_on=finished_on,
            github=github,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Invocation:
        """Read the JSON form."""
        github = data.get("github")
        return cls(
            pyprov_version=data["pyprovVersion"],
            argv=tuple(data["argv"]),
            config_settings=dict(data.get("configSettings", {})),
            python_implementation=data["pythonImplementation"],
            python_version=data["pythonVersion"],
            platform=data["platform"],
            system=data["system"],
            machine=data["machine"],
            source_date_epoch=data.get("sourceDateEpoch"),
            started_on=data["startedOn"],
            finished_on=data["finishedOn"],
            github=GitHubContext.from_dict(github) if github else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildRecord(JSONForm):
    """What went into the build of one distribution and what came out."""

    artifact: Artifact
    source: Source
    environment: BuildEnvironment
    invocation: Invocation

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form, ``recordType`` first."""
        return {"recordType": RECORD_TYPE, **JSONForm.to_dict(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BuildRecord:
        """Read the JSON form; raises ``ValueError`` for another record type."""
        if data.get("recordType") != RECORD_TYPE:
            raise ValueError(f"not a pyprov build record: recordType is {data.get('recordType')!r}")
        return cls(
            artifact=Artifact.from_dict(data["artifact"]),
            source=Source.from_dict(data["source"]),
            environment=BuildEnvironment.from_dict(data["environment"]),
            invocation=Invocation.from_dict(data["invocation"]),
        )
