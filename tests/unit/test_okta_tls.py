"""TLS to Okta is always verified; SSL_CERT_FILE names the CAs to trust (a TLS-inspecting proxy's, say)."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from provider.okta import ApiToken, ClientOptions, OktaTransportError, RetryPolicy
from provider.okta.client import OktaClient

from .loopback import json_server

CONNECTION = {"status": "ENABLED", "profile": {"authScheme": "TOKEN"}}


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: ec.EllipticCurvePrivateKey | None,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
    )
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


@pytest.fixture(scope="module")
def private_ca_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 whose certificate a private CA signed; yields its URL and the CA file."""
    directory = tmp_path_factory.mktemp("private-ca")
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test private CA", ca_key, None, None)
    server = _certificate("127.0.0.1", server_key, ca, ca_key)
    ca_file, cert_file, key_file = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    with json_server(CONNECTION, context) as (url, _):
        yield url, ca_file


def _client(org_url: str) -> OktaClient:
    return OktaClient(org_url, ApiToken("t"), options=ClientOptions(retry=RetryPolicy(max_retries=0)))


def test_an_unknown_ca_is_refused(
    private_ca_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = private_ca_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with pytest.raises(OktaTransportError) as caught:
        _client(url).get_connection("0oa1")
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.detail


def test_ssl_cert_file_makes_a_private_ca_trusted(
    private_ca_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca_file = private_ca_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    assert _client(url).get_connection("0oa1").status == "ENABLED"
