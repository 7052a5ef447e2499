"""Mutual TLS in front of the gRPC server, as go-plugin does it, terminated with Python's ssl.

Terraform hands the plugin its client certificate in PLUGIN_CLIENT_CERT; only the holder of that
certificate may call the plugin. go-plugin's certificate has a P-521 key, which the BoringSSL
inside grpcio refuses for client authentication, so TLS ends here (OpenSSL accepts it) and the
plaintext HTTP/2 stream goes on to the gRPC server over a Unix socket in a directory only this
user can open. One thread per connection relays both directions with `selectors`, so that each
TLS object is only ever used by one thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import ssl
import threading

log = logging.getLogger("provider.plugin.tls")

_CHUNK = 64 * 1024
_HANDSHAKE_TIMEOUT = 30.0


class ClientCertificateError(ValueError):
    """PLUGIN_CLIENT_CERT holds no certificate that can be loaded."""

    def __init__(self) -> None:
        super().__init__(
            "PLUGIN_CLIENT_CERT does not hold a PEM certificate; Terraform sets it when it starts "
            "the plugin, with the certificate it will present"
        )


def mutual_tls_context(
    key_pem: bytes, cert_pem: bytes, client_cert_pem: str, private_dir: str
) -> ssl.SSLContext:
    """A server context that requires the client's certificate and speaks HTTP/2 (ALPN h2).

    Raises ClientCertificateError when `client_cert_pem` is not a certificate.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        context.load_verify_locations(cadata=client_cert_pem)
    except (ssl.SSLError, ValueError, TypeError) as exc:
        raise ClientCertificateError from exc
    context.set_alpn_protocols(["h2"])
    # ssl loads a key only from a file: write it privately, load it, and remove it at once.
    key_file, cert_file = os.path.join(private_dir, "key.pem"), os.path.join(private_dir, "cert.pem")
    for path, content in ((key_file, key_pem), (cert_file, cert_pem)):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
    try:
        context.load_cert_chain(cert_file, key_file)
    finally:
        os.unlink(key_file)
        os.unlink(cert_file)
    return context


def _relay(tls: ssl.SSLSocket, plain: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    tls.setblocking(False)
    plain.setblocking(False)
    to_tls, to_plain = bytearray(), bytearray()
    with selectors.DefaultSelector() as selector:
        interest = {tls: selectors.EVENT_READ, plain: selectors.EVENT_READ}
        for sock, events in interest.items():
            selector.register(sock, events)
        while True:
            for key, _ in selector.select():
                if key.fileobj is tls:
                    while True:  # drain every decrypted byte: select() cannot see ssl's buffer
                        try:
                            chunk = tls.recv(_CHUNK)
                        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                            break
                        if not chunk:
                            return
                        to_plain += chunk
                else:
                    try:
                        chunk = plain.recv(_CHUNK)
                    except BlockingIOError:
                        chunk = None
                    if chunk == b"":
                        return
                    if chunk:
                        to_tls += chunk
            if to_plain:
                with contextlib.suppress(BlockingIOError):
                    del to_plain[: plain.send(to_plain)]
            if to_tls:
                with contextlib.suppress(ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    del to_tls[: tls.send(to_tls)]
            for sock, pending in ((tls, to_tls), (plain, to_plain)):
                wanted = selectors.EVENT_READ | (selectors.EVENT_WRITE if pending else 0)
                if interest[sock] != wanted:  # a system call each: only when it changes
                    selector.modify(sock, wanted)
                    interest[sock] = wanted


class MutualTLSProxy:
    """Accepts TLS connections on `listen` and relays each to the gRPC server at `upstream`."""

    def __init__(self, listen: str, upstream: str, context: ssl.SSLContext) -> None:
        self._upstream = upstream
        self._context = context
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(listen)
        self._listener.listen(16)
        self._thread = threading.Thread(target=self._accept, name="mtls-accept", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), name="mtls-relay", daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            connection.settimeout(_HANDSHAKE_TIMEOUT)
            tls = self._context.wrap_socket(connection, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            log.warning("plugin connection refused", extra={"reason": str(exc)})
            connection.close()
            return
        with tls, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as upstream:
            try:
                upstream.connect(self._upstream)
                _relay(tls, upstream)
            except OSError as exc:
                log.debug("plugin connection closed", extra={"reason": str(exc)})
