"""The rate governor: holds requests back once max_api_capacity percent of a window is spent."""

from __future__ import annotations

import contextlib
import email.utils
import threading
import time

import httpx

from provider.okta.errors import OktaCancelled
from provider.okta.governor import RateGovernor

from .stops import RecordingStop


def bucket(limit: int, remaining: int, reset_in: float) -> httpx.Response:
    now = time.time()
    return httpx.Response(
        200,
        headers={
            "Date": email.utils.formatdate(now, usegmt=True),
            "X-Rate-Limit-Limit": str(limit),
            "X-Rate-Limit-Remaining": str(remaining),
            "X-Rate-Limit-Reset": str(int(now + reset_in)),
        },
    )


def governor(response: httpx.Response, stop: threading.Event, **options: int) -> RateGovernor:
    return RateGovernor(httpx.MockTransport(lambda request: response), stop, **options)


def send(transport: RateGovernor) -> None:
    transport.handle_request(httpx.Request("GET", "https://dev-1.okta.com/api/v1/apps/x"))


def test_requests_flow_while_the_budget_lasts() -> None:
    stop = RecordingStop()
    transport = governor(bucket(limit=100, remaining=60, reset_in=30), stop, max_api_capacity=50)
    for _ in range(10):
        send(transport)
    assert stop.waits == []


def test_spent_budget_waits_for_the_window_to_reset() -> None:
    stop = RecordingStop()
    # 50 of 100 used; 50 % capacity: the next request must wait for the reset, about 30 s away.
    transport = governor(bucket(limit=100, remaining=50, reset_in=30), stop, max_api_capacity=50)
    send(transport)
    stop.set()
    with contextlib.suppress(OktaCancelled):
        send(transport)
    assert len(stop.waits) == 1 and 28 <= stop.waits[0] <= 31.5


def test_local_accounting_spends_budget_before_answers_arrive() -> None:
    stop = RecordingStop(stop_after=1)
    transport = governor(bucket(limit=10, remaining=8, reset_in=30), stop, max_api_capacity=100)
    send(transport)  # learns: 8 left
    sent = 0
    with contextlib.suppress(OktaCancelled):
        for _ in range(20):
            send(transport)
            sent += 1
    assert sent == 8  # the answers keep saying 8 left; the governor counts its own sends


def test_concurrency_is_bounded() -> None:
    inside = 0
    peak = 0
    lock = threading.Lock()
    release = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal inside, peak
        with lock:
            inside += 1
            peak = max(peak, inside)
        release.wait(5)
        with lock:
            inside -= 1
        return httpx.Response(200)

    transport = RateGovernor(httpx.MockTransport(handler), threading.Event(), max_concurrent=3)
    threads = [threading.Thread(target=send, args=(transport,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while peak < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join()
    assert peak == 3
