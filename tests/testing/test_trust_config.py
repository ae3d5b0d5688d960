"""The trust config file that a local instance writes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography import x509
from sigstore.models import ClientTrustConfig

from pyprov.testing.sigstore import TRUST_CONFIG_FILE, LocalSigstore


def test_file_is_written_on_start_and_describes_the_running_instance(tmp_path: Path) -> None:
    instance = LocalSigstore(tmp_path / "instance")
    assert not (tmp_path / "instance" / TRUST_CONFIG_FILE).exists()
    with instance:
        config = json.loads(instance.trust_config_path.read_text())
        assert instance.trust_config_path == tmp_path / "instance" / TRUST_CONFIG_FILE
        assert instance.base_url.startswith("http://127.0.0.1:")
    assert config["mediaType"] == "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
    signing = config["signingConfig"]
    assert signing["mediaType"] == "application/vnd.dev.sigstore.signingconfig.v0.2+json"
    assert [s["url"] for s in signing["caUrls"]] == [instance_url(config)]
    assert [(s["url"], s["majorApiVersion"]) for s in signing["rekorTlogUrls"]] == [(instance_url(config), 1)]
    assert signing["tsaUrls"] == []
    root = config["trustedRoot"]
    assert len(root["ctlogs"]) == len(root["tlogs"]) == len(root["certificateAuthorities"]) == 1
    ca_der = base64.b64decode(root["certificateAuthorities"][0]["certChain"]["certificates"][0]["rawBytes"])
    ca = x509.load_der_x509_certificate(ca_der)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).critical


def instance_url(config: dict[str, dict[str, list[dict[str, str]]]]) -> str:
    return config["trustedRoot"]["tlogs"][0]["baseUrl"]


def test_sigstore_parses_it(local_sigstore: LocalSigstore) -> None:
    config = ClientTrustConfig.from_json(local_sigstore.trust_config_path.read_text())
    signing = config.signing_config
    assert signing.get_oidc_url() == local_sigstore.oidc_url
    assert len(signing.get_tlogs()) == 1
    assert signing.get_tsas() == []
    root = config.trusted_root
    assert root.get_fulcio_certs() == [local_sigstore.fulcio.ca_certificate]
    assert root.get_timestamp_authorities() == []


def test_stop_is_idempotent_and_the_url_goes_away(tmp_path: Path) -> None:
    instance = LocalSigstore(tmp_path).start()
    instance.stop()
    instance.stop()
    with pytest.raises(RuntimeError, match=r"^this local Sigstore instance is not running$"):
        _ = instance.base_url
