"""pyprov: build Python distributions and turn the build into verifiable evidence.

The public API is re-exported here and imported on first use, so that the command
line starts quickly; everything under ``pyprov._internal`` and ``pyprov._cli`` is
private.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"
__distribution__ = "pyprov-build"
"""The name on the package index (``pip install pyprov-build``): ``pyprov`` there is another project."""

if TYPE_CHECKING:
    from pyprov.build import BuildOptions, BuildResult, build_project
    from pyprov.errors import (
        BuildFailedError,
        OutputError,
        ProjectError,
        PyprovError,
        SigningError,
        VerificationError,
    )
    from pyprov.events import BuildEvent
    from pyprov.record import (
        Artifact,
        BuildEnvironment,
        BuildRecord,
        Digests,
        GitHubContext,
        GitSource,
        InstalledDistribution,
        Invocation,
        Source,
    )

_EXPORTS = {
    "BuildOptions": "pyprov.build",
    "BuildResult": "pyprov.build",
    "build_project": "pyprov.build",
    "BuildFailedError": "pyprov.errors",
    "OutputError": "pyprov.errors",
    "ProjectError": "pyprov.errors",
    "PyprovError": "pyprov.errors",
    "SigningError": "pyprov.errors",
    "VerificationError": "pyprov.errors",
    "BuildEvent": "pyprov.events",
    "Artifact": "pyprov.record",
    "BuildEnvironment": "pyprov.record",
    "BuildRecord": "pyprov.record",
    "Digests": "pyprov.record",
    "GitHubContext": "pyprov.record",
    "GitSource": "pyprov.record",
    "InstalledDistribution": "pyprov.record",
    "Invocation": "pyprov.record",
    "Source": "pyprov.record",
}

__all__ = [
    "Artifact",
    "BuildEnvironment",
    "BuildEvent",
    "BuildFailedError",
    "BuildOptions",
    "BuildRecord",
    "BuildResult",
    "Digests",
    "GitHubContext",
    "GitSource",
    "InstalledDistribution",
    "Invocation",
    "OutputError",
    "ProjectError",
    "PyprovError",
    "SigningError",
    "Source",
    "VerificationError",
    "__distribution__",
    "__version__",
    "build_project",
]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - module attributes are of any type
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pyprov' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
