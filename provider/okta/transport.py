"""The HTTP stack, built by wrapping transports: retries, then the rate governor, then logging.

At DEBUG one line per HTTP attempt (method, path, status, duration, attempt, Okta's request
id); at TRACE also the bodies, with every secret redacted. Headers are never logged.
"""

from __future__ import annotations

import logging
import threading
import time

import httpx

from provider.okta.governor import RateGovernor
from provider.okta.options import RetryPolicy
from provider.okta.redact import redact_body
from provider.okta.retry import RetryTransport

TRACE = 5
log = logging.getLogger("provider.okta.http")


class LoggingTransport(httpx.BaseTransport):
    """Logs each attempt; never headers, and bodies only at TRACE and redacted."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        fields: dict[str, object] = {
            "method": request.method,
            "path": request.url.path,
            "attempt": request.extensions.get("okta_attempt", 1),
        }
        if log.isEnabledFor(TRACE):
            body = redact_body(request.read(), request.headers.get("Content-Type", ""))
            log.log(TRACE, "okta request body", extra={**fields, "body": body})
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError as exc:
            log.debug("okta request failed", extra={**fields, "error": f"{type(exc).__name__}: {exc}"})
            raise
        fields.update(
            status=response.status_code,
            duration_ms=round((time.monotonic() - started) * 1000, 1),
            okta_request_id=response.headers.get("X-Okta-Request-Id", ""),
        )
        log.debug("okta request", extra=fields)
        if log.isEnabledFor(TRACE):
            body = redact_body(response.read(), response.headers.get("Content-Type", ""))
            log.log(TRACE, "okta response body", extra={**fields, "body": body})
        return response

    def close(self) -> None:
        self._inner.close()


def api_transport(
    base: httpx.BaseTransport,
    policy: RetryPolicy,
    stopping: threading.Event,
    *,
    max_api_capacity: int,
    max_concurrent: int,
) -> httpx.BaseTransport:
    """For the apps API: retries around the shared rate governor around logging."""
    governed = RateGovernor(
        LoggingTransport(base), stopping, max_api_capacity=max_api_capacity, max_concurrent=max_concurrent
    )
    return RetryTransport(governed, policy, stopping)


def token_transport(
    base: httpx.BaseTransport, policy: RetryPolicy, stopping: threading.Event
) -> httpx.BaseTransport:
    """For the token endpoint, which has its own rate-limit bucket: retries around logging."""
    return RetryTransport(LoggingTransport(base), policy, stopping)
