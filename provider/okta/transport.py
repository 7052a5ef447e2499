"""httpx behaviour added by wrapping: SSWS authentication and one DEBUG log line per HTTP call."""

from __future__ import annotations

import logging
import time
from collections.abc import Generator

import httpx

log = logging.getLogger("provider.okta.http")


class SSWSAuth(httpx.Auth):
    """Okta API-token authentication: `Authorization: SSWS <token>`."""

    def __init__(self, token: str) -> None:
        self._header = f"SSWS {token}"

    def __repr__(self) -> str:
        return "SSWSAuth(<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class LoggingTransport(httpx.BaseTransport):
    """Logs method, path, status, duration and Okta's request id; never headers or bodies."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError as exc:
            log.debug(
                "okta request failed",
                extra={"method": request.method, "path": request.url.path, "error": type(exc).__name__},
            )
            raise
        log.debug(
            "okta request",
            extra={
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "okta_request_id": response.headers.get("X-Okta-Request-Id", ""),
            },
        )
        return response

    def close(self) -> None:
        self._inner.close()
