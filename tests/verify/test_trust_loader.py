"""`TrustLoader`: one trust root per run, loaded ahead on its own thread or on first use.

The trust roots are real: the local Sigstore instance's trust config, and a broken file.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pyprov.errors import ProjectError
from pyprov.testing.sigstore import LocalSigstore
from pyprov.verify.trust import Trust, TrustLoader, TrustSource


def test_loaded_ahead_once_whichever_threads_ask(instance: LocalSigstore) -> None:
    loader = TrustLoader(TrustSource(kind="trust-config", path=instance.trust_config_path))
    loader.start()
    loader.start()  # a second start loads nothing more
    with ThreadPoolExecutor(8) as pool:
        loaded = list(pool.map(lambda _: loader.get(), range(16)))
    assert all(isinstance(trust, Trust) for trust in loaded)
    assert len({id(trust) for trust in loaded}) == 1  # one load, shared
    assert loader.description("unused") == f"trust-config {instance.trust_config_path}"
    assert loader.notes() == ()


def test_a_trust_root_no_one_used_is_not_named(instance: LocalSigstore) -> None:
    loader = TrustLoader(TrustSource(kind="trust-config", path=instance.trust_config_path))
    loader.start()
    assert loader.description("(not loaded: nothing to verify)") == "(not loaded: nothing to verify)"
    offline = TrustLoader(TrustSource(kind="production", offline=True))
    assert offline.notes() == ()
    offline.get()
    assert offline.notes() == ("offline: the trusted root was not refreshed from Sigstore's TUF repository",)


def test_a_broken_trust_root_fails_every_caller_and_only_them(tmp_path: Path) -> None:
    broken = tmp_path / "trust.json"
    broken.write_text("{}")
    loader = TrustLoader(TrustSource(kind="trust-config", path=broken))
    loader.start()  # the error waits for whoever needs the trust root
    for _ in range(2):
        with pytest.raises(ProjectError, match=f"^no trust root: cannot load {broken}"):
            loader.get()
    unused = TrustLoader(TrustSource(kind="trust-config", path=broken))
    unused.start()
    assert unused.description("(not loaded)") == "(not loaded)"


def test_a_loaded_trust_root_is_used_as_it_is(instance: LocalSigstore) -> None:
    trust = TrustLoader(TrustSource(kind="trust-config", path=instance.trust_config_path)).get()
    loader = TrustLoader(trust)
    assert loader.get() is trust
    assert loader.description("unused") == trust.description


def test_a_trust_root_names_where_an_entry_is_logged(instance: LocalSigstore) -> None:
    local = TrustLoader(TrustSource(kind="trust-config", path=instance.trust_config_path)).get()
    (log_id,) = local.logs
    assert local.log_of(log_id) == instance.base_url
    assert local.log_of("another log") == f"a log of trust-config {instance.trust_config_path}"
    production = TrustLoader(TrustSource(kind="production", offline=True)).get()
    assert production.log_of(None) == "Sigstore public-good instance"
