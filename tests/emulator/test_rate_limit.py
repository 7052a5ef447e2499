"""The `/api/v1/apps/*` rate-limit bucket and concurrency limit, their headers, and the latency setting."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime

import httpx
import pytest

from okta_emulator import AppKind, Emulator
from okta_emulator.store import ConcurrencyLimiter, RateLimiter

from .helpers import API_TOKEN, assert_error, connection_path, http_client


@pytest.fixture
def small_bucket() -> Iterator[Emulator]:
    with Emulator(api_token=API_TOKEN, rate_limit_per_minute=3) as emu:
        yield emu


def test_headers_count_down_the_bucket(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    responses = [
        client.get(connection_path(app_id)),
        client.post(connection_path(app_id, "/lifecycle/activate")),
        client.get(connection_path("0oaMissing")),
        client.get(f"/api/v1/apps/{app_id}/whatever"),
    ]

    assert [r.headers["X-Rate-Limit-Limit"] for r in responses] == ["600"] * 4
    assert [r.headers["X-Rate-Limit-Remaining"] for r in responses] == ["599", "598", "597", "596"]
    resets = {int(r.headers["X-Rate-Limit-Reset"]) for r in responses}
    assert len(resets) == 1
    server_now = parsedate_to_datetime(responses[0].headers["Date"]).timestamp()
    assert server_now < resets.pop() <= server_now + 61


def test_headers_only_on_apps_paths(client: httpx.Client) -> None:
    for response in (client.get("/api/v1/users"), client.get("/emulator/requests"), client.get("/")):
        assert "X-Rate-Limit-Limit" not in response.headers


def test_spent_bucket_answers_429(small_bucket: Emulator) -> None:
    org2org = small_bucket.store.add_app(AppKind.ORG2ORG)
    google = small_bucket.store.add_app(AppKind.GOOGLE)
    with http_client(small_bucket.url) as http:
        allowed = [http.get(connection_path(app_id)) for app_id in (org2org, google, org2org)]
        limited = http.post(connection_path(google), json={"profile": {"authScheme": "OAUTH2"}})
        unlimited = http.get("/emulator/apps")

    assert [r.status_code for r in allowed] == [200, 200, 200]
    summary = "API call exceeded rate limit due to too many requests."
    assert_error(limited, 429, "E0000047", summary)
    assert limited.headers["X-Rate-Limit-Limit"] == "3"
    assert limited.headers["X-Rate-Limit-Remaining"] == "0"
    assert limited.headers["X-Rate-Limit-Reset"] == allowed[0].headers["X-Rate-Limit-Reset"]
    assert small_bucket.store.connection(google).configured is False
    assert small_bucket.store.requests()[-1].status == 429
    assert unlimited.status_code == 200


def test_bucket_can_be_reconfigured(small_bucket: Emulator) -> None:
    app_id = small_bucket.store.add_app(AppKind.ORG2ORG)
    with http_client(small_bucket.url) as http:
        for _ in range(3):
            http.get(connection_path(app_id))
        assert http.get(connection_path(app_id)).status_code == 429

        small_bucket.store.rate_limiter.reset()
        assert http.get(connection_path(app_id)).status_code == 200

        small_bucket.store.rate_limiter.configure(limit=10)
        assert http.get(connection_path(app_id)).headers["X-Rate-Limit-Remaining"] == "9"


def test_window_rolls_over() -> None:
    now = [1_000.25]
    limiter = RateLimiter(2, clock=lambda: now[0])

    first, second, third = limiter.take(), limiter.take(), limiter.take()
    now[0] = 1_059.9
    still_spent = limiter.take()
    now[0] = 1_060.0
    fresh = limiter.take()

    assert [s.allowed for s in (first, second, third, still_spent, fresh)] == [True, True, False, False, True]
    assert [s.remaining for s in (first, second, third)] == [1, 0, 0]
    assert first.reset == third.reset == still_spent.reset == 1_060
    assert (fresh.reset, fresh.remaining) == (1_120, 1)


def test_peek_does_not_spend() -> None:
    limiter = RateLimiter(5, clock=lambda: 10.0)

    limiter.peek()
    limiter.peek()

    assert limiter.take().remaining == 4


def test_latency_delays_api_requests_only() -> None:
    with Emulator(api_token=API_TOKEN, latency_ms=150) as emu:
        app_id = emu.store.add_app(AppKind.ORG2ORG)
        with http_client(emu.url) as http:
            started = time.perf_counter()
            api = http.get(connection_path(app_id))
            api_seconds = time.perf_counter() - started
            started = time.perf_counter()
            admin = http.get(f"/emulator/apps/{app_id}")
            admin_seconds = time.perf_counter() - started

    assert (api.status_code, admin.status_code) == (200, 200)
    assert api_seconds >= 0.15
    assert admin_seconds < 0.15


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll a condition until it holds (synchronisation on state, not on a guessed delay)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        time.sleep(0.002)


def test_concurrency_limit_answers_429() -> None:
    with Emulator(api_token=API_TOKEN, concurrency_limit=1, latency_ms=400) as emu:
        app_id = emu.store.add_app(AppKind.ORG2ORG)
        with (
            ThreadPoolExecutor(max_workers=1) as pool,
            http_client(emu.url) as first,
            http_client(emu.url) as second,
        ):
            held = pool.submit(first.get, connection_path(app_id))
            wait_until(lambda: emu.store.concurrency_limiter.in_flight == 1)
            limited = second.get(connection_path(app_id))
            admitted = held.result()
            emu.latency_ms = 0
            after = second.get(connection_path(app_id))

    assert admitted.status_code == 200
    assert_error(limited, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
    assert limited.headers["X-Rate-Limit-Limit"] == "0"
    assert limited.headers["X-Rate-Limit-Remaining"] == "0"
    server_now = int(parsedate_to_datetime(limited.headers["Date"]).timestamp())
    assert int(limited.headers["X-Rate-Limit-Reset"]) == server_now + 1
    assert after.status_code == 200
    assert after.headers["X-Rate-Limit-Remaining"] == "598"
    assert emu.store.count_status(429) == 1
    assert emu.store.count_status(200) == 2
    assert emu.store.concurrency_limiter.in_flight == 0


def test_concurrency_limit_counts_only_apps_requests() -> None:
    with Emulator(api_token=API_TOKEN, concurrency_limit=0) as emu:
        app_id = emu.store.add_app(AppKind.ORG2ORG)
        with http_client(emu.url) as http:
            apps = http.get(connection_path(app_id))
            other = http.get("/api/v1/users")
            admin = http.get("/emulator/apps")
            emu.store.concurrency_limiter.limit = None
            unlimited = http.get(connection_path(app_id))

    assert (apps.status_code, other.status_code, admin.status_code) == (429, 404, 200)
    assert unlimited.status_code == 200


def test_concurrency_limit_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="concurrency limit must be 0 or more"):
        Emulator(api_token=API_TOKEN, concurrency_limit=-1)
    limiter = ConcurrencyLimiter(2)
    with pytest.raises(ValueError):
        limiter.limit = -3
    assert (limiter.acquire(), limiter.acquire(), limiter.acquire()) == (True, True, False)
    limiter.release()
    assert limiter.in_flight == 1
