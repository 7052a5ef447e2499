"""Starts the provider as a go-plugin server: handshake, mutual TLS, signals and shutdown.

Replaces `tf.runner.run_provider`, which hangs when started by hand, ignores PLUGIN_CLIENT_CERT
(no mutual TLS) and PLUGIN_PROTOCOL_VERSIONS, caps in-flight RPCs at 10, writes a certificate
cache (and crashes when it cannot), stops on StopProvider and dies on SIGINT, losing work
Terraform is waiting for.
"""

from __future__ import annotations

import base64
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent import futures
from pathlib import Path
from typing import Any

from provider.plugin.logs import configure_logging

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1
PLUGIN_PROTOCOL_VERSION = 6

# Terraform runs up to -parallelism operations at once, each one RPC holding a worker while it
# waits on Okta; 64 workers serve -parallelism=30 with room for the short RPCs beside them.
MAX_WORKERS = 64

# gRPC's default limit of 4 MiB per message fails a plan carrying a token of about 1.4 MB three
# times (config, prior and proposed state); terraform-plugin-go servers take 256 MiB each way.
MAX_MESSAGE_BYTES = 256 << 20

NOT_A_COMMAND = """\
This is a Terraform provider plugin (okta-py/okta), not a command to run by hand.
Terraform starts it itself: declare the provider in a configuration and run `terraform init`.
See the README for installation.
"""


def _private_socket_directory() -> str:
    """A new directory that only this user may open (mode 0700), under TMPDIR or /tmp.

    Where Go's os.TempDir() would put it, as go-plugin does; made with os.mkdir rather than
    tempfile.mkdtemp because importing tempfile and shutil costs about 4 ms of every start.
    """
    base = os.environ.get("TMPDIR") or "/tmp"
    while True:
        path = os.path.join(base, f"tf-okta-py-{os.urandom(6).hex()}")
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        return path


def _remove(directory: str) -> None:
    import shutil

    shutil.rmtree(directory, ignore_errors=True)


def _protocol_offered() -> bool:
    offered = os.environ.get("PLUGIN_PROTOCOL_VERSIONS")
    return offered is None or str(PLUGIN_PROTOCOL_VERSION) in offered.split(",")


def serve(make_provider: Callable[[threading.Event], Any]) -> int:
    """Serve until Terraform asks the plugin to shut down (or goes away); returns the exit code."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        sys.stderr.write(NOT_A_COMMAND)
        return 1
    if not _protocol_offered():
        sys.stderr.write(f"Terraform does not offer plugin protocol {PLUGIN_PROTOCOL_VERSION}.\n")
        return 1
    # Terraform sends SIGINT to its whole process group on Ctrl-C, then asks us to stop through
    # StopProvider and waits for in-flight operations; dying here would lose their results.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging()

    import grpc
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
    from tf.gen import tfplugin_pb2_grpc as rpc

    from provider.plugin.mtls import MutualTLSProxy, mutual_tls_context
    from provider.plugin.servicer import OktaProviderServicer
    from provider.plugin.tls import server_tls

    stopping = threading.Event()
    shutdown = threading.Event()
    # SIGTERM (a supervisor, or a test) ends the process like go-plugin's Shutdown: cleanly.
    signal.signal(signal.SIGTERM, lambda signum, frame: shutdown.set())

    class Controller(controller_rpc.GRPCControllerServicer):  # type: ignore[misc]
        def Shutdown(self, request: Any, context: Any) -> Any:
            shutdown.set()
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):  # type: ignore[misc]
        def StreamStdio(self, request: Any, context: Any) -> Any:
            return iter(())

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="rpc"),
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    rpc.add_ProviderServicer_to_server(OktaProviderServicer(make_provider(stopping), stopping), server)
    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)

    tls = server_tls()
    socket_dir = _private_socket_directory()
    socket_path = os.path.join(socket_dir, "plugin.sock")
    client_cert = os.environ.get("PLUGIN_CLIENT_CERT")
    proxy: MutualTLSProxy | None = None
    if client_cert:
        upstream = os.path.join(socket_dir, "grpc.sock")
        server.add_insecure_port(f"unix://{upstream}")
        context = mutual_tls_context(tls.key_pem, tls.cert_pem, client_cert, Path(socket_dir))
        proxy = MutualTLSProxy(socket_path, upstream, context)
    else:
        server.add_secure_port(
            f"unix://{socket_path}", grpc.ssl_server_credentials([(tls.key_pem, tls.cert_pem)])
        )
    server.start()
    if proxy is not None:
        proxy.start()
    cert = base64.b64encode(tls.cert_der).decode().rstrip("=")
    handshake = [CORE_PROTOCOL_VERSION, PLUGIN_PROTOCOL_VERSION, "unix", socket_path, "grpc", cert]
    sys.stdout.write("|".join(str(part) for part in handshake) + "\n")
    sys.stdout.flush()

    parent = os.getppid()
    try:
        while not shutdown.wait(0.5):
            if os.getppid() != parent:
                break  # Terraform went away without saying goodbye.
    finally:
        server.stop(grace=5).wait()
        if proxy is not None:
            proxy.stop()
        _remove(socket_dir)
    return 0
