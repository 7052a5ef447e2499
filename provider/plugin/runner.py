"""Starts the provider as a go-plugin server: handshake, mutual TLS, signals and shutdown.

As go-plugin does: mutual TLS when Terraform sends its certificate (PLUGIN_CLIENT_CERT), else
plaintext on the private socket and no certificate in the handshake (TF_DISABLE_PLUGIN_TLS).

Replaces `tf.runner.run_provider`, which hangs when started by hand, ignores PLUGIN_CLIENT_CERT
(no mutual TLS) and PLUGIN_PROTOCOL_VERSIONS, caps in-flight RPCs at 10, writes a certificate
cache (and crashes when it cannot), stops on StopProvider and dies on SIGINT, losing work
Terraform is waiting for.

Ctrl-C (SIGINT, then StopProvider) only sets `stopping`: in-flight operations end their waits,
finish and report. Shutdown, SIGTERM or Terraform going away end the process within a few
seconds: `stopping` is set, in-flight RPCs get a short grace, and `run` exits without waiting
for threads still stuck. A failure during start-up is one line on stderr and a non-zero exit,
with everything created so far removed.

`-debug` (`serve_debug`) serves in the foreground for a debugger instead, as terraform-plugin-go's
debug mode does: no magic cookie, plaintext gRPC on the unix socket (a reattaching Terraform
sends no client certificate and reads no handshake), and a TF_REATTACH_PROVIDERS line to paste
into the shell that runs Terraform; Terraform then leaves the process running between commands,
and Ctrl-C ends it.
"""

from __future__ import annotations

import base64
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent import futures
from typing import TYPE_CHECKING, Any, NoReturn

from provider.plugin.logs import configure_logging

if TYPE_CHECKING:
    from provider.plugin.mtls import MutualTLSProxy

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

# After Shutdown, SIGTERM or Terraform's death, in-flight RPCs have this long to answer (their
# waits end at once: `stopping` is set); then the process exits, whatever its threads are doing.
SHUTDOWN_GRACE_SECONDS = 2.0
# How often the plugin looks whether Terraform, its parent, is still there.
PARENT_CHECK_SECONDS = 0.5

NOT_A_COMMAND = """\
This is a Terraform provider plugin (okta-py/okta), not a command to run by hand.
Terraform starts it itself: declare the provider in a configuration and run `terraform init`.
See the README for installation. To run it under a debugger or read its logs while Terraform
drives it, start it with -debug.
"""
DEBUG_ARGUMENTS = ("-debug", "--debug")
PROVIDER_ADDRESS = "registry.terraform.io/okta-py/okta"


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


def _one_line(exc: Exception) -> str:
    """The start-up failure as the single line Terraform shows from the plugin's stderr."""
    from provider.plugin.mtls import ClientCertificateError

    reason = str(exc) if isinstance(exc, ClientCertificateError) else f"{type(exc).__name__}: {exc}"
    return f"Error: the Okta provider could not start: {' '.join(reason.split())}\n"


class _Started:
    """What start-up has created so far, so that a failure at any step removes all of it."""

    def __init__(self) -> None:
        self.socket_dir: str | None = None
        self.server: Any = None
        self.proxy: MutualTLSProxy | None = None

    def close(self, grace: float) -> None:
        """Stop serving (in-flight RPCs get `grace` seconds) and remove the socket directory."""
        if self.server is not None:
            self.server.stop(grace).wait(grace + 1)
        if self.proxy is not None:
            self.proxy.stop()
        if self.socket_dir is not None:
            _remove(self.socket_dir)


def _add_servicers(server: Any, provider: Any, stopping: threading.Event, shutdown: threading.Event) -> None:
    """The provider's servicer, and go-plugin's controller (Shutdown) and stdio services."""
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
    from tf.gen import tfplugin_pb2_grpc as rpc

    from provider.plugin.servicer import OktaProviderServicer

    class Controller(controller_rpc.GRPCControllerServicer):  # type: ignore[misc]
        def Shutdown(self, request: Any, context: Any) -> Any:
            shutdown.set()
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):  # type: ignore[misc]
        def StreamStdio(self, request: Any, context: Any) -> Any:
            return iter(())

    rpc.add_ProviderServicer_to_server(OktaProviderServicer(provider, stopping), server)
    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)


def _server(
    started: _Started,
    make_provider: Callable[[threading.Event], Any],
    stopping: threading.Event,
    shutdown: threading.Event,
) -> Any:
    """The gRPC server with the provider's services, not yet listening; recorded in `started`."""
    import grpc

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="rpc"),
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ],
    )
    started.server = server
    _add_servicers(server, make_provider(stopping), stopping, shutdown)
    return server


def _start(
    started: _Started,
    make_provider: Callable[[threading.Event], Any],
    stopping: threading.Event,
    shutdown: threading.Event,
) -> str:
    """Start the gRPC server: behind the mutual-TLS relay when Terraform sent its certificate
    (PLUGIN_CLIENT_CERT), else in plaintext on the private socket, as go-plugin does.

    Returns the handshake line; everything made on the way is recorded in `started`. Its last
    field, the server certificate, is empty in plaintext: a Terraform run with
    TF_DISABLE_PLUGIN_TLS sends no certificate and has no TLS configuration to put one in (given
    one, Terraform 1.0 and 1.11 crash).
    """
    server = _server(started, make_provider, stopping, shutdown)
    socket_dir = started.socket_dir = _private_socket_directory()
    socket_path = os.path.join(socket_dir, "plugin.sock")
    client_cert = os.environ.get("PLUGIN_CLIENT_CERT")
    cert = ""
    if client_cert:
        from provider.plugin.mtls import MutualTLSProxy, mutual_tls_context
        from provider.plugin.tls import server_tls

        tls = server_tls()
        context = mutual_tls_context(tls.key_pem, tls.cert_pem, client_cert, socket_dir)
        upstream = os.path.join(socket_dir, "grpc.sock")
        server.add_insecure_port(f"unix://{upstream}")
        started.proxy = MutualTLSProxy(socket_path, upstream, context)
        cert = base64.b64encode(tls.cert_der).decode().rstrip("=")
    else:
        server.add_insecure_port(f"unix://{socket_path}")
    server.start()
    if started.proxy is not None:
        started.proxy.start()
    handshake = [CORE_PROTOCOL_VERSION, PLUGIN_PROTOCOL_VERSION, "unix", socket_path, "grpc", cert]
    return "|".join(str(part) for part in handshake) + "\n"


def _wait_for_shutdown(shutdown: threading.Event) -> None:
    """Return once Terraform called Shutdown, SIGTERM arrived or Terraform went away."""
    parent = os.getppid()
    while not shutdown.wait(PARENT_CHECK_SECONDS):
        if os.getppid() != parent:
            return  # Terraform went away without saying goodbye.


def serve(make_provider: Callable[[threading.Event], Any]) -> int:
    """Serve until Terraform asks the plugin to shut down (or goes away); returns the exit code.

    Threads may still be running when it returns (an RPC stuck in a call that ignores
    `stopping`): end the process with `run`, which does not wait for them.
    """
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        sys.stderr.write(NOT_A_COMMAND)
        return 1
    if not _protocol_offered():
        sys.stderr.write(f"Terraform does not offer plugin protocol {PLUGIN_PROTOCOL_VERSION}.\n")
        return 1
    # Terraform sends SIGINT to its whole process group on Ctrl-C, then asks us to stop through
    # StopProvider and waits for in-flight operations; dying here would lose their results.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    shutdown = threading.Event()
    # SIGTERM (a supervisor, or a test) ends the process like go-plugin's Shutdown.
    signal.signal(signal.SIGTERM, lambda signum, frame: shutdown.set())
    configure_logging()

    stopping = threading.Event()
    started = _Started()
    try:
        handshake = _start(started, make_provider, stopping, shutdown)
    except Exception as exc:
        started.close(grace=0)
        sys.stderr.write(_one_line(exc))
        return 1
    sys.stdout.write(handshake)
    sys.stdout.flush()
    try:
        _wait_for_shutdown(shutdown)
    finally:
        stopping.set()  # in-flight waits (retries, rate limits) end now
        started.close(grace=SHUTDOWN_GRACE_SECONDS)
    return 0


def reattach_line(socket_path: str) -> str:
    """The shell line that points Terraform at this process, in terraform-plugin-go's words."""
    import json

    address = {"Network": "unix", "String": socket_path}
    config = {"Protocol": "grpc", "ProtocolVersion": PLUGIN_PROTOCOL_VERSION, "Pid": os.getpid()}
    reattach = json.dumps(
        {PROVIDER_ADDRESS: {**config, "Test": True, "Addr": address}}, separators=(",", ":")
    )
    return (
        "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable"
        f" with the following:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n\n"
    )


def serve_debug(make_provider: Callable[[threading.Event], Any]) -> int:
    """Serve in the foreground until Ctrl-C (or SIGTERM), for a debugger; returns the exit code.

    Reattaching Terraform neither sends a client certificate nor reads a handshake, and with
    "Test": true it leaves the process running after each command: the server is plaintext gRPC
    on a unix socket in a private directory (mode 0700), as terraform-plugin-go's debug server.
    """
    shutdown = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: shutdown.set())
    configure_logging()  # TF_LOG_PROVIDER / TF_LOG in this shell choose what goes to stderr
    stopping = threading.Event()
    started = _Started()
    try:
        server = _server(started, make_provider, stopping, shutdown)
        socket_dir = started.socket_dir = _private_socket_directory()
        socket_path = os.path.join(socket_dir, "plugin.sock")
        server.add_insecure_port(f"unix://{socket_path}")
        server.start()
    except Exception as exc:
        started.close(grace=0)
        sys.stderr.write(_one_line(exc))
        return 1
    sys.stdout.write(reattach_line(socket_path))
    sys.stdout.flush()
    try:
        shutdown.wait()
    finally:
        stopping.set()
        started.close(grace=SHUTDOWN_GRACE_SECONDS)
    return 0


def run(make_provider: Callable[[threading.Event], Any], arguments: Sequence[str] = ()) -> NoReturn:
    """Serve (`-debug`: `serve_debug`), then end the process at once, whatever its threads are doing.

    Exit handlers still run (the benchmark's launcher records the plugin's CPU in one); only the
    interpreter's join of the remaining threads, which a stuck RPC would hold forever, is skipped.
    """
    import atexit

    if not arguments:
        code = serve(make_provider)
    elif len(arguments) == 1 and arguments[0] in DEBUG_ARGUMENTS:
        code = serve_debug(make_provider)
    else:
        sys.stderr.write(
            f"terraform-provider-okta: unknown argument {arguments[0]!r}; the only one is -debug\n"
        )
        code = 2
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
