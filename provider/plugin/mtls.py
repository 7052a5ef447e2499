"""Mutual TLS in front of the gRPC server, as go-plugin does it, terminated with Python's ssl.

Terraform hands the plugin its client certificate in PLUGIN_CLIENT_CERT; only the holder of that
certificate may call the plugin. go-plugin's certificate has a P-521 key, which the BoringSSL
inside grpcio refuses for client authentication, so TLS ends here (OpenSSL accepts it) and the
plaintext HTTP/2 stream goes on to the gRPC server over a Unix socket in a directory only this
user can open.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import threading
from pathlib import Path

log = logging.getLogger("provider.plugin.tls")

_CHUNK = 64 * 1024


def mutual_tls_context(
    key_pem: bytes, cert_pem: bytes, client_cert_pem: str, private_dir: Path
) -> ssl.SSLContext:
    """A server context that requires the client's certificate and speaks HTTP/2 (ALPN h2)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=client_cert_pem)
    context.set_alpn_protocols(["h2"])
    # ssl loads a key only from a file: write it privately, load it, and remove it at once.
    key_file, cert_file = private_dir / "key.pem", private_dir / "cert.pem"
    for path, content in ((key_file, key_pem), (cert_file, cert_pem)):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
    try:
        context.load_cert_chain(cert_file, key_file)
    finally:
        key_file.unlink()
        cert_file.unlink()
    return context


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(_CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


class MutualTLSProxy:
    """Accepts TLS connections on `listen` and relays each to the gRPC server at `upstream`."""

    def __init__(self, listen: str, upstream: str, context: ssl.SSLContext) -> None:
        self._listen = listen
        self._upstream = upstream
        self._context = context
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(self._on_loop_error)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mtls-proxy", daemon=True)
        self._failure: BaseException | None = None

    @staticmethod
    def _on_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        # A refused handshake (no or a wrong client certificate) ends up here.
        log.warning(
            "plugin connection refused", extra={"reason": str(context.get("exception") or context["message"])}
        )

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(self._upstream)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer))

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            server = self._loop.run_until_complete(
                asyncio.start_unix_server(
                    self._relay, path=self._listen, ssl=self._context, ssl_handshake_timeout=30
                )
            )
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.run_until_complete(server.wait_closed())
            self._loop.close()

    def start(self) -> None:
        """Listen before returning, so that the handshake line may be printed."""
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
