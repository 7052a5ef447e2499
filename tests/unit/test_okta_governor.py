"""The rate governor: holds requests back once max_api_capacity percent of a window is spent."""

from __future__ import annotations

import contextlib
import email.utils
import threading
import time

import httpx
import pytest

from provider.okta.errors import OktaCancelled
from provider.okta.governor import RateGovernor, share_of

from .stops import Clock, ClockedStop, RecordingStop


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


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("provider.okta.governor.time", clock)
    return clock


def headers(
    clock: Clock, limit: str = "100", remaining: str = "0", reset: str | float = 30.0, date: str | None = None
) -> dict[str, str]:
    """X-Rate-Limit-* headers as given; a number `reset` is seconds after the clock's now."""
    return {
        "Date": email.utils.formatdate(clock.now, usegmt=True) if date is None else date,
        "X-Rate-Limit-Limit": limit,
        "X-Rate-Limit-Remaining": remaining,
        "X-Rate-Limit-Reset": str(int(clock.now + reset)) if isinstance(reset, float) else reset,
    }


def replay(*answers: dict[str, str], stop: threading.Event, max_api_capacity: int = 100) -> RateGovernor:
    """A governor over answers with these headers, in turn; the last one repeats."""
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=queue.pop(0) if len(queue) > 1 else queue[0])

    return RateGovernor(httpx.MockTransport(handler), stop, max_api_capacity=max_api_capacity)


@pytest.mark.parametrize("reset", ["nan", "NaN", "inf", "-inf", "1e400", "soon"])
def test_a_reset_that_is_not_a_finite_number_is_ignored(clock: Clock, reset: str) -> None:
    stop = ClockedStop(clock, stop_after=1)
    transport = replay(headers(clock, reset=reset), headers(clock, reset=30.0), stop=stop)
    send(transport)  # spent, with a reset that says nothing
    send(transport)  # not held back; spent again, with a good reset 30 s away
    with pytest.raises(OktaCancelled):
        send(transport)
    assert len(stop.waits) == 1 and 30 < stop.waits[0] <= 30.5


@pytest.mark.parametrize("reset", [3600.0, "1e12", "9" * 40])
def test_a_reset_beyond_okta_s_one_minute_window_counts_as_a_minute(clock: Clock, reset: str | float) -> None:
    stop = ClockedStop(clock, stop_after=1)
    transport = replay(headers(clock, reset=reset), stop=stop)
    send(transport)
    with pytest.raises(OktaCancelled):
        send(transport)
    assert len(stop.waits) == 1 and 60 < stop.waits[0] <= 60.5


def test_the_window_is_measured_on_the_servers_date(clock: Clock) -> None:
    stop = ClockedStop(clock, stop_after=1)
    server_now = clock.now + 3600  # the server's clock is an hour ahead of ours
    date = email.utils.formatdate(server_now, usegmt=True)
    transport = replay(headers(clock, reset=str(int(server_now + 30)), date=date), stop=stop)
    send(transport)
    with pytest.raises(OktaCancelled):
        send(transport)
    assert len(stop.waits) == 1 and 30 < stop.waits[0] <= 30.5


def test_an_answer_with_another_reset_replaces_the_governors_view(clock: Clock) -> None:
    """A reset an hour away, then Okta's own: the governor waits for Okta's, not for a minute."""
    stop = ClockedStop(clock, stop_after=1)
    transport = replay(
        headers(clock, remaining="60", reset=3600.0),
        headers(clock, remaining="45", reset=20.0),
        stop=stop,
        max_api_capacity=50,
    )
    send(transport)
    send(transport)  # 45 left of 100 is past the 50 % this provider may use
    with pytest.raises(OktaCancelled):
        send(transport)
    assert len(stop.waits) == 1 and 20 < stop.waits[0] <= 20.5


@pytest.mark.parametrize(
    ("limit", "remaining"),
    [
        ("100", "-3"),
        ("100", "101"),
        ("-5", "-5"),
        ("0", "0"),  # a concurrency 429: its numbers are not the bucket's
        ("abc", "0"),
        ("100", "1.5"),
        ("9" * 400, "9" * 400),
        ("9" * 5000, "1"),
    ],
)
def test_garbage_limit_or_remaining_neither_holds_back_nor_outlives_a_good_answer(
    clock: Clock, limit: str, remaining: str
) -> None:
    stop = ClockedStop(clock, stop_after=1)
    transport = replay(
        headers(clock, limit=limit, remaining=remaining),
        headers(clock, remaining="60"),
        stop=stop,
        max_api_capacity=50,
    )
    send(transport)
    sent = 0
    with pytest.raises(OktaCancelled):
        for _ in range(20):
            send(transport)
            sent += 1
    assert sent == 11  # the garbage answer's call, then the 10 that 60 left of 100 allow at 50 %


@pytest.mark.parametrize("date", ["Mon, 99999999999999999999 Jan 2026 00:00:00 GMT", "yesterday", ""])
def test_an_unusable_date_leaves_the_window_on_our_clock(clock: Clock, date: str) -> None:
    stop = ClockedStop(clock, stop_after=1)
    transport = replay(headers(clock, reset=30.0, date=date), stop=stop)
    send(transport)
    with pytest.raises(OktaCancelled):
        send(transport)
    assert len(stop.waits) == 1 and 30 < stop.waits[0] <= 30.5


@pytest.mark.parametrize(
    ("date", "waits"),
    [("Thu, 01 Jan 1970 00:00:00 GMT", 1), ("Fri, 31 Dec 9999 23:59:59 GMT", 0)],
)
def test_an_absurd_date_holds_back_for_at_most_a_minute(clock: Clock, date: str, waits: int) -> None:
    stop = ClockedStop(clock, stop_after=1)
    transport = replay(headers(clock, reset=30.0, date=date), stop=stop)
    send(transport)
    with contextlib.suppress(OktaCancelled):
        send(transport)
    assert len(stop.waits) == waits and all(0 < wait <= 60.5 for wait in stop.waits)


@pytest.mark.parametrize(
    ("part", "left", "share"),
    [
        (1.0, 37, 37),  # alone: all that is left
        (1.0, 1, 1),
        (0.5, 40, 10),  # a quarter for a half
        (1 / 3, 71, 10),  # a seventh for a third
        (1 / 3, 3, 1),  # one at a time when little is left
        (1 / 3, 2, 0),  # and none for less than three quarters of a request
        (0.9, 1, 1),
        (0.5, 0, 0),
        (0.5, -4, 0),
    ],
)
def test_the_share_of_what_is_left(part: float, left: int, share: int) -> None:
    assert share_of(part, left) == share


class SharedBucket:
    """Okta's bucket, where `others` calls of other processes come before each of ours.

    With `hold` set, each answer waits for it, so that requests stay in flight.
    """

    def __init__(self, clock: Clock, left: int, others: int, limit: int = 100) -> None:
        self.clock = clock
        self.left = left
        self.others = others
        self.limit = limit
        self.reset = clock.now + 30
        self.inside = 0  # our requests that reached Okta
        self.limited = 0  # ours answered 429
        self.hold: threading.Event | None = None
        self._lock = threading.Lock()

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.inside += 1
            self.left = max(self.left - self.others, 0)
            status = 200 if self.left else 429
            self.left -= status == 200
            self.limited += status == 429
            answer = httpx.Response(
                status,
                headers=headers(self.clock, str(self.limit), str(self.left), str(int(self.reset))),
            )
        if self.hold is not None:
            self.hold.wait(10)
        return answer


def sequentially(transport: RateGovernor, calls: int = 100) -> int:
    """Send one request after another until the governor waits for the reset; how many it sent."""
    sent = 0
    with pytest.raises(OktaCancelled):
        while sent < calls:
            send(transport)
            sent += 1
    return sent


def test_a_bucket_shared_with_others_leaves_them_their_part(clock: Clock) -> None:
    """Two other processes call as often as this one: it stops short of the window's last calls."""
    bucket = SharedBucket(clock, left=31, others=2)
    stop = ClockedStop(clock, stop_after=1)
    transport = RateGovernor(httpx.MockTransport(bucket.handler), stop)
    sent = sequentially(transport)
    assert bucket.limited == 0
    assert sent >= 9  # most of its third of 31
    assert len(stop.waits) == 1 and 30 < stop.waits[0] <= 30.5  # then it waits for the reset


def test_alone_it_spends_the_window_to_the_last_call(clock: Clock) -> None:
    bucket = SharedBucket(clock, left=31, others=0)
    stop = ClockedStop(clock, stop_after=1)
    sent = sequentially(RateGovernor(httpx.MockTransport(bucket.handler), stop))
    assert (sent, bucket.limited, bucket.left) == (31, 0, 0)


class WatchedStop(threading.Event):
    """A stop that knows which threads have looked at it: those waiting in the governor do."""

    def __init__(self) -> None:
        super().__init__()
        self.watchers: set[int] = set()

    def is_set(self) -> bool:
        self.watchers.add(threading.get_ident())
        return super().is_set()


def in_flight_at_once(transport: RateGovernor, bucket: SharedBucket, stop: WatchedStop) -> int:
    """Ten requests at once, as Terraform sends them: how many the governor lets reach Okta
    before any is answered (the others wait in it until the stop)."""
    bucket.hold = threading.Event()
    before = bucket.inside

    def one() -> None:
        with contextlib.suppress(OktaCancelled):
            send(transport)

    threads = [threading.Thread(target=one) for _ in range(10)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while bucket.inside - before + len(stop.watchers) < len(threads) and time.monotonic() < deadline:
        time.sleep(0.005)  # polls the threads' state, bounded by the deadline
    admitted = bucket.inside - before
    stop.set()
    bucket.hold.set()
    for thread in threads:
        thread.join()
    return admitted


@pytest.mark.parametrize("others", [0, 2])
def test_requests_in_flight_stay_within_the_share_of_what_is_left(clock: Clock, others: int) -> None:
    bucket = SharedBucket(clock, left=40, others=others)
    stop = WatchedStop()
    transport = RateGovernor(httpx.MockTransport(bucket.handler), stop)
    for _ in range(6):
        send(transport)
    left = bucket.left
    admitted = in_flight_at_once(transport, bucket, stop)
    if others:
        assert 1 <= admitted <= left // 3  # within its third of what is left (22)
    else:
        assert admitted == 10  # alone: as many as max_concurrent_requests allows
    assert bucket.limited == 0


def test_a_new_window_opens_with_the_share_of_the_last(clock: Clock) -> None:
    """Before the first answer of a window, as many are sent as the last window's share allowed."""
    bucket = SharedBucket(clock, left=24, others=2, limit=24)
    stop = WatchedStop()
    transport = RateGovernor(httpx.MockTransport(bucket.handler), stop)
    for _ in range(6):
        send(transport)
    clock.now = bucket.reset + 1
    bucket.left, bucket.reset = 24, clock.now + 60
    assert 1 <= in_flight_at_once(transport, bucket, stop) <= 24 // 3
