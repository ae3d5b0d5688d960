"""Faults that can be switched on at runtime on a running local Sigstore instance."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

Service = Literal["fulcio", "rekor", "oidc"]
"""The local services, as named by the fault switches."""

SERVICES: tuple[Service, ...] = ("fulcio", "rekor", "oidc")


@dataclass
class Faults:
    """Fault switches, read by the services on every request (set them at any time).

    Each switch makes the real sigstore-python client fail, either while signing or while
    verifying what it signed:

    - ``bad_sct``: Fulcio embeds an SCT whose signature does not verify (signing fails: the
      client checks the SCT of the certificate it receives).
    - ``chain_too_short``: Fulcio returns the leaf certificate without its CA (signing fails).
    - ``wrong_checkpoint_key_hint``: Rekor signs its checkpoint correctly but names another key
      in the note's key hint (verification fails).
    - ``inclusion_proof_for_other_root``: Rekor returns an inclusion proof and a validly signed
      checkpoint for a root hash the proof does not lead to (verification fails).
    - ``integrated_time_outside_validity``: Rekor records (and signs) an integrated time after
      the signing certificate expired (verification fails).
    - ``http_500``: the named services answer every request with HTTP 500.
    - ``delay``: the named services wait that many seconds before answering (a client with a
      shorter timeout gives up; sigstore-python's Fulcio and Rekor clients set none).
    - ``timeout``: the named services wait that many seconds and then close the connection
      without answering, as a gateway that timed out does; every client fails.
    """

    bad_sct: bool = False
    chain_too_short: bool = False
    wrong_checkpoint_key_hint: bool = False
    inclusion_proof_for_other_root: bool = False
    integrated_time_outside_validity: bool = False
    http_500: set[Service] = field(default_factory=set)
    delay: dict[Service, float] = field(default_factory=dict)
    timeout: dict[Service, float] = field(default_factory=dict)

    def reset(self) -> None:
        """Switch every fault off."""
        fresh = Faults()
        for switch in fields(self):
            setattr(self, switch.name, getattr(fresh, switch.name))
