"""The provider as a process: what it does by hand, its handshake, TLS, SIGINT and shutdown."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

from provider.plugin.runner import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE
from provider.plugin.tls import generate

PROVIDER = [sys.executable, "-m", "provider"]


def test_started_by_hand_it_says_what_it_is_and_exits_non_zero() -> None:
    env = {k: v for k, v in os.environ.items() if k != MAGIC_COOKIE_KEY}
    done = subprocess.run(
        PROVIDER, env=env, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 1
    assert "Terraform provider plugin" in done.stderr
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
        cert_der = base64.b64decode(handshake[5] + "=" * (-len(handshake[5]) % 4))
        self.certificate = x509.load_der_x509_certificate(cert_der)
        credentials = grpc.ssl_channel_credentials(
            root_certificates=self.certificate.public_bytes(serialization.Encoding.PEM)
        )
        self.channel = grpc.secure_channel(
            f"unix:{handshake[3]}", credentials, options=[("grpc.ssl_target_name_override", "localhost")]
        )


@pytest.fixture
def plugin(tmp_path: object) -> Iterator[Plugin]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_LOG")}
    env[MAGIC_COOKIE_KEY] = MAGIC_COOKIE_VALUE
    env["HOME"] = "/nonexistent"  # start-up must not need a writable cache directory
    process = subprocess.Popen(PROVIDER, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    plugin = Plugin(process, line.strip().split("|"))
    yield plugin
    plugin.channel.close()
    if process.poll() is None:
        process.terminate()
    assert process.wait(timeout=30) == 0, "SIGTERM ends the plugin cleanly"
    assert not os.path.exists(plugin.handshake[3])


def test_handshake_line_is_go_plugin_grpc_protocol_6(plugin: Plugin) -> None:
    core, version, network, address, protocol, _ = plugin.handshake
    assert (core, version, network, protocol) == ("1", "6", "unix", "grpc")
    assert os.path.exists(address)
    assert oct(os.stat(os.path.dirname(address)).st_mode & 0o777) == "0o700"


def test_server_key_is_p256(plugin: Plugin) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = plugin.certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"


def test_schema_over_tls_then_sigint_is_survived_and_shutdown_exits_cleanly(plugin: Plugin) -> None:
    provider = rpc.ProviderStub(plugin.channel)
    schema = provider.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30)
    assert "okta_app_connection" in schema.resource_schemas

    plugin.process.send_signal(signal.SIGINT)
    provider.StopProvider(pb.StopProvider.Request(), timeout=30)
    assert provider.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30).resource_schemas

    controller_rpc.GRPCControllerStub(plugin.channel).Shutdown(controller_pb.Empty(), timeout=30)
    assert plugin.process.wait(timeout=30) == 0
    assert not os.path.exists(plugin.handshake[3])


def test_a_client_that_does_not_trust_the_handshake_certificate_is_refused(plugin: Plugin) -> None:
    channel = grpc.secure_channel(
        f"unix:{plugin.handshake[3]}",
        grpc.ssl_channel_credentials(),
        options=[("grpc.ssl_target_name_override", "localhost")],
    )
    with pytest.raises(grpc.RpcError) as caught:
        rpc.ProviderStub(channel).GetProviderSchema(pb.GetProviderSchema.Request(), timeout=10)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    channel.close()


def client_certificate() -> tuple[bytes, bytes]:
    """A certificate shaped like go-plugin's (self-signed, CA, clientAuth); P-256 here."""
    tls = generate()
    return tls.key_pem, tls.cert_pem


@pytest.fixture
def mtls_plugin() -> Iterator[tuple[Plugin, bytes, bytes]]:
    key_pem, cert_pem = client_certificate()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_LOG")}
    env.update({MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE, "PLUGIN_CLIENT_CERT": cert_pem.decode()})
    process = subprocess.Popen(PROVIDER, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    plugin = Plugin(process, process.stdout.readline().strip().split("|"))
    yield plugin, key_pem, cert_pem
    plugin.channel.close()
    process.terminate()
    assert process.wait(timeout=30) == 0, "SIGTERM ends the plugin cleanly"
    assert not os.path.exists(os.path.dirname(plugin.handshake[3]))


def channel_to(
    plugin: Plugin, client_key: bytes | None = None, client_cert: bytes | None = None
) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=plugin.certificate.public_bytes(serialization.Encoding.PEM),
        private_key=client_key,
        certificate_chain=client_cert,
    )
    return grpc.secure_channel(
        f"unix:{plugin.handshake[3]}", credentials, options=[("grpc.ssl_target_name_override", "localhost")]
    )


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


def test_protocol_6_11_rpcs_it_does_not_offer_answer_unimplemented_without_an_error_log(
    plugin: Plugin,
) -> None:
    provider = rpc.ProviderStub(plugin.channel)
    with pytest.raises(grpc.RpcError) as unary:
        provider.GetResourceIdentitySchemas(pb.GetResourceIdentitySchemas.Request(), timeout=30)
    with pytest.raises(grpc.RpcError) as streaming:
        list(provider.ListResource(pb.ListResource.Request(type_name="okta_app_connection"), timeout=30))
    assert unary.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert streaming.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert "does not offer GetResourceIdentitySchemas" in (unary.value.details() or "")

    controller_rpc.GRPCControllerStub(plugin.channel).Shutdown(controller_pb.Empty(), timeout=30)
    assert plugin.process.wait(timeout=30) == 0
    assert plugin.process.stderr is not None
    assert "Exception calling application" not in plugin.process.stderr.read()
