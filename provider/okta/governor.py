"""One rate governor per provider process, shared by every operation, as an httpx transport.

It bounds the requests in flight (Okta also limits concurrency) and, from the `X-Rate-Limit-*`
headers of the answers, tracks the budget left in the current one-minute window of the apps
bucket: once `max_api_capacity` percent of it is spent, further requests wait for the reset
instead of setting off a storm of 429s. The time it holds a request back is left on the request
(`okta_held_back`) for the retry layer, which does not count it against `request_timeout`.

Other processes may share the bucket (concurrent Terraform runs against one org), and nothing
but the headers tells of them: each answer's `Remaining` is a slot of the window's count, so the
slots between the highest and the lowest this process was told, less its own answers, are the
others'. Its own part of that consumption is its share of what is left, and it keeps no more
requests in flight than that: one at a time when little is left, none when its share is under
three quarters of a request. Alone its part is the whole, and nothing changes.
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

# Far above any bucket Okta sets, and the largest count a float holds exactly: a Limit beyond it is garbage.
LARGEST_LIMIT = 2**53
# The longest a request waiting for one of ours to be answered goes without looking at the stop.
POLL_SECONDS = 0.25


def share_of(part: float, left: int) -> int:
    """Requests to keep in flight for `part` (0-1) of the consumption, with `left` in the window.

    An answer's `Remaining` is a round trip old. If the others keep in flight in the same
    proportion as we do (`1 - part` to our `part`), what is left is less by twice what they have
    in flight: the requests they had on the way when it was counted, and as many sent before our
    next answer. Our requests in flight then stay within our part of the rest when they are
    `part / (3 - 2 part)` of `left`: all of it alone, a quarter for a half, a seventh for a third.
    Below one request, one as long as three quarters of a request is ours.
    """
    if left <= 0:
        return 0
    share = math.floor(part * left / (3 - 2 * part))
    return share or int(part * left >= 0.75)


class RateGovernor(httpx.BaseTransport):
    """Holds each request back until a slot is free and the window's budget allows it.

    Each answer's `X-Rate-Limit-*` headers update what it knows of the window. One with the
    window's reset can only lower the count left (answers arrive out of order); one with another
    reset replaces the window, so a later good answer undoes a garbage one. Headers that are not
    numbers, or out of range, are ignored, and a reset is at most Okta's one-minute window away.
    The share measured in a window carries over to the next one, with at most a window's weight,
    and bounds the requests sent there before the first answer.
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
        self._slots_total = max_concurrent
        self._lock = threading.Lock()
        self._answer = threading.Condition(self._lock)  # notified on each answer of ours
        self._reset = ""  # the current window's X-Rate-Limit-Reset, as Okta sent it
        self._reset_at = -math.inf  # on our clock (time.monotonic), when the current window ends
        self._remaining = 0  # the fewest left that an answer told, less our requests sent since
        self._reserve = 0  # what to leave of the window: the part beyond max_api_capacity
        self._in_flight = 0  # our requests sent and not yet answered
        # The window's slots that answers told of: the highest and lowest Remaining, and ours.
        self._top = self._low = self._mine = 0
        self._known_part, self._known_weight = 1.0, 0  # our share in earlier windows, in slots
        self._share = 0  # our requests the window allows in flight
        self._limit = 0  # the last window's Limit: 0 before the first answer
        self._waiting = 0  # requests waiting for an answer of ours

    def _wait(self, seconds: float) -> None:
        if self._stopping.wait(seconds):
            raise OktaCancelled

    def _take_slot(self) -> float:
        """Take a slot for one request in flight; returns the seconds spent waiting for one."""
        if self._slots.acquire(blocking=False):
            return 0.0
        started = time.monotonic()
        while not self._slots.acquire(timeout=POLL_SECONDS):
            if self._stopping.is_set():
                raise OktaCancelled
        return time.monotonic() - started

    def _take_budget(self) -> float:
        """Reserve one request of the window's budget and of our share, waiting for an answer of
        ours or for the reset when they are spent; returns the seconds spent waiting."""
        started: float | None = None
        while True:
            wait = 0.0
            with self._lock:
                now = time.monotonic()
                if now >= self._reset_at:
                    if not self._in_flight or self._in_flight < self._opening():
                        self._in_flight += 1
                        break
                elif self._remaining > self._reserve and self._in_flight < self._share:
                    self._remaining -= 1
                    self._in_flight += 1
                    break
                if started is None:
                    started = now
                if self._in_flight:
                    # An answer of ours is on its way, and with it what is left and our share.
                    self._waiting += 1
                    self._answer.wait(POLL_SECONDS)
                    self._waiting -= 1
                else:
                    # Finite, and at most a minute and a half-second away: the reset is bounded.
                    wait = self._reset_at - now + random.uniform(0.05, 0.5)
            if wait:
                log.debug(
                    "rate budget (or this process's share of it) spent, waiting for the window to reset",
                    extra={"wait_seconds": round(wait, 2)},
                )
                self._wait(wait)
            elif self._stopping.is_set():
                raise OktaCancelled
        return 0.0 if started is None else now - started

    def _window(self, response: httpx.Response) -> tuple[int, int, str, float] | None:
        """An answer's Limit, Remaining and Reset, and the seconds to the reset; None when any
        is unusable."""
        headers = response.headers
        try:
            limit = int(headers["X-Rate-Limit-Limit"])
            remaining = int(headers["X-Rate-Limit-Remaining"])
            reset = headers["X-Rate-Limit-Reset"]
        except (KeyError, ValueError):
            return None
        if not 0 <= remaining <= limit <= LARGEST_LIMIT or limit == 0:
            return None  # garbage, or a concurrency 429 (Limit 0), whose numbers are not the bucket's
        server_now = server_time(response)
        left = seconds_to_reset(reset, time.time() if server_now is None else server_now)
        if not left:
            return None  # not a number, or a window already over: nothing to hold requests back for
        return limit, remaining, reset, left

    def _answered(self, response: httpx.Response | None) -> None:
        """Count one of ours as answered (`None`: failed) and learn the window from its headers."""
        window = None if response is None else self._window(response)
        with self._lock:
            self._in_flight -= 1
            if window is not None and response is not None:
                self._learn(*window, spent=response.status_code != 429)
            if self._waiting:
                self._answer.notify_all()

    def _learn(self, limit: int, remaining: int, reset: str, left: float, *, spent: bool) -> None:
        """Take in an answer's window (under the lock): what is left, and our share of the slots."""
        now = time.monotonic()
        if reset == self._reset and now < self._reset_at:
            # The same window: answers arrive out of order, and the fewest left is the latest.
            self._remaining = min(self._remaining, remaining)
            self._top, self._low = max(self._top, remaining), min(self._low, remaining)
        else:
            if self._reset:
                self._known_part, self._known_weight = self._part(), min(self._slots_seen(), limit)
            self._reset, self._reset_at = reset, now + left
            self._remaining = self._top = self._low = remaining
            self._mine = 0
        self._mine += spent  # a 429 spends nothing
        self._limit = limit
        self._reserve = limit - limit * self._capacity // 100
        self._share = share_of(self._part(), self._low - self._reserve)

    def _opening(self) -> int:
        """Our requests to send in a window before its first answer (under the lock): the last
        window's share of a full one, and without an answer yet, as many as there are slots."""
        if not self._limit:
            return self._slots_total
        return share_of(self._part(), self._limit - self._reserve)

    def _slots_seen(self) -> int:
        """The slots of the window that answers told of, and those of earlier windows."""
        return self._top - self._low + 1 + self._known_weight

    def _part(self) -> float:
        """Our part of the slots seen: those of our answers, of those answers told of."""
        mine = self._mine + self._known_part * self._known_weight
        return min(mine / self._slots_seen(), 1.0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        held = self._take_slot()
        try:
            held += self._take_budget()
            if held:
                request.extensions[HELD_BACK] = held
            try:
                response = self._inner.handle_request(request)
            except BaseException:
                self._answered(None)
                raise
            self._answered(response)
        finally:
            self._slots.release()
        return response

    def close(self) -> None:
        self._inner.close()
