"""The client uses the proxy HTTPS_PROXY, HTTP_PROXY or ALL_PROXY names, unless NO_PROXY exempts the org."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from provider.okta import ApiToken
from provider.okta.client import OktaClient, environment_proxy

PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
CONNECTION = {"authScheme": "TOKEN", "status": "ENABLED", "profile": {"authScheme": "TOKEN"}}


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def forward_proxy() -> Iterator[tuple[str, list[str]]]:
    """A plain-HTTP forward proxy that answers every request itself and records its request line."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.requestline)
            body = json.dumps(CONNECTION).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_https_proxy_applies_to_an_https_org(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.example:3128")
    assert environment_proxy("https://dev-1.okta.com") == "http://proxy.corp.example:3128"
    assert environment_proxy("http://dev-1.okta.com") is None


def test_loopback_hosts_are_never_proxied(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in Go's net/http: a local emulator stays reachable behind a corporate proxy."""
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.corp.example:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.example:3128")
    for org_url in (
        "http://127.0.0.1:8787",
        "http://localhost:8787",
        "http://[::1]:8787",
        "https://127.0.0.5",
    ):
        assert environment_proxy(org_url) is None
    assert environment_proxy("http://emulator.internal:8787") == "http://proxy.corp.example:3128"


def test_all_proxy_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALL_PROXY", "http://proxy.corp.example:3128")
    assert environment_proxy("https://dev-1.okta.com") == "http://proxy.corp.example:3128"


def test_no_proxy_exempts_the_org(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.example:3128")
    monkeypatch.setenv("NO_PROXY", ".okta.com")
    assert environment_proxy("https://dev-1.okta.com") is None
    assert environment_proxy("https://dev-1.oktapreview.com") == "http://proxy.corp.example:3128"


def test_calls_go_through_the_proxy(
    monkeypatch: pytest.MonkeyPatch, forward_proxy: tuple[str, list[str]]
) -> None:
    proxy_url, seen = forward_proxy
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    # The name does not resolve (.invalid): only a proxied request can be answered.
    client = OktaClient("http://okta.invalid", ApiToken("00-api-token-secret"))
    try:
        assert client.get_connection("0oa1").status == "ENABLED"
    finally:
        client.close()
    assert seen == ["GET http://okta.invalid/api/v1/apps/0oa1/connections/default HTTP/1.1"]
