"""The provider as a process: what it does by hand, its handshake, TLS, SIGINT and shutdown."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

from provider.plugin.runner import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE
from provider.plugin.tls import CACHE_FILE, generate
from provider.plugin.values import decode, encode

PROVIDER = [sys.executable, "-m", "provider"]
# go-plugin's client takes messages of any size, as Terraform does.
UNLIMITED = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]


def test_started_by_hand_it_says_what_it_is_and_exits_non_zero() -> None:
    env = {k: v for k, v in os.environ.items() if k != MAGIC_COOKIE_KEY}
    done = subprocess.run(
        PROVIDER, env=env, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 1
    assert "Terraform provider plugin" in done.stderr
    assert done.stdout == ""


def test_an_unknown_argument_is_named_and_refused() -> None:
    env = {**os.environ, MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE}
    done = subprocess.run([*PROVIDER, "-debugg"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr == "terraform-provider-okta: unknown argument '-debugg'; the only one is -debug\n"
    assert done.stdout == ""


def test_it_refuses_when_terraform_offers_no_protocol_6() -> None:
    env = {**os.environ, MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE, "PLUGIN_PROTOCOL_VERSIONS": "5"}
    done = subprocess.run(PROVIDER, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert "protocol 6" in done.stderr


class Plugin:
    def __init__(self, process: subprocess.Popen[str], handshake: list[str]) -> None:
        self.process = process
        self.handshake = handshake
        # Without PLUGIN_CLIENT_CERT the plugin serves plaintext and its handshake has no certificate.
        self.certificate: x509.Certificate | None = None
        if handshake[5]:
            cert_der = base64.b64decode(handshake[5] + "=" * (-len(handshake[5]) % 4))
            self.certificate = x509.load_der_x509_certificate(cert_der)
        self.channel = grpc.insecure_channel(f"unix:{handshake[3]}", options=UNLIMITED)


def plugin_env(**overrides: str) -> dict[str, str]:
    """The environment Terraform gives a plugin, without TF_LOG*, with `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_LOG") and k != "PLUGIN_CLIENT_CERT"}
    env[MAGIC_COOKIE_KEY] = MAGIC_COOKIE_VALUE
    env.update(overrides)
    return env


def start(env: dict[str, str], command: list[str] = PROVIDER) -> Plugin:
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return Plugin(process, process.stdout.readline().strip().split("|"))


@pytest.fixture
def plugin(tmp_path: object) -> Iterator[Plugin]:
    # HOME: start-up must not need a writable cache directory
    plugin = start(plugin_env(HOME="/nonexistent"))
    yield plugin
    plugin.channel.close()
    if plugin.process.poll() is None:
        plugin.process.terminate()
    assert plugin.process.wait(timeout=30) == 0, "SIGTERM ends the plugin cleanly"
    assert not os.path.exists(os.path.dirname(plugin.handshake[3]))


def test_handshake_line_is_go_plugin_grpc_protocol_6(plugin: Plugin) -> None:
    core, version, network, address, protocol, _ = plugin.handshake
    assert (core, version, network, protocol) == ("1", "6", "unix", "grpc")
    assert os.path.exists(address)
    assert oct(os.stat(os.path.dirname(address)).st_mode & 0o777) == "0o700"


def test_schema_then_sigint_is_survived_and_shutdown_exits_cleanly(plugin: Plugin) -> None:
    provider = rpc.ProviderStub(plugin.channel)
    schema = provider.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30)
    assert "okta_app_connection" in schema.resource_schemas

    plugin.process.send_signal(signal.SIGINT)
    provider.StopProvider(pb.StopProvider.Request(), timeout=30)
    assert provider.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30).resource_schemas

    controller_rpc.GRPCControllerStub(plugin.channel).Shutdown(controller_pb.Empty(), timeout=30)
    assert plugin.process.wait(timeout=30) == 0
    assert not os.path.exists(plugin.handshake[3])


def test_without_plugin_client_cert_it_serves_plaintext_and_sends_no_certificate(plugin: Plugin) -> None:
    # go-plugin's rule, which Terraform run with TF_DISABLE_PLUGIN_TLS relies on: no client
    # certificate, no TLS; a certificate in the handshake would make Terraform 1.11 crash.
    assert plugin.handshake[5] == ""
    schema = rpc.ProviderStub(plugin.channel).GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30)
    assert "okta_app_connection" in schema.resource_schemas
    assert oct(os.stat(os.path.dirname(plugin.handshake[3])).st_mode & 0o777) == "0o700"


def client_certificate() -> tuple[bytes, bytes]:
    """A certificate shaped like go-plugin's (self-signed, CA, clientAuth); P-256 here."""
    tls = generate()
    return tls.key_pem, tls.cert_pem


@pytest.fixture
def mtls_plugin() -> Iterator[tuple[Plugin, bytes, bytes]]:
    key_pem, cert_pem = client_certificate()
    plugin = start(plugin_env(PLUGIN_CLIENT_CERT=cert_pem.decode()))
    yield plugin, key_pem, cert_pem
    plugin.channel.close()
    plugin.process.terminate()
    assert plugin.process.wait(timeout=30) == 0, "SIGTERM ends the plugin cleanly"
    assert not os.path.exists(os.path.dirname(plugin.handshake[3]))


def channel_to(
    plugin: Plugin, client_key: bytes | None = None, client_cert: bytes | None = None
) -> grpc.Channel:
    assert plugin.certificate is not None, "started with PLUGIN_CLIENT_CERT, it hands over its certificate"
    credentials = grpc.ssl_channel_credentials(
        root_certificates=plugin.certificate.public_bytes(serialization.Encoding.PEM),
        private_key=client_key,
        certificate_chain=client_cert,
    )
    return grpc.secure_channel(
        f"unix:{plugin.handshake[3]}",
        credentials,
        options=[("grpc.ssl_target_name_override", "localhost"), *UNLIMITED],
    )


def test_with_plugin_client_cert_its_own_key_is_p256(mtls_plugin: tuple[Plugin, bytes, bytes]) -> None:
    plugin, _, _ = mtls_plugin
    assert plugin.certificate is not None
    key = plugin.certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"


def test_with_plugin_client_cert_only_its_holder_may_call(mtls_plugin: tuple[Plugin, bytes, bytes]) -> None:
    plugin, key_pem, cert_pem = mtls_plugin
    with channel_to(plugin, key_pem, cert_pem) as holder:
        schema = rpc.ProviderStub(holder).GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30)
        assert "okta_app_connection" in schema.resource_schemas

    other_key, other_cert = client_certificate()
    for key, cert in ((None, None), (other_key, other_cert)):
        with channel_to(plugin, key, cert) as stranger, pytest.raises(grpc.RpcError) as caught:
            rpc.ProviderStub(stranger).GetProviderSchema(pb.GetProviderSchema.Request(), timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert plugin.process.poll() is None, "refused clients must not bring the plugin down"


def test_with_plugin_client_cert_a_plaintext_client_is_refused(
    mtls_plugin: tuple[Plugin, bytes, bytes],
) -> None:
    plugin, _, _ = mtls_plugin
    with pytest.raises(grpc.RpcError) as caught:
        rpc.ProviderStub(plugin.channel).GetProviderSchema(pb.GetProviderSchema.Request(), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert plugin.process.poll() is None, "a refused client must not bring the plugin down"


def big_plan(plugin: Plugin, channel: grpc.Channel) -> pb.PlanResourceChange.Response:
    """Plan a create whose token is 4.5 MiB: the request carries it twice, the answer once."""
    token = "t" * (9 << 19)
    proposed = {"id": "0oa1", "action": "activate", "profile": {"auth_scheme": "TOKEN", "token": token}}
    request = pb.PlanResourceChange.Request(
        type_name="okta_app_connection", config=encode(proposed), proposed_new_state=encode(proposed)
    )
    response = rpc.ProviderStub(channel).PlanResourceChange(request, timeout=60)
    assert not response.diagnostics
    assert decode(response.planned_state)["profile"]["token"] == token
    return response


def test_messages_over_4_mib_pass_both_ways(plugin: Plugin) -> None:
    big_plan(plugin, plugin.channel)


def test_messages_over_4_mib_pass_both_ways_through_the_mutual_tls_relay(
    mtls_plugin: tuple[Plugin, bytes, bytes],
) -> None:
    plugin, key_pem, cert_pem = mtls_plugin
    with channel_to(plugin, key_pem, cert_pem) as holder:
        big_plan(plugin, holder)


def not_yet_valid_certificate(starts_in: timedelta) -> dict[str, object]:
    """The cache's record of a certificate made before the clock was set back by `starts_in`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    not_before = datetime.now(UTC) + starts_in
    not_after = not_before + timedelta(days=30)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {
        "key_pem": key_pem.decode(),
        "cert_pem": cert.public_bytes(serialization.Encoding.PEM).decode(),
        "not_before": not_before.timestamp(),
        "not_after": not_after.timestamp(),
    }


def test_a_cached_certificate_not_yet_valid_is_not_served(tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "terraform-provider-okta"
    cache.mkdir(parents=True, mode=0o700)
    cached = not_yet_valid_certificate(starts_in=timedelta(hours=1))
    descriptor = os.open(cache / CACHE_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(cached, file)
    key_pem, cert_pem = client_certificate()
    plugin = start(plugin_env(XDG_CACHE_HOME=str(tmp_path / "cache"), PLUGIN_CLIENT_CERT=cert_pem.decode()))
    try:
        # A client checks the pinned certificate's validity, as Terraform (Go's x509) does.
        with channel_to(plugin, key_pem, cert_pem) as channel:
            schema = rpc.ProviderStub(channel).GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30)
        assert "okta_app_connection" in schema.resource_schemas
        assert plugin.certificate is not None
        assert plugin.certificate.not_valid_before_utc <= datetime.now(UTC)
    finally:
        plugin.channel.close()
        plugin.process.terminate()
        plugin.process.wait(timeout=30)


@pytest.mark.parametrize(
    "client_cert",
    ["not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "\u00e9"],
    ids=["no-pem", "bad-der", "not-ascii"],
)
def test_a_malformed_plugin_client_cert_is_one_line_and_leaves_nothing(
    tmp_path: Path, client_cert: str
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = plugin_env(PLUGIN_CLIENT_CERT=client_cert, TMPDIR=str(scratch), XDG_CACHE_HOME=str(tmp_path))
    done = subprocess.run(PROVIDER, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stdout == "", "no handshake"
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "PLUGIN_CLIENT_CERT" in done.stderr
    assert list(scratch.iterdir()) == [], "the socket directory is removed"


def test_a_socket_directory_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    env = plugin_env(TMPDIR=str(tmp_path / "missing"), XDG_CACHE_HOME=str(tmp_path))
    done = subprocess.run(PROVIDER, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("Error: the Okta provider could not start: FileNotFoundError")


def test_protocol_6_11_rpcs_it_does_not_serve_answer_unimplemented_without_an_error_log(
    plugin: Plugin,
) -> None:
    # As Terraform 1.12+ calls them: the methods are not in our (trimmed) stubs, so raw bytes.
    identity = plugin.channel.unary_unary("/tfplugin6.Provider/GetResourceIdentitySchemas")
    listing = plugin.channel.unary_stream("/tfplugin6.Provider/ListResource")
    with pytest.raises(grpc.RpcError) as unary:
        identity(b"", timeout=30)
    with pytest.raises(grpc.RpcError) as streaming:
        list(listing(b"", timeout=30))
    assert unary.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert streaming.value.code() == grpc.StatusCode.UNIMPLEMENTED

    controller_rpc.GRPCControllerStub(plugin.channel).Shutdown(controller_pb.Empty(), timeout=30)
    assert plugin.process.wait(timeout=30) == 0
    assert plugin.process.stderr is not None
    logged = plugin.process.stderr.read()
    assert "Exception" not in logged and "Traceback" not in logged, logged
    assert plugin.process.stderr is not None
    assert "Exception calling application" not in plugin.process.stderr.read()
