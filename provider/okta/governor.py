"""One rate governor per provider process, shared by every operation, as an httpx transport.

It bounds the requests in flight (Okta also limits concurrency) and, from the `X-Rate-Limit-*`
headers of the answers, tracks the budget left in the current one-minute window of the apps
bucket: once `max_api_capacity` percent of it is spent, further requests wait for the reset
instead of setting off a storm of 429s. The time it holds a request back is left on the request
(`okta_held_back`) for the retry layer, which does not count it against `request_timeout`.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time

import httpx

from provider.okta.errors import OktaCancelled
from provider.okta.options import DEFAULT_MAX_CONCURRENT
from provider.okta.retry import HELD_BACK, seconds_to_reset, server_time

log = logging.getLogger("provider.okta.http")


class RateGovernor(httpx.BaseTransport):
    """Holds each request back until a slot is free and the window's budget allows it.

    Each answer's `X-Rate-Limit-*` headers update what it knows of the window. One with the
    window's reset can only lower the count left (answers arrive out of order); one with another
    reset replaces the window, so a later good answer undoes a garbage one. Headers that are not
    numbers, or out of range, are ignored, and a reset is at most Okta's one-minute window away.
    """

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
        self._capacity = max_api_capacity
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._lock = threading.Lock()
        self._reset = ""  # the current window's X-Rate-Limit-Reset, as Okta sent it
        self._reset_at = -math.inf  # on our clock (time.monotonic), when the current window ends
        self._remaining = 0
        self._reserve = 0  # what to leave of the window: the part beyond max_api_capacity

    def _wait(self, seconds: float) -> None:
        if self._stopping.wait(seconds):
            raise OktaCancelled

    def _take_slot(self) -> float:
        """Take a slot for one request in flight; returns the seconds spent waiting for one."""
        if self._slots.acquire(blocking=False):
            return 0.0
        started = time.monotonic()
        while not self._slots.acquire(timeout=0.25):
            if self._stopping.is_set():
                raise OktaCancelled
        return time.monotonic() - started

    def _take_budget(self) -> float:
        """Reserve one request of the window's budget, waiting for the reset when it is spent;
        returns the seconds spent waiting."""
        started: float | None = None
        while True:
            with self._lock:
                now = time.monotonic()
                if now >= self._reset_at:
                    break
                if self._remaining > self._reserve:
                    self._remaining -= 1
                    break
                # Finite, and at most a minute and a half-second away: the reset is bounded.
                wait = self._reset_at - now + random.uniform(0.05, 0.5)
            if started is None:
                started = now
            log.debug(
                "rate budget spent, waiting for the window to reset", extra={"wait_seconds": round(wait, 2)}
            )
            self._wait(wait)
        return 0.0 if started is None else now - started

    def _observe(self, response: httpx.Response) -> None:
        """Learn the window from an answer's headers; an answer with any of them unusable is ignored."""
        headers = response.headers
        try:
            limit = int(headers["X-Rate-Limit-Limit"])
            remaining = int(headers["X-Rate-Limit-Remaining"])
            reset = headers["X-Rate-Limit-Reset"]
        except (KeyError, ValueError):
            return
        if not 0 <= remaining <= limit or limit == 0:
            return  # garbage, or a concurrency 429 (Limit 0), whose numbers are not the bucket's
        server_now = server_time(response)
        left = seconds_to_reset(reset, time.time() if server_now is None else server_now)
        if not left:
            return  # not a number, or a window already over: nothing to hold requests back for
        now = time.monotonic()
        reserve = limit - limit * self._capacity // 100
        with self._lock:
            if reset == self._reset and now < self._reset_at:
                # The same window: answers arrive out of order, and the fewest left is the latest.
                self._remaining = min(self._remaining, remaining)
            else:
                self._reset, self._reset_at, self._remaining = reset, now + left, remaining
            self._reserve = reserve

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        held = self._take_slot()
        try:
            held += self._take_budget()
            if held:
                request.extensions[HELD_BACK] = held
            response = self._inner.handle_request(request)
        finally:
            self._slots.release()
        self._observe(response)
        return response

    def close(self) -> None:
        self._inner.close()
