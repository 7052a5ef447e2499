"""The emulator's HTTP/1.1 transport: a threading server on loopback and its request handler.

`RequestHandler` reads a request off a keep-alive connection into a `Request`, asks the
`Application` for the `Response`, writes it and logs one line (method, path, status, time; never
headers, queries or bodies). It also acts out the transport faults a response carries: dropping
the connection with a reset, answering late, or cutting the body short.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import selectors
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl, urlsplit

from okta_emulator.faults import FaultKind
from okta_emulator.messages import LOG, ApiError, Request, Response, malformed_body, validation_failed

MAX_BODY_BYTES = 1 << 20


class Application(Protocol):
    """What the transport serves: something answering a parsed request."""

    def handle(self, request: Request) -> Response:
        """Answer one request."""
        ...


class BodyError(Exception):
    """The request body could not be read; the connection must be closed."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.summary)
        self.error = error


class RequestHandler(BaseHTTPRequestHandler):
    """Reads one request at a time off a keep-alive connection and writes the answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "okta-emulator"
    timeout = 120

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Silences the stock log: it would print query strings; `_serve` logs instead."""

    def _serve(self) -> None:
        started = time.perf_counter()
        application = cast(Server, self.server).application
        url = urlsplit(self.path)
        query: dict[str, str] = {}
        for key, value in parse_qsl(url.query, keep_blank_values=True):
            query.setdefault(key, value)
        request_id = secrets.token_urlsafe(20)
        try:
            body = self._read_body()
        except BodyError as exc:
            self.close_connection = True
            response = exc.error.response()
        else:
            request = Request(
                method=self.command,
                path=url.path,
                query=query,
                body=body,
                authorization=self.headers.get("Authorization"),
                request_id=request_id,
                content_type=self.headers.get("Content-Type"),
                dpop=tuple(self.headers.get_all("DPoP") or ()),
                hosts=tuple(self.headers.get_all("Host") or ()),
                origin=self.headers.get("Origin"),
            )
            response = application.handle(request)
        fault = response.fault
        status = response.status
        if fault is not None and fault.kind.drops_connection:
            self.close_connection = True
            cast(Server, self.server).abort(self.connection)
            status = 0
        else:
            if fault is not None and fault.kind is FaultKind.SLOW and fault.reset_in is not None:
                cast(Server, self.server).pause(fault.reset_in)
            try:
                self._write(response, request_id)
            except OSError:
                self.close_connection = True
        elapsed_ms = (time.perf_counter() - started) * 1000
        suffix = "" if fault is None else f" fault={fault.kind.value}"
        LOG.info("%s %s %d %.1fms%s", self.command, url.path, status, elapsed_ms, suffix)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b""
        try:
            length = int(raw_length)
        except ValueError:
            length = -1
        if length < 0:
            raise BodyError(malformed_body())
        if length > MAX_BODY_BYTES:
            raise BodyError(too_large())
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError as exc:
                raise BodyError(malformed_body()) from exc
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise BodyError(too_large())
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _write(self, response: Response, request_id: str) -> None:
        """Send a response; a truncate fault cuts its JSON body in half, Content-Length to match.

        The response's own `Date` header, if any, replaces the current time, so headers derived
        from the same clock reading (`X-Rate-Limit-Reset`) stay consistent with it.
        """
        body = b"" if response.payload is None else json.dumps(response.payload).encode()
        if response.fault is not None and response.fault.kind is FaultKind.TRUNCATE:
            body = body[: len(body) // 2]
        self.send_response_only(response.status)
        self.send_header("Server", self.version_string())
        self.send_header("Date", response.headers.get("Date") or self.date_time_string())
        self.send_header("X-Okta-Request-Id", request_id)
        for name, value in response.headers.items():
            if name != "Date":
                self.send_header(name, value)
        if response.status != 204:
            if body or response.payload is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()


def too_large() -> ApiError:
    """400 for a body over `MAX_BODY_BYTES`."""
    return validation_failed([f"body: larger than {MAX_BODY_BYTES} bytes"])


class Server(ThreadingHTTPServer):
    """A threading HTTP server that stops promptly and drops its open keep-alive connections.

    `serve_until_stopped` waits on the listening socket and on a wake-up socket pair, so
    `request_stop` ends it at once instead of after a polling interval.
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily, app: Application) -> None:
        self.address_family = family
        self.application = app
        self._connections: set[socket.socket] = set()
        self._aborted: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake_reader, self._wake_writer = socket.socketpair()
        try:
            super().__init__(address, RequestHandler)
        except BaseException:
            self._wake_reader.close()
            self._wake_writer.close()
            raise

    def serve_until_stopped(self) -> None:
        """Accept connections, each served by its own thread, until `request_stop`."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self and not self._stopping.is_set():
                        self.handle_request()

    def request_stop(self) -> None:
        """Make `serve_until_stopped` return."""
        self._stopping.set()
        self._wake_writer.send(b"\0")

    def pause(self, seconds: float) -> None:
        """Wait `seconds`, or less if the server is stopping meanwhile."""
        self._stopping.wait(seconds)

    def abort(self, connection: socket.socket) -> None:
        """Have a connection closed with a TCP reset (SO_LINGER 0) instead of an orderly FIN."""
        with contextlib.suppress(OSError):
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with self._connections_lock:
            self._aborted.add(connection)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
            aborted = request in self._aborted
            self._aborted.discard(request)
        if aborted:
            self.close_request(request)
        else:
            super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Logs through `LOG` instead of printing; a client hanging up is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            LOG.debug("a client closed its connection abruptly", exc_info=True)
        else:
            LOG.exception("error serving a connection")

    def server_close(self) -> None:
        """Close the listening socket, the wake-up pair and every connection still open."""
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
