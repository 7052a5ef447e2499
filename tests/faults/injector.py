"""Faults injected into the provider's HTTP calls, one decision per attempt, under its transport stack.

`FaultInjector` is the base transport of the provider's client: the retries, the rate governor
and the logging all sit above it, exactly as they sit above the real network transport. Each
attempt takes the next planned `Fault` (none once the plan is used up). Faults that need Okta's
side of the connection (a reset before or after the change lands, a 5xx, a sane 429, a truncated
body, a slow answer) are queued in the emulator for exactly that request; the others are acted
out here: a refused connection, and 429s whose rate-limit headers are garbage, which no Okta
sends on purpose but which a proxy or a bad clock can produce.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formatdate

import httpx
from hypothesis import strategies as st

from okta_emulator import Emulator, FaultKind

# X-Rate-Limit-Reset values that must not hang the provider nor break a later call. "hour" is a
# reset one hour after the answer's Date; it and 1e12, finite numbers, may be bounded to Okta's
# one-minute window; the others are not finite numbers, or not numbers, and must be ignored.
GARBAGE_RESETS = ("nan", "inf", "-inf", "1e12", "1e400", "soon", "hour")
BEYOND_THE_WINDOW = frozenset({"1e12", "hour"})


@dataclass(frozen=True)
class Fault:
    """What one attempt meets: `kind`, with a status, a delay in seconds, or a reset header."""

    kind: str
    status: int | None = None
    delay: float | None = None
    reset: str | None = None

    def __repr__(self) -> str:
        extra = "".join(
            f", {name}={value!r}"
            for name, value in (("status", self.status), ("delay", self.delay), ("reset", self.reset))
            if value is not None
        )
        return f"Fault({self.kind!r}{extra})"

    def budget_wait(self) -> float:
        """The longest wait for the rate budget a sane 429 justifies: its reset is a second or two
        ahead. Garbage that is not a finite number must be ignored, so it justifies none."""
        return 3.0 if self.kind == "429" and self.reset is None else 0.0

    @property
    def beyond_the_window(self) -> bool:
        """A reset a correct provider may bound to Okta's one-minute window, and so wait for."""
        return self.kind == "429" and self.reset in BEYOND_THE_WINDOW


# Each kind of fault is as likely as any other, whatever its number of variants.
FAULT_KINDS: tuple[tuple[Fault, ...], ...] = (
    (Fault("refused"),),
    (Fault("reset_before"),),
    (Fault("reset_after"),),
    (Fault("truncate"),),
    (Fault("slow", delay=0.3), Fault("slow", delay=2.5)),
    tuple(Fault("status", status=status) for status in (500, 502, 503, 504)),
    (Fault("429"), *(Fault("429", reset=reset) for reset in GARBAGE_RESETS)),
)


def attempt_faults() -> st.SearchStrategy[list[Fault | None]]:
    """What the next attempts meet, in order: each a fault (of a kind drawn evenly) or, as often, none."""
    fault = st.one_of(*(st.sampled_from(variants) for variants in FAULT_KINDS))
    return st.lists(st.one_of(st.none(), fault), min_size=1, max_size=4)


def _garbage_429(request: httpx.Request, reset: str, limit: int) -> httpx.Response:
    now = time.time()
    value = str(int(now) + 3600) if reset == "hour" else reset
    body = {
        "errorCode": "E0000047",
        "errorSummary": "API call exceeded rate limit due to too many requests.",
        "errorLink": "E0000047",
        "errorId": "oaeFaultModel",
        "errorCauses": [],
    }
    headers = {
        "Content-Type": "application/json",
        "Date": formatdate(now, usegmt=True),
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": value,
        "X-Okta-Request-Id": "fault-model-429",
    }
    return httpx.Response(429, headers=headers, content=json.dumps(body).encode(), request=request)


class FaultInjector(httpx.BaseTransport):
    """The base transport: real HTTP to the emulator, with the planned faults on the way."""

    def __init__(self, emulator: Emulator, rate_limit: int) -> None:
        self._emulator = emulator
        self._rate_limit = rate_limit
        self._inner = httpx.HTTPTransport(retries=0)
        self._planned: list[Fault | None] = []
        self.served: list[Fault] = []
        self.last_fault: Fault | None = None
        self.last_progress = time.monotonic()

    def plan(self, faults: Iterable[Fault | None]) -> None:
        """The faults the next attempts meet, in order; attempts after them meet none."""
        self._planned = list(faults)
        self.served = []
        self.last_fault = None
        self.last_progress = time.monotonic()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self._planned.pop(0) if self._planned else None
        try:
            return self._attempt(request, fault)
        finally:
            # Written last, read by the watchdog: when the last attempt ended, and what it met.
            self.last_fault = fault
            self.last_progress = time.monotonic()

    def _attempt(self, request: httpx.Request, fault: Fault | None) -> httpx.Response:
        if fault is None:
            return self._inner.handle_request(request)
        self.served.append(fault)
        if fault.kind == "refused":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if fault.kind == "429" and fault.reset is not None:
            return _garbage_429(request, fault.reset, self._rate_limit)
        store = self._emulator.store
        where = {"method": request.method, "path": request.url.path}
        if fault.kind == "429":
            store.inject(FaultKind.STATUS, status=429, reset_in=1, **where)
        elif fault.kind == "status":
            store.inject(FaultKind.STATUS, status=fault.status, **where)
        elif fault.kind == "slow":
            store.inject(FaultKind.SLOW, reset_in=fault.delay, **where)
        else:
            store.inject(FaultKind(fault.kind), **where)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()
