"""Requests a web page could have sent: a foreign `Host`, any `Origin`, admin writes not JSON."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx
import pytest

from okta_emulator import AppKind, Emulator
from okta_emulator.guard import allowed_hosts

from .helpers import assert_error, connection_path

FAULT = {"kind": "status", "status": 503}
ATTACKER = {"Host": "attacker.example", "Origin": "http://attacker.example", "Content-Type": "text/plain"}


def port_of(emulator: Emulator) -> int:
    port = urlsplit(emulator.url).port
    assert port is not None
    return port


def test_a_web_page_cannot_inject_a_fault(emulator: Emulator, anonymous: httpx.Client) -> None:
    response = anonymous.post("/emulator/faults", content=b'{"kind": "reset_before"}', headers=ATTACKER)

    causes = assert_error(response, 403, "E0000006")
    port = port_of(emulator)
    assert causes == [f"Host: must be 127.0.0.1:{port} or localhost:{port}"]
    assert emulator.store.pending_faults() == 0


def test_a_foreign_host_cannot_read_the_journal(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    client.get(connection_path(app_id))

    response = client.get("/emulator/requests", headers={"Host": "attacker.example"})

    assert_error(response, 403, "E0000006")
    assert app_id not in response.text


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:{port}",
        "127.0.0.1.attacker.example:{port}",
        "127.0.0.1:1",
        "127.0.0.1",
        "[::1]:{port}",
        "",
    ],
)
def test_only_the_address_it_listens_on_is_a_host(
    emulator: Emulator, anonymous: httpx.Client, host: str
) -> None:
    response = anonymous.post(
        "/emulator/faults", json=FAULT, headers={"Host": host.format(port=port_of(emulator))}
    )

    assert_error(response, 403, "E0000006")
    assert emulator.store.pending_faults() == 0


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}"])
def test_loopback_names_are_accepted(emulator: Emulator, anonymous: httpx.Client, host: str) -> None:
    response = anonymous.post(
        "/emulator/faults", json=FAULT, headers={"Host": host.format(port=port_of(emulator))}
    )

    assert response.status_code == 201
    assert emulator.store.pending_faults() == 1


@pytest.mark.parametrize(
    "request_line", ["GET /emulator/requests HTTP/1.0", "GET /emulator/requests HTTP/1.1"]
)
def test_a_request_without_exactly_one_host_is_refused(emulator: Emulator, request_line: str) -> None:
    parts = urlsplit(emulator.url)
    headers = "" if request_line.endswith("1.0") else f"Host: {parts.netloc}\r\nHost: attacker.example\r\n"
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(f"{request_line}\r\n{headers}Connection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)

    assert answer.startswith(b"HTTP/1.1 403 ")
    assert b'"E0000006"' in answer


@pytest.mark.parametrize("origin", ["http://attacker.example", "null", "http://127.0.0.1"])
def test_any_origin_is_refused(emulator: Emulator, anonymous: httpx.Client, origin: str) -> None:
    response = anonymous.post("/emulator/faults", json=FAULT, headers={"Origin": origin})
    journal = anonymous.get("/emulator/requests", headers={"Origin": origin})

    assert assert_error(response, 403, "E0000006") == ["Origin: requests from web pages are refused"]
    assert_error(journal, 403, "E0000006")
    assert emulator.store.pending_faults() == 0


def test_the_okta_api_refuses_web_pages_too(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    body = {"profile": {"authScheme": "TOKEN", "token": "t"}}

    from_page = client.post(connection_path(app_id), json=body, headers={"Origin": "http://attacker.example"})
    rebound = client.get(connection_path(app_id), headers={"Host": f"attacker.example:{port_of(emulator)}"})

    assert_error(from_page, 403, "E0000006")
    assert_error(rebound, 403, "E0000006")
    assert emulator.store.connection(app_id).configured is False
    assert emulator.store.requests() == []


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/emulator/faults", "text/plain"),
        ("POST", "/emulator/faults", None),
        ("POST", "/emulator/apps", "application/x-www-form-urlencoded"),
        ("PATCH", "/emulator/apps/{app_id}/connection", "multipart/form-data; boundary=x"),
        ("DELETE", "/emulator/apps/{app_id}", "text/plain"),
    ],
)
def test_admin_writes_must_be_json(
    emulator: Emulator, anonymous: httpx.Client, method: str, path: str, content_type: str | None
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    headers = {} if content_type is None else {"Content-Type": content_type}

    response = anonymous.request(
        method, path.format(app_id=app_id), content=b'{"kind": "org2org"}', headers=headers
    )

    causes = assert_error(response, 415, "E0000001", "Api validation failed: Content-Type")
    assert causes == ["Content-Type: must be application/json for an admin request that changes something"]
    assert emulator.store.pending_faults() == 0
    assert emulator.store.apps() == [(app_id, AppKind.ORG2ORG)]
    assert emulator.store.connection(app_id).status == "DISABLED"


def test_json_with_parameters_and_bodiless_deletes_are_admin_writes_that_pass(
    emulator: Emulator, anonymous: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    injected = anonymous.post(
        "/emulator/faults",
        content=b'{"kind": "truncate"}',
        headers={"Content-Type": "Application/JSON; charset=utf-8"},
    )
    deleted = anonymous.delete(f"/emulator/apps/{app_id}")

    assert (injected.status_code, deleted.status_code) == (201, 204)
    assert emulator.store.apps() == []


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 8787, {"127.0.0.1:8787", "localhost:8787"}),
        ("::1", 8787, {"[::1]:8787", "localhost:8787"}),
        ("localhost", 8787, {"localhost:8787", "127.0.0.1:8787"}),
        ("127.0.0.1", 80, {"127.0.0.1:80", "localhost:80", "127.0.0.1", "localhost"}),
    ],
)
def test_allowed_hosts(host: str, port: int, expected: set[str]) -> None:
    assert allowed_hosts(host, port) == expected
