"""The run record: what one ``pyprov run`` hashed before the command, ran, and hashed after.

Its JSON form (``to_dict``/``from_dict``, camelCase keys) is defined in
``docs/build-type-generic-v1.md`` (section "The run record"); the provenance of each
product is derived from it alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyprov.record import BuildIsolation, Digests, GitSource, Invocation, JSONForm

RUN_RECORD_TYPE = "https://github.com/pyprov/pyprov/blob/main/docs/build-type-generic-v1.md#run-record-v1"
"""The ``recordType`` of every run record; a new major version gets a new URI."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedFile(JSONForm):
    """A material or product: its path relative to the working directory, size and digests."""

    path: str
    """POSIX path relative to the working directory (``dist/release-1.0.tar.gz``)."""
    size: int
    digests: Digests

    @property
    def name(self) -> str:
        """The file name: a product's subject name and evidence file prefix."""
        return self.path.rsplit("/", 1)[-1]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordedFile:
        """Read the JSON form."""
        return cls(path=data["path"], size=data["size"], digests=Digests.from_dict(data["digests"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord(JSONForm):
    """One successful run of a command and the files it read and wrote."""

    command: tuple[str, ...]
    """The command line as run, with secrets replaced by ``***``."""
    workdir: str
    """The absolute working directory the command ran in (globs are relative to it)."""
    material_patterns: tuple[str, ...]
    product_patterns: tuple[str, ...]
    materials: tuple[RecordedFile, ...]
    """Files matching ``material_patterns``, hashed before the command ran, sorted by path."""
    products: tuple[RecordedFile, ...]
    """Files matching ``product_patterns``, hashed after the command ran, sorted by path."""
    git: GitSource | None
    """The git checkout the working directory lies in, read before the command ran."""
    exit_status: int
    credentials_withheld: tuple[str, ...]
    """Names (never values) of the credential variables the command did not see."""
    invocation: Invocation
    """pyprov's version and command line, the interpreter, platform, times and CI context."""
    warnings: tuple[str, ...] = ()
    isolation: BuildIsolation | None = None
    """How the command was kept away from pyprov (``None`` in records of older pyprov)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form, ``recordType`` first."""
        return {"recordType": RUN_RECORD_TYPE, **JSONForm.to_dict(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunRecord:
        """Read the JSON form; raises ``ValueError`` for another record type."""
        if data.get("recordType") != RUN_RECORD_TYPE:
            raise ValueError(f"not a pyprov run record: recordType is {data.get('recordType')!r}")
        git = data.get("git")
        return cls(
            command=tuple(data["command"]),
            workdir=data["workdir"],
            material_patterns=tuple(data["materialPatterns"]),
            product_patterns=tuple(data["productPatterns"]),
            materials=tuple(RecordedFile.from_dict(item) for item in data["materials"]),
            products=tuple(RecordedFile.from_dict(item) for item in data["products"]),
            git=GitSource.from_dict(git) if git else None,
            exit_status=data["exitStatus"],
            credentials_withheld=tuple(data.get("credentialsWithheld", ())),
            invocation=Invocation.from_dict(data["invocation"]),
            warnings=tuple(data.get("warnings", ())),
            isolation=BuildIsolation.from_dict(data["isolation"]) if data.get("isolation") else None,
        )
