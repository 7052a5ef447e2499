"""One rate governor per provider process, shared by every operation, as an httpx transport.

It bounds the requests in flight (Okta also limits concurrency) and, from the `X-Rate-Limit-*`
headers of the answers, tracks the budget left in the current one-minute window of the apps
bucket: once `max_api_capacity` percent of it is spent, further requests wait for the reset
instead of setting off a storm of 429s.
"""

from __future__ import annotations

import logging
import random
import threading
import time

import httpx

from provider.okta.errors import OktaCancelled
from provider.okta.options import DEFAULT_MAX_CONCURRENT
from provider.okta.retry import server_time_offset

log = logging.getLogger("provider.okta.http")


class RateGovernor(httpx.BaseTransport):
    def __init__(
        self,
        inner: httpx.BaseTransport,
        stopping: threading.Event,
        *,
        max_api_capacity: int = 100,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT,
    ) -> None:
        self._inner = inner
        self._stopping = stopping
        self._capacity = max_api_capacity / 100
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._lock = threading.Lock()
        self._limit: int | None = None
        self._remaining = 0
        self._reset_at = 0.0  # on our clock (time.time), when the current window ends

    def _wait(self, seconds: float) -> None:
        if self._stopping.wait(seconds):
            raise OktaCancelled

    def _take_slot(self) -> None:
        while not self._slots.acquire(timeout=0.25):
            if self._stopping.is_set():
                raise OktaCancelled

    def _take_budget(self) -> None:
        """Reserve one request of the window's budget, waiting for the reset when it is spent."""
        while True:
            with self._lock:
                now = time.time()
                if self._limit is None or now >= self._reset_at:
                    return
                allowed = int(self._limit * self._capacity)
                used = self._limit - self._remaining
                if used < allowed:
                    self._remaining -= 1
                    return
                wait = self._reset_at - now + random.uniform(0.05, 0.5)
            log.debug(
                "rate budget spent, waiting for the window to reset", extra={"wait_seconds": round(wait, 2)}
            )
            self._wait(wait)

    def _observe(self, response: httpx.Response) -> None:
        headers = response.headers
        try:
            limit = int(headers["X-Rate-Limit-Limit"])
            remaining = int(headers["X-Rate-Limit-Remaining"])
            reset = float(headers["X-Rate-Limit-Reset"])
        except (KeyError, ValueError):
            return
        if limit <= 0:
            return  # a concurrency 429: its numbers are not the bucket's
        now = time.time()
        reset_at = reset - server_time_offset(response, now)
        with self._lock:
            if self._limit is None or reset_at > self._reset_at + 0.5:
                self._limit, self._remaining, self._reset_at = limit, remaining, reset_at
            else:
                self._remaining = min(self._remaining, remaining)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._take_slot()
        try:
            self._take_budget()
            response = self._inner.handle_request(request)
        finally:
            self._slots.release()
        self._observe(response)
        return response

    def close(self) -> None:
        self._inner.close()
