"""Retries, as an httpx transport: 429 waits for the advertised reset, 5xx and network failures back off.

The four connection calls are idempotent, so they may be sent again when their answer was lost:
GET reads; the update POST sets the whole connection to the same body; activate and deactivate
set a status, and setting it twice leaves it the same. That is why a POST whose connection reset
after Okta applied it is retried like a GET.

Two request extensions change that, for the calls that are not:
- `okta_once`: the request must not reach Okta twice (the OAuth consent callback spends a
  one-time code). It is sent again only after a 429, which Okta answers without acting, or a
  failure to connect, when nothing was sent.
- `okta_renew`: a function returning the request to send next time, signed afresh. A DPoP proof
  and a `private_key_jwt` assertion each carry a one-time `jti`, which Okta refuses to see twice.

It reads `okta_held_back`, the seconds the rate governor held an attempt back before sending it,
and does not count them against `request_timeout`: that time goes to the org's budget or to
other calls in flight, not to this one, so it must not use up the room left for its retries.

It writes one for the caller: `okta_may_have_acted`, whether Okta may have acted on an attempt
before the last answer or failure, a stop (OktaCancelled) included. It stays on the request
across an auth flow's passes, so a call sent again with a new token still tells whether its first
pass may have landed.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import math
import random
import threading
import time

import httpx

from provider.okta.errors import OktaCancelled
from provider.okta.options import RetryPolicy

log = logging.getLogger("provider.okta.http")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# Failures after which the request certainly never reached the server (a proxy that refuses the
# tunnel has not passed it on).
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
# Request extension, kept across retries and across an auth flow's passes: whether an attempt
# that is not the call's last answer may have reached Okta and been acted on.
MAY_HAVE_ACTED = "okta_may_have_acted"
# Request extension set by a layer below on an attempt it held back before sending it (the rate
# governor, waiting for a free slot or for the budget): the seconds it waited.
HELD_BACK = "okta_held_back"
# Okta's rate-limit window: no reset it advertises is further away than this.
WINDOW_SECONDS = 60.0


def may_have_acted(request: httpx.Request) -> bool:
    """Whether Okta may have acted on an attempt at `request` before its last answer or failure."""
    return bool(request.extensions.get(MAY_HAVE_ACTED, False))


class RetriesExhausted(httpx.TransportError):
    """A network failure that persisted through every retry."""

    def __init__(self, last: httpx.TransportError, attempts: int, elapsed: float) -> None:
        super().__init__(f"{type(last).__name__}: {last}" if str(last) else type(last).__name__)
        self.attempts = attempts
        self.elapsed = elapsed


def server_time(response: httpx.Response) -> float | None:
    """The server's clock when it answered (its Date header), or None without a usable Date."""
    date = response.headers.get("Date")
    return _http_date_seconds(date) if date else None


@functools.lru_cache(maxsize=4)
def _http_date_seconds(date: str) -> float | None:
    """A Date header in seconds since the epoch. Cached: a Date has one-second resolution, so
    the answers of a busy second share it, and parsing it costs more than the rest of reading it."""
    try:
        return email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, OverflowError):
        return None


def seconds_to_reset(reset: str, server_now: float) -> float | None:
    """Seconds from `server_now` until an `X-Rate-Limit-Reset` of `reset`, bounded to Okta's
    one-minute window (0 for a reset already past); None when it is not a finite number."""
    try:
        left = float(reset) - server_now
    except ValueError:
        return None
    if not math.isfinite(left):
        return None
    return min(max(left, 0.0), WINDOW_SECONDS)


def rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds until the rate-limit window resets, measured on the server's clock, plus one;
    None without a Date and a finite Reset to measure it by."""
    reset = response.headers.get("X-Rate-Limit-Reset")
    server_now = server_time(response)
    if not reset or server_now is None:
        return None
    left = seconds_to_reset(reset, server_now)
    return None if left is None else left + 1.0


class RetryTransport(httpx.BaseTransport):
    """Sends a request again while the answer says it is worth it and the policy allows."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy,
        stopping: threading.Event,
    ) -> None:
        self._inner = inner
        self._policy = policy
        self._stopping = stopping

    def _backoff(self, retry: int) -> float:
        ceiling = min(self._policy.max_wait_seconds, self._policy.min_wait_seconds * 2 ** (retry - 1))
        return random.uniform(ceiling / 2, ceiling)  # "equal jitter": never zero, never in lockstep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        policy = self._policy
        started = time.monotonic()
        deadline = started + policy.request_timeout if policy.request_timeout > 0 else None
        server_errors = 0
        attempt = 0
        given = request  # a renewed request may be a new object: the record stays on this one
        acted = may_have_acted(given)
        # The configured timeouts, kept aside: an auth flow may send this request through again,
        # and each pass cuts them afresh from its own deadline.
        timeouts = request.extensions.setdefault("okta_configured_timeout", request.extensions.get("timeout"))
        while True:
            attempt += 1
            request.extensions["okta_attempt"] = attempt
            if deadline is not None and isinstance(timeouts, dict):
                # No single wait of this attempt (connect, each read or write) outlasts the bound.
                left = max(deadline - time.monotonic(), 0.001)
                request.extensions["timeout"] = {
                    name: left if limit is None else min(limit, left) for name, limit in timeouts.items()
                }
            failure: httpx.TransportError | None = None
            response: httpx.Response | None = None
            try:
                response = self._inner.handle_request(request)
            except (httpx.LocalProtocolError, OktaCancelled):
                # The request itself is malformed, or Terraform asked to stop while a layer below held
                # it back: sending it again cannot help, and what earlier attempts may have done stands.
                given.extensions[MAY_HAVE_ACTED] = acted
                raise
            except httpx.TransportError as exc:
                failure = exc
            if deadline is not None:
                deadline += request.extensions.pop(HELD_BACK, 0.0)
            retries_left = attempt <= policy.max_retries
            once = request.extensions.get("okta_once", False)
            delay: float | None = None
            retry_headers: dict[str, str] = {}
            if failure is not None:
                resendable = not once or isinstance(failure, NOT_SENT)
                delay = self._backoff(attempt) if retries_left and resendable else None
            elif response is not None and response.status_code in RETRYABLE_STATUSES and retries_left:
                if response.status_code == 429:
                    waited = rate_limit_wait(response)
                    delay = (
                        (waited + random.uniform(0, 0.5)) if waited is not None else self._backoff(attempt)
                    )
                    delay = min(delay, policy.max_wait_seconds)
                    retry_headers = {
                        "X-Okta-Retry-For": response.headers.get("X-Okta-Request-Id", ""),
                        "X-Okta-Retry-Count": str(attempt),
                    }
                elif once:
                    delay = None  # Okta may have acted on it: a one-time request is never resent
                elif response.status_code == 500:
                    server_errors += 1
                    delay = (
                        self._backoff(attempt) if server_errors <= policy.max_server_error_retries else None
                    )
                else:
                    delay = self._backoff(attempt)
            if delay is not None and deadline is not None and time.monotonic() + delay > deadline:
                delay = None
            if delay is None:
                elapsed = time.monotonic() - started
                if failure is not None:
                    given.extensions[MAY_HAVE_ACTED] = acted or not isinstance(failure, NOT_SENT)
                    raise RetriesExhausted(failure, attempt, elapsed) from failure
                # The answer itself is the caller's to judge (an auth flow may send the call again).
                given.extensions[MAY_HAVE_ACTED] = acted
                assert response is not None
                response.extensions["okta_attempts"] = attempt
                response.extensions["okta_elapsed"] = elapsed
                return response
            # Okta answers a 429 without acting; anything else that reached it may have acted.
            if failure is not None:
                acted = acted or not isinstance(failure, NOT_SENT)
            elif response is not None:
                acted = acted or response.status_code != 429
                response.close()
            log.debug(
                "okta request will be retried",
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "attempt": attempt,
                    "status": response.status_code if response is not None else None,
                    "error": type(failure).__name__ if failure is not None else None,
                    "wait_seconds": round(delay, 2),
                },
            )
            if self._stopping.wait(delay):
                given.extensions[MAY_HAVE_ACTED] = acted
                raise OktaCancelled
            renew = request.extensions.get("okta_renew")
            if renew is not None:
                request = renew()
            request.headers.update(retry_headers)

    def close(self) -> None:
        self._inner.close()
