"""HTTP transport details: keep-alive, chunked and oversized bodies, HEAD and headers."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from okta_emulator import AppKind, Emulator

from .helpers import API_TOKEN, connection_path


def raw_exchange(emulator: Emulator, request: bytes) -> bytes:
    """Send raw bytes and read until the server closes the connection."""
    parts = urlsplit(emulator.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_chunked_request_body(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ZSCALERBYZ)

    def pieces() -> Iterator[bytes]:
        yield b'{"baseUrl": "https://scim.example.com",'
        yield b' "profile": {"authScheme": "TOKEN", "token": "chunked"}}'

    response = client.post(connection_path(app_id), content=pieces())

    assert response.status_code == 200, response.text
    assert emulator.store.connection(app_id).profile["token"] == "chunked"


def test_oversized_body_is_refused_and_the_connection_closed(emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    head = (
        f"POST {connection_path(app_id)} HTTP/1.1\r\nHost: {urlsplit(emulator.url).netloc}\r\n"
        f"Authorization: SSWS {API_TOKEN}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {2 * 1024 * 1024}\r\n\r\n"
    )

    answer = raw_exchange(emulator, head.encode())

    status_line, _, rest = answer.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert status_line == b"HTTP/1.1 400 Bad Request"
    assert b"Connection: close" in headers
    assert json.loads(body)["errorCauses"] == [{"errorSummary": "body: larger than 1048576 bytes"}]
    assert emulator.store.connection(app_id).configured is False


def test_head_is_not_allowed_and_has_no_body(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = client.head(connection_path(app_id))

    assert response.status_code == 405
    assert response.content == b""
    assert response.headers["Allow"] == "GET, POST"


def test_connection_close_is_honoured(emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    request = (
        f"GET {connection_path(app_id)} HTTP/1.1\r\nHost: {urlsplit(emulator.url).netloc}\r\n"
        f"Authorization: SSWS {API_TOKEN}\r\nConnection: close\r\n\r\n"
    )

    answer = raw_exchange(emulator, request.encode())

    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nContent-Length: " in answer
    assert b"\r\nServer: okta-emulator\r\n" in answer
