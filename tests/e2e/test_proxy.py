"""The provider's http_proxy argument, through Terraform: every call goes through the proxy."""

from __future__ import annotations

import base64
import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from okta_emulator import AppKind, Emulator

from .conftest import Terraform, header_with, token_connection

PROXY_PASSWORD = "proxy-password-must-not-leak-51c7"


class ForwardProxy:
    """A plain-HTTP forward proxy on loopback that records each request line and its credentials."""

    def __init__(self) -> None:
        self.request_lines: list[str] = []
        self.credentials: set[str] = set()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                proxy.request_lines.append(f"{self.command} {self.path}")
                authorization = self.headers.get("Proxy-Authorization", "")
                if authorization.startswith("Basic "):
                    proxy.credentials.add(base64.b64decode(authorization[6:]).decode())
                target = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-authorization"}
                upstream = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
                try:
                    path = target.path + (f"?{target.query}" if target.query else "")
                    upstream.request(self.command, path, body=body or None, headers=headers)
                    answer = upstream.getresponse()
                    content = answer.read()
                finally:
                    upstream.close()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    proxy = ForwardProxy()
    thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()


def test_http_proxy_carries_every_call_and_its_password_stays_hidden(
    terraform: Terraform, emulator: Emulator, forward_proxy: ForwardProxy
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    proxy_url = f"http://okta-user:{PROXY_PASSWORD}@127.0.0.1:{forward_proxy.port}"
    terraform.write(token_connection(app_id), header=header_with(http_proxy=proxy_url))
    terraform.init()
    applied = terraform.apply(env={"TF_LOG": "TRACE"})
    terraform.assert_no_changes()

    connection = f"{emulator.url}/api/v1/apps/{app_id}/connections/default"
    assert forward_proxy.request_lines == [f"POST {connection}?activate=true", f"GET {connection}"]
    assert forward_proxy.credentials == {f"okta-user:{PROXY_PASSWORD}"}
    assert [entry.method for entry in emulator.store.requests()] == ["POST", "GET"]
    assert PROXY_PASSWORD not in applied.stdout + applied.stderr
