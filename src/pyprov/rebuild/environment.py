"""The build environment of a rebuild: from pyprov's build record, or inferred from the artifact.

A build record names every distribution that was installed in the build environment,
the installer, the interpreter, the config settings and ``SOURCE_DATE_EPOCH``: the
rebuild pins all of them. Without one, the environment is inferred as OSS Rebuild does:
the backend and its version from the wheel's ``WHEEL`` ``Generator``, the other build
requirements as of the artifact's publication time (estimated from its member times;
uv's ``--exclude-newer``, pip's ``--uploaded-prior-to``) and ``SOURCE_DATE_EPOCH`` from
the newest member time. Every fact says where it came from.
"""

from __future__ import annotations

import dataclasses
import datetime
import platform
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pyprov._internal.redaction import REDACTED
from pyprov.rebuild.archive import Listing, read_text
from pyprov.record import BuildRecord, InstalledDistribution, Installer

Origin = Literal["record", "inferred"]

# Zip cannot store times before 1980, and hatchling's default sdist time is 2020-02-02: member
# times at or before this say nothing about when an artifact was published.
_NOT_A_PUBLICATION_TIME = 1580601600  # 2020-02-02T00:00:00Z

# WHEEL "Generator:" lines of the common backends -> the distribution that wrote them.
_GENERATORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^flit (\S+)$"), "flit-core"),
    (re.compile(r"^hatchling (\S+)$"), "hatchling"),
    (re.compile(r"^poetry(?:-core)? (\S+)$"), "poetry-core"),
    (re.compile(r"^pdm-backend \((\S+)\)$"), "pdm-backend"),
    (re.compile(r"^setuptools \((\S+)\)$"), "setuptools"),
    (re.compile(r"^bdist_wheel \((\S+)\)$"), "wheel"),
)
_TOP_LEVEL = 2  # path parts of a file in an archive's top-level directory
_VERSION = re.compile(r"^[A-Za-z0-9.+!_-]{1,64}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """One fact about the rebuild's environment, and where it came from."""

    name: str
    value: str
    origin: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {"name": self.name, "value": self.value, "origin": self.origin}


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildEnvironment:
    """What the rebuild pins, and the facts behind it."""

    origin: Origin
    installer: Installer
    pins: tuple[str, ...] = ()
    """``name==version`` constraints for the installer of the build environment."""
    expected: tuple[InstalledDistribution, ...] = ()
    """From a record: what must be installed, with the wheel digests pip reported."""
    source_date_epoch: int | None = None
    exclude_newer: str | None = None
    """RFC 3339 UTC: build requirements must have been uploaded before this."""
    config_settings: Mapping[str, str | list[str]] = field(default_factory=dict)
    facts: tuple[Fact, ...] = ()
    warnings: tuple[str, ...] = ()

    def environ(self, constraints: str) -> dict[str, str]:
        """The variables the build code gets, ``constraints`` being the path of the pins file."""
        env = {"PIP_CONSTRAINT": constraints, "UV_CONSTRAINT": constraints}
        if self.source_date_epoch is not None:
            env["SOURCE_DATE_EPOCH"] = str(self.source_date_epoch)
        if self.exclude_newer is not None:
            env["UV_EXCLUDE_NEWER"] = self.exclude_newer
            env["PIP_UPLOADED_PRIOR_TO"] = self.exclude_newer
        return env

    def with_fact(self, fact: Fact) -> RebuildEnvironment:
        """A copy with one more fact."""
        return dataclasses.replace(self, facts=(*self.facts, fact))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "origin": self.origin,
            "installer": self.installer,
            "pins": list(self.pins),
            "sourceDateEpoch": self.source_date_epoch,
            "excludeNewer": self.exclude_newer,
            "configSettings": dict(self.config_settings),
            "facts": [fact.to_dict() for fact in self.facts],
            "warnings": list(self.warnings),
        }


def from_record(record: BuildRecord, where: str) -> RebuildEnvironment:
    """Pin everything the build record ``record`` (read from ``where``) says was used."""
    env, invocation = record.environment, record.invocation
    origin = f"build record {Path(where).name}"
    installed = tuple(item for item in env.installed if _VERSION.match(item.version))
    pins = tuple(f"{item.name}=={item.version}" for item in installed)
    facts = [
        Fact(name="backend", value=env.backend, origin=origin),
        Fact(name="buildRequirements", value=", ".join(pins) or "(none)", origin=origin),
        Fact(name="installer", value=env.installer or "none (built without isolation)", origin=origin),
        Fact(
            name="interpreter",
            value=f"{invocation.python_implementation} {invocation.python_version}",
            origin=origin,
        ),
        Fact(name="sourceDateEpoch", value=str(invocation.source_date_epoch), origin=origin),
    ]
    warnings: list[str] = []
    if not env.isolated:
        warnings.append("the recorded build ran without isolation: its environment cannot be pinned exactly")
    here = platform.python_version()
    if _minor(invocation.python_version) != _minor(here):
        warnings.append(
            f"the recorded build ran on Python {invocation.python_version}; this rebuild on {here}"
        )
    settings = dict(invocation.config_settings)
    if any(REDACTED in str(value) for value in settings.values()):
        warnings.append("the record's config settings hold redacted values; they are passed as recorded")
    if settings:
        facts.append(Fact(name="configSettings", value=repr(settings), origin=origin))
    return RebuildEnvironment(
        origin="record",
        installer=env.installer or "pip",
        pins=pins,
        expected=installed,
        source_date_epoch=invocation.source_date_epoch,
        config_settings=settings,
        facts=tuple(facts),
        warnings=tuple(warnings),
    )


def infer(
    artifact: Listing,
    source: Listing | None,
    *,
    installer: Installer,
    exclude_newer: str | None = None,
    pins: tuple[str, ...] = (),
    sibling_wheel: Listing | None = None,
) -> RebuildEnvironment:
    """Infer the environment from the published ``artifact`` (and the sdist it is rebuilt from).

    ``pins`` (``name==version``) are the user's and win over inferred ones; for an sdist,
    ``sibling_wheel`` is a wheel of the same release whose ``Generator`` names the backend.
    """
    facts = [Fact(name="pin", value=pin, origin="--pin") for pin in pins]
    warnings: list[str] = []
    pinned = {_requirement_name(pin) for pin in pins}
    pins_ = list(pins)
    wheel = artifact if artifact.format == "zip" else sibling_wheel
    if wheel is not None:
        where = "WHEEL Generator" if wheel is artifact else f"WHEEL Generator of {wheel.path.name}"
        generator = _wheel_generator(wheel)
        if generator is None:
            warnings.append("the wheel names no Generator: the backend's newest version is used")
        else:
            pin = _pin_for(generator)
            facts.append(Fact(name="generator", value=generator, origin=where))
            if pin is None:
                warnings.append(f"unknown wheel generator {generator!r}: the backend's version is not pinned")
            elif _requirement_name(pin) not in pinned:
                pins_.append(pin)
                facts.append(Fact(name="backend", value=pin, origin=where))
    build_system = _sdist_build_system(source or artifact)
    if build_system:
        facts.append(Fact(name="buildSystemRequires", value=build_system, origin="sdist pyproject.toml"))
    epoch, where = _epoch(artifact)
    if epoch is not None:
        facts.append(Fact(name="sourceDateEpoch", value=str(epoch), origin=where))
    else:
        facts.append(Fact(name="sourceDateEpoch", value="unset", origin=where))
    if exclude_newer is not None:
        facts.append(Fact(name="excludeNewer", value=exclude_newer, origin="--exclude-newer"))
    else:
        # One time on every member is SOURCE_DATE_EPOCH (often the commit's time, possibly
        # long before the build): only varied file times are times of the build.
        published = [
            time for listing in (artifact, source) if listing is not None for time in _file_times(listing)
        ]
        if published:
            # Built at the newest member time; uploaded within a day of it.
            moment = datetime.datetime.fromtimestamp(max(published), datetime.timezone.utc)
            exclude_newer = _rfc3339(moment + datetime.timedelta(days=1))
            facts.append(Fact(name="excludeNewer", value=exclude_newer, origin="newest member time + 1 day"))
        else:
            warnings.append(
                "the member times do not tell when the artifact was published: build requirements "
                "not pinned are resolved as of today (use --exclude-newer)"
            )
    return RebuildEnvironment(
        origin="inferred",
        installer=installer,
        pins=tuple(pins_),
        source_date_epoch=epoch,
        exclude_newer=exclude_newer,
        facts=tuple(facts),
        warnings=tuple(warnings),
    )


def _epoch(artifact: Listing) -> tuple[int | None, str]:
    """``SOURCE_DATE_EPOCH`` of the build, from the time of the metadata the backend wrote last.

    A wheel's ``WHEEL`` file (an sdist's ``PKG-INFO``) is written at build time: its time
    is ``SOURCE_DATE_EPOCH`` when it was set, else a backend's fixed default (then it
    stays unset) or the build's clock.
    """
    wanted = "WHEEL" if artifact.format == "zip" else "PKG-INFO"
    for member in artifact.members:
        path = PurePosixPath(member.name)
        if len(path.parts) == _TOP_LEVEL and path.name == wanted:
            if member.mtime in _BACKEND_DEFAULT_TIMES:
                return None, f"{wanted} time is a backend's default ({_BACKEND_DEFAULT_TIMES[member.mtime]})"
            if member.mtime != 0:
                return member.mtime, f"time of {member.name}"
            break  # flit and poetry-core write PKG-INFO at time 0, the other members at their own
    newest = max((m.mtime for m in artifact.members if m.kind == "file"), default=None)
    return newest, "newest member time of the artifact"


# Times backends use when SOURCE_DATE_EPOCH is unset.
_BACKEND_DEFAULT_TIMES = {
    1451606400: "flit, poetry-core: 2016-01-01",
    315532800: "zip's earliest: 1980-01-01",
    318211200: "hatchling: 1980-02-01",
    1580601600: "hatchling: 2020-02-02",
}


def _file_times(listing: Listing) -> list[int]:
    times = [m.mtime for m in listing.members if m.kind == "file" and m.mtime > _NOT_A_PUBLICATION_TIME]
    return times if len(set(times)) > 1 else []


def _requirement_name(pin: str) -> str:
    return re.sub(r"[-_.]+", "-", pin.partition("==")[0]).strip().lower()


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _rfc3339(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _wheel_generator(listing: Listing) -> str | None:
    for member in listing.members:
        path = PurePosixPath(member.name)
        if len(path.parts) == _TOP_LEVEL and path.parts[0].endswith(".dist-info") and path.name == "WHEEL":
            text = read_text(listing.path, member.name) or ""
            for line in text.splitlines():
                key, _, value = line.partition(":")
                if key.strip().lower() == "generator":
                    return value.strip()[:200]
    return None


def _pin_for(generator: str) -> str | None:
    for pattern, distribution in _GENERATORS:
        match = pattern.match(generator)
        if match and _VERSION.match(match.group(1)):
            return f"{distribution}=={match.group(1)}"
    return None


def _sdist_build_system(listing: Listing) -> str | None:
    """``build-system.requires`` of an sdist's top-level ``pyproject.toml``."""
    if listing.format != "tar.gz":
        return None
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415

    for member in listing.members:
        path = PurePosixPath(member.name)
        if len(path.parts) == _TOP_LEVEL and path.name == "pyproject.toml" and member.kind == "file":
            try:
                data = tomllib.loads(read_text(listing.path, member.name) or "")
            except (ValueError, RecursionError):
                return None
            requires = data.get("build-system", {}).get("requires", [])
            if isinstance(requires, list):
                return ", ".join(str(item) for item in requires)
    return None
