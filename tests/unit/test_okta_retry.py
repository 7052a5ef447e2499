"""Retries: 429 waits for the reset on the server's clock, 5xx and network failures back off."""

from __future__ import annotations

import email.utils
import threading
import time
from types import SimpleNamespace

import httpx
import pytest

from provider.okta import (
    ApiToken,
    ClientOptions,
    OktaAPIError,
    OktaCancelled,
    OktaTransportError,
    RetryPolicy,
    TokenConnectionRequest,
)
from provider.okta.client import OktaClient
from provider.okta.retry import RetryTransport
from provider.okta.transport import api_transport

from .stops import Clock, ClockedStop, RecordingStop

CONNECTION = {"status": "ENABLED", "profile": {"authScheme": "TOKEN"}}


def answers(*responses: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        # A copy: a retried request is the same object, sent again with more headers.
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=request.read())
        seen.append(copy)
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.MockTransport(handler), seen


def client(transport: httpx.MockTransport, stop: RecordingStop, **policy: float) -> OktaClient:
    options = ClientOptions(retry=RetryPolicy(**policy))  # type: ignore[arg-type]
    return OktaClient(
        "https://dev-1.okta.com", ApiToken("t"), transport=transport, options=options, stopping=stop
    )


def retrying(transport: httpx.MockTransport, stop: RecordingStop, **policy: float) -> httpx.Client:
    """The retry layer alone (the client's governor would also hold back until the reset)."""
    return httpx.Client(transport=RetryTransport(transport, RetryPolicy(**policy), stop))  # type: ignore[arg-type]


def rate_limited(reset_in: int, server_skew: float = 0.0) -> httpx.Response:
    server_now = time.time() + server_skew
    return httpx.Response(
        429,
        json={
            "errorCode": "E0000047",
            "errorSummary": "API call exceeded rate limit due to too many requests.",
        },
        headers={
            "Date": email.utils.formatdate(server_now, usegmt=True),
            "X-Rate-Limit-Limit": "100",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(server_now) + reset_in),
            "X-Okta-Request-Id": "req-429",
        },
    )


def test_429_waits_until_the_reset_measured_on_the_servers_clock() -> None:
    stop = RecordingStop()
    # The server's clock is an hour ahead of ours: only its Date header makes the wait right.
    transport, seen = answers(
        rate_limited(reset_in=7, server_skew=3600), httpx.Response(200, json=CONNECTION)
    )
    assert retrying(transport, stop).get("https://dev-1.okta.com/x").status_code == 200
    [wait] = stop.waits
    assert 6.5 <= wait <= 8.6  # reset - Date (7 s, to the second) + 1 s + up to 0.5 s of jitter
    assert "X-Okta-Retry-For" not in seen[0].headers
    assert seen[1].headers["X-Okta-Retry-For"] == "req-429"
    assert seen[1].headers["X-Okta-Retry-Count"] == "1"


def test_429_wait_is_capped_by_max_wait_seconds() -> None:
    stop = RecordingStop()
    transport, _ = answers(rate_limited(reset_in=50), httpx.Response(200, json=CONNECTION))
    retrying(transport, stop, max_wait_seconds=5).get("https://dev-1.okta.com/x")
    assert stop.waits == [5]


def test_a_429_reset_beyond_okta_s_one_minute_window_is_waited_as_a_minute() -> None:
    stop = RecordingStop()
    transport, _ = answers(rate_limited(reset_in=3600), httpx.Response(200, json=CONNECTION))
    retrying(transport, stop).get("https://dev-1.okta.com/x")
    [wait] = stop.waits
    assert 61 <= wait <= 61.5  # a minute, plus one second and the jitter; not max_wait_seconds (90)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Rate-Limit-Reset", "nan"),
        ("X-Rate-Limit-Reset", "inf"),
        ("X-Rate-Limit-Reset", "1e400"),
        ("X-Rate-Limit-Reset", "soon"),
        ("Date", "Mon, 99999999999999999999 Jan 2026 00:00:00 GMT"),
        ("Date", "yesterday"),
    ],
)
def test_a_429_without_a_usable_reset_or_date_backs_off(header: str, value: str) -> None:
    stop = RecordingStop()
    garbled = rate_limited(reset_in=7)
    garbled.headers[header] = value
    transport, seen = answers(garbled, httpx.Response(200, json=CONNECTION))
    assert retrying(transport, stop).get("https://dev-1.okta.com/x").status_code == 200
    assert len(seen) == 2
    [wait] = stop.waits
    assert 0.5 <= wait <= 1.0  # the first backoff, min_wait_seconds with equal jitter


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_with_growing_jittered_backoff(status: int) -> None:
    stop = RecordingStop()
    transport, seen = answers(
        httpx.Response(status),
        httpx.Response(status),
        httpx.Response(status),
        httpx.Response(200, json=CONNECTION),
    )
    client(transport, stop, min_wait_seconds=2).get_connection("0oa1")
    assert len(seen) == 4
    assert 1 <= stop.waits[0] <= 2 and 2 <= stop.waits[1] <= 4 and 4 <= stop.waits[2] <= 8


def test_a_permanent_500_is_retried_a_bounded_number_of_times() -> None:
    stop = RecordingStop()
    transport, seen = answers(
        httpx.Response(500, json={"errorCode": "E0000009", "errorSummary": "Internal Server Error"})
    )
    with pytest.raises(OktaAPIError) as caught:
        client(transport, stop, max_server_error_retries=2).get_connection("0oa1")
    assert len(seen) == 3
    assert caught.value.attempts == 3
    assert "Gave up after 3 attempts over" in caught.value.detail
    assert "E0000009" in caught.value.summary


def test_client_errors_are_not_retried() -> None:
    stop = RecordingStop()
    transport, seen = answers(httpx.Response(400, json={"errorCode": "E0000001"}))
    with pytest.raises(OktaAPIError):
        client(transport, stop).get_connection("0oa1")
    assert len(seen) == 1 and stop.waits == []


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadError("reset by peer"), httpx.ReadTimeout("timed out")],
)
def test_network_failures_are_retried_then_reported_with_the_attempts(failure: Exception) -> None:
    stop = RecordingStop()
    transport, seen = answers(failure)
    with pytest.raises(OktaTransportError) as caught:
        client(transport, stop, max_retries=3).update_connection("0oa1", TokenConnectionRequest(token="t"))
    assert len(seen) == 4
    assert "Gave up after 4 attempts" in caught.value.detail
    assert str(failure) in caught.value.detail


def test_a_post_whose_answer_was_lost_is_sent_again() -> None:
    stop = RecordingStop()
    transport, seen = answers(httpx.ReadError("connection reset"), httpx.Response(200, json=CONNECTION))
    client(transport, stop).update_connection("0oa1", TokenConnectionRequest(token="t"), activate=True)
    assert [r.method for r in seen] == ["POST", "POST"]
    assert seen[0].content == seen[1].content


def test_request_timeout_bounds_the_retries() -> None:
    stop = RecordingStop()
    transport, seen = answers(rate_limited(reset_in=30), httpx.Response(200, json=CONNECTION))
    assert retrying(transport, stop, request_timeout=10).get("https://dev-1.okta.com/x").status_code == 429
    assert len(seen) == 1 and stop.waits == []


def governed(clock: Clock, *answered: tuple[int, dict[str, str]], **policy: float) -> httpx.Client:
    """Retries over the rate governor, on `clock`, over answers given in turn (the last repeats)."""
    queue = list(answered)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers = queue.pop(0) if len(queue) > 1 else queue[0]
        date = {"Date": email.utils.formatdate(clock.now, usegmt=True)}
        return httpx.Response(status, headers={**date, **headers}, json=CONNECTION)

    retry = RetryPolicy(**policy)  # type: ignore[arg-type]
    stop = ClockedStop(clock)
    transport = api_transport(
        httpx.MockTransport(handler), retry, stop, max_api_capacity=100, max_concurrent=10
    )
    return httpx.Client(transport=transport)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("provider.okta.governor.time", clock)
    monkeypatch.setattr("provider.okta.retry.time", clock)
    return clock


def test_the_wait_for_the_rate_budget_leaves_request_timeout_to_the_retries(clock: Clock) -> None:
    """The issue's case: the budget is spent for 4 s, then a 503 with request_timeout = 3."""
    reset = str(int(clock.now) + 4)
    spent = {"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": reset}
    http = governed(clock, (200, spent), (503, {}), (200, {}), max_retries=5, request_timeout=3)
    http.get("https://dev-1.okta.com/x")
    started = clock.now
    assert http.get("https://dev-1.okta.com/x").status_code == 200  # after the 503, a retry
    assert clock.now - started > 4.5  # 4 s and more for the budget, then a backoff


def test_the_wait_for_a_free_slot_leaves_request_timeout_to_the_retries(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    class BusySlots:
        """Every slot is taken by another call's slow answer, which takes 5 s to come."""

        busy = 5.0

        def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
            if blocking and self.busy:
                clock.now += self.busy
                self.busy = 0.0
            return not self.busy

        def release(self) -> None:
            pass

    slots = BusySlots()
    monkeypatch.setattr(
        "provider.okta.governor.threading",
        SimpleNamespace(
            BoundedSemaphore=lambda value: slots, Lock=threading.Lock, Condition=threading.Condition
        ),
    )
    http = governed(clock, (503, {}), (200, {}), max_retries=5, request_timeout=3)
    assert http.get("https://dev-1.okta.com/x").status_code == 200
    assert slots.busy == 0.0


def test_a_stop_from_terraform_ends_the_wait() -> None:
    stop = RecordingStop(stop_after=1)
    transport, seen = answers(httpx.Response(503))
    with pytest.raises(OktaCancelled):
        client(transport, stop).get_connection("0oa1")
    assert len(seen) == 1


@pytest.mark.parametrize(
    "failure", [httpx.Response(503), httpx.Response(500), httpx.ReadError("reset after sending")]
)
def test_the_one_time_consent_callback_is_not_resent_when_okta_may_have_acted(
    failure: httpx.Response | Exception,
) -> None:
    stop = RecordingStop()
    transport, seen = answers(failure, httpx.Response(204))
    with pytest.raises((OktaAPIError, OktaTransportError)):
        client(transport, stop).verify_consent("office365", "0oa1", "one-time-code", "s")
    assert len(seen) == 1 and stop.waits == []


@pytest.mark.parametrize("refusal", [rate_limited(reset_in=0), httpx.ConnectError("refused")])
def test_the_consent_callback_is_resent_when_okta_did_not_act(refusal: httpx.Response | Exception) -> None:
    stop = RecordingStop()
    transport, seen = answers(refusal, httpx.Response(204))
    client(transport, stop).verify_consent("office365", "0oa1", "one-time-code", "s")
    assert [request.url.params["code"] for request in seen] == ["one-time-code"] * 2


@pytest.mark.parametrize(
    ("answered", "acted"),
    [
        ([httpx.ConnectError("refused")], False),
        ([httpx.ProxyError("the proxy refused the tunnel")], False),
        ([rate_limited(reset_in=0), httpx.ConnectTimeout("no connection")], False),
        ([httpx.ReadError("reset after sending"), httpx.ConnectError("refused")], True),
        ([httpx.Response(503), httpx.ConnectError("refused")], True),
        ([httpx.ReadError("reset after sending"), httpx.LocalProtocolError("bad header")], True),
    ],
)
def test_a_failure_says_whether_okta_may_have_acted_on_the_call(
    answered: list[httpx.Response | Exception], acted: bool
) -> None:
    """Only attempts that never reached Okta, or that it answered 429, leave it untouched."""
    transport, seen = answers(*answered)
    with pytest.raises(OktaTransportError) as caught:
        client(transport, RecordingStop(), max_retries=len(answered) - 1).activate_connection("0oa1")
    assert len(seen) == len(answered)
    assert caught.value.may_have_acted is acted


@pytest.mark.parametrize(
    ("answered", "acted"),
    [
        ([httpx.ReadError("reset after sending"), rate_limited(reset_in=0)], True),
        ([httpx.Response(503), httpx.Response(403)], True),
        ([rate_limited(reset_in=0), rate_limited(reset_in=0)], False),
        ([httpx.Response(502)], True),
        ([httpx.Response(403)], False),
    ],
)
def test_an_error_answer_says_whether_okta_may_have_acted_on_the_call(
    answered: list[httpx.Response | Exception], acted: bool
) -> None:
    """A 429 after an attempt that may have landed ends the call as an API error, not a transport
    one: it must still say so, or the resource takes it for a call Okta never acted on."""
    transport, seen = answers(*answered)
    with pytest.raises(OktaAPIError) as caught:
        client(transport, RecordingStop(), max_retries=len(answered) - 1).activate_connection("0oa1")
    assert len(seen) == len(answered)
    assert caught.value.may_have_acted is acted


@pytest.mark.parametrize(
    ("answered", "stop_after", "acted"),
    [
        ([httpx.ReadError("reset after sending")], 1, True),
        ([rate_limited(reset_in=0)], 1, False),
        ([httpx.ReadError("reset after sending"), OktaCancelled()], None, True),
        ([rate_limited(reset_in=0), OktaCancelled()], None, False),
    ],
    ids=["stop-after-reset", "stop-after-429", "held-back-after-reset", "held-back-after-429"],
)
def test_a_stop_says_whether_okta_may_have_acted_before_it(
    answered: list[httpx.Response | Exception], stop_after: int | None, acted: bool
) -> None:
    """Terraform's stop ends the wait before a retry, or the hold of a layer below (the governor)."""
    transport, seen = answers(*answered, httpx.Response(200, json=CONNECTION))
    with pytest.raises(OktaCancelled) as caught:
        client(transport, RecordingStop(stop_after=stop_after)).activate_connection("0oa1")
    assert len(seen) == len(answered), "nothing is sent after the stop"
    assert caught.value.may_have_acted is acted


def test_request_timeout_also_cuts_each_attempts_own_timeouts() -> None:
    granted: list[dict[str, float]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        granted.append(request.extensions["timeout"])
        return httpx.Response(200, json=CONNECTION)

    client(httpx.MockTransport(handler), RecordingStop(), request_timeout=10).get_connection("0oa1")
    client(httpx.MockTransport(handler), RecordingStop()).get_connection("0oa1")
    bounded, unbounded = granted
    assert all(0 < limit <= 10 for limit in bounded.values())
    assert unbounded == {"connect": 10.0, "read": 60.0, "write": 30.0, "pool": 60.0}


def test_each_pass_through_the_retries_cuts_the_configured_timeouts_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An auth flow may send a request through again (a refreshed token): a new full budget."""
    clock = [1000.0]
    monkeypatch.setattr("provider.okta.retry.time.monotonic", lambda: clock[0])
    granted: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        granted.append(request.extensions["timeout"]["read"])
        if len(granted) == 1:
            clock[0] += 8  # the first attempt takes 8 of the 10 seconds, then fails
            return httpx.Response(503)
        return httpx.Response(200, json=CONNECTION)

    policy = RetryPolicy(request_timeout=10, min_wait_seconds=0.001, max_wait_seconds=0.001)
    transport = RetryTransport(httpx.MockTransport(handler), policy, RecordingStop())  # type: ignore[arg-type]
    request = httpx.Request("GET", "https://dev-1.okta.com/x", extensions={"timeout": {"read": 60.0}})
    transport.handle_request(request)
    transport.handle_request(request)
    assert granted == [10.0, 2.0, 10.0]
