"""Which Sigstore instance to sign against: production, staging, or a trust config file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pyprov._internal.untrusted import UntrustedInputError, read_untrusted_text
from pyprov.errors import ProjectError, SigningError

if TYPE_CHECKING:
    from sigstore.models import ClientTrustConfig

MAX_TRUST_CONFIG_BYTES = 4 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Instance:
    """A Sigstore instance: ``production``, ``staging``, or the one a trust config file describes."""

    kind: Literal["production", "staging", "trust-config"] = "production"
    trust_config: Path | None = None

    @property
    def description(self) -> str:
        """How the instance is named to people."""
        return (
            f"the instance of {self.trust_config}" if self.kind == "trust-config" else f"Sigstore {self.kind}"
        )

    def client_trust_config(self) -> ClientTrustConfig:
        """Load the instance's trust config, with Rekor v1 forced.

        PEP 740 attestations can carry only Rekor v1 entries, so every bundle pyprov makes
        uses Rekor v1. Production and staging come from sigstore-python's TUF client.
        """
        from sigstore.models import ClientTrustConfig  # noqa: PLC0415 - sigstore is slow to import

        if self.kind == "trust-config":
            if self.trust_config is None:
                raise ProjectError("a trust-config instance needs a trust config file")
            config = ClientTrustConfig.from_json(_read(self.trust_config))
        else:
            try:
                config = (
                    ClientTrustConfig.production()
                    if self.kind == "production"
                    else ClientTrustConfig.staging()
                )
            except Exception as error:
                raise SigningError(f"cannot load the trust root of {self.description}: {error}") from error
        config.force_tlog_version = 1
        return config


def _read(path: Path) -> str:
    try:
        return read_untrusted_text(path, limit=MAX_TRUST_CONFIG_BYTES, what="a trust config")
    except UntrustedInputError as error:
        detail = error.reason.removeprefix("cannot read: ")
        raise ProjectError(f"cannot read trust config {path}: {detail}") from error
