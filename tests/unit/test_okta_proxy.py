"""The proxy comes from HTTPS_PROXY / NO_PROXY as Go reads them, and every call goes through it."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from provider.okta import (
    ApiToken,
    ClientOptions,
    Credentials,
    InvalidProxy,
    OktaTransportError,
    RetryPolicy,
    ServiceAppCredentials,
    environment_proxy,
)
from provider.okta.client import OktaClient

from .loopback import json_server

ORG = "https://dev-1.okta.com"
PROXY = "http://proxy.corp.example:3128"
CONNECTION = {"authScheme": "TOKEN", "status": "ENABLED", "profile": {"authScheme": "TOKEN"}}


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "https_proxy"])
def test_https_proxy_applies_to_the_org(name: str) -> None:
    assert environment_proxy(ORG, {name: PROXY}) == PROXY


def test_the_upper_case_name_wins_as_in_go() -> None:
    assert environment_proxy(ORG, {"HTTPS_PROXY": PROXY, "https_proxy": "http://other:8080"}) == PROXY


def test_a_value_without_a_scheme_means_http() -> None:
    assert environment_proxy(ORG, {"HTTPS_PROXY": "proxy.corp.example:3128"}) == PROXY


def test_no_variable_no_proxy() -> None:
    assert environment_proxy(ORG, {}) is None


def test_http_proxy_and_all_proxy_do_not_apply_to_https_as_in_go() -> None:
    assert environment_proxy(ORG, {"HTTP_PROXY": PROXY, "ALL_PROXY": "socks5://proxy:1080"}) is None


@pytest.mark.parametrize(
    "no_proxy",
    ["*", ".okta.com", "okta.com", "dev-1.okta.com", "example.com, dev-1.okta.com", "dev-1.okta.com:443"],
)
def test_no_proxy_exempts_the_org(no_proxy: str) -> None:
    assert environment_proxy(ORG, {"HTTPS_PROXY": PROXY, "NO_PROXY": no_proxy}) is None


@pytest.mark.parametrize("no_proxy", ["oktapreview.com", "dev-1.okta.com:8443", "other.example"])
def test_no_proxy_for_other_hosts_leaves_the_proxy(no_proxy: str) -> None:
    assert environment_proxy(ORG, {"HTTPS_PROXY": PROXY, "no_proxy": no_proxy}) == PROXY


@pytest.mark.parametrize("org_url", ["http://127.0.0.1:8787", "http://localhost:8787", "https://[::1]:8443"])
def test_loopback_hosts_are_never_proxied(org_url: str) -> None:
    """As in Go's net/http: a local emulator stays reachable behind a corporate proxy."""
    assert environment_proxy(org_url, {"HTTPS_PROXY": PROXY, "HTTP_PROXY": PROXY}) is None


@pytest.mark.parametrize("value", ["socks5://user:secret@proxy:1080", "socks4://proxy:1080", "ftp://proxy"])
def test_an_unsupported_proxy_is_named_without_its_address(value: str) -> None:
    with pytest.raises(InvalidProxy) as caught:
        environment_proxy(ORG, {"HTTPS_PROXY": value})
    message = str(caught.value)
    assert message.startswith(f"HTTPS_PROXY names a {value.split('://')[0]}:// proxy")
    assert "secret" not in message and "proxy:" not in message


def test_the_proxy_stays_out_of_the_options_repr() -> None:
    assert "secret" not in repr(ClientOptions(proxy="http://user:secret@proxy:3128"))


@pytest.fixture
def forward_proxy() -> Iterator[tuple[str, list[str]]]:
    """A plain-HTTP forward proxy that answers every request itself and records its request line."""
    with json_server(CONNECTION) as served:
        yield served


def test_calls_go_through_the_proxy(forward_proxy: tuple[str, list[str]]) -> None:
    proxy_url, seen = forward_proxy
    # The name does not resolve (.invalid): only a proxied request can be answered.
    client = OktaClient(
        "http://okta.invalid", ApiToken("00-api-token-secret"), options=ClientOptions(proxy=proxy_url)
    )
    try:
        assert client.get_connection("0oa1").status == "ENABLED"
    finally:
        client.close()
    assert seen == ["GET http://okta.invalid/api/v1/apps/0oa1/connections/default HTTP/1.1"]


class RefusingProxy(BaseHTTPRequestHandler):
    """A hostile proxy: a 407 to every request and CONNECT, the request copied into its reason
    phrase and into an Okta-like error body."""

    def _refuse(self) -> None:
        headers = [self.headers.get(name) for name in ("Proxy-Authorization", "Authorization")]
        copied = " ".join([self.requestline, *(header or "" for header in headers)])
        body = json.dumps({"errorCode": "E0000001", "errorSummary": copied}).encode()
        self.send_response(407, copied)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_CONNECT = _refuse

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_proxy() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RefusingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://alice:PROXYPW77@127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


SERVICE_APP = ServiceAppCredentials(
    client_id="0oaservice",
    private_key_pem=ec.generate_private_key(ec.SECP256R1())
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode(),
)


@pytest.mark.parametrize("org_url", ["http://okta.invalid", "https://okta.invalid"], ids=["plain", "tunnel"])
@pytest.mark.parametrize("credentials", [ApiToken("00-api-token-secret"), SERVICE_APP], ids=["api", "token"])
def test_a_proxy_refusal_is_the_proxys_not_okta_and_never_quoted(
    refusing_proxy: str, org_url: str, credentials: Credentials
) -> None:
    """A 407 answered to the request itself (plain http) or to its CONNECT (https), on an API
    call or on the token endpoint, comes from the proxy: its body and reason phrase, which may
    copy the request's credentials, are not shown."""
    options = ClientOptions(proxy=refusing_proxy, retry=RetryPolicy(max_retries=0))
    client = OktaClient(org_url, credentials, options=options)
    try:
        with pytest.raises(OktaTransportError) as caught:
            client.get_connection("0oa1")
    finally:
        client.close()
    shown = f"{caught.value} {caught.value.summary} {caught.value.detail}"
    assert "the proxy refused the connection (407)" in shown
    assert not caught.value.may_have_acted
    proxy_authorization = base64.b64encode(b"alice:PROXYPW77").decode()
    for secret in ("PROXYPW77", proxy_authorization, "00-api-token-secret", "E0000001"):
        assert secret not in shown
