"""How hard the client tries and how much of Okta it may use (plain values, no HTTP stack)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_MAX_CONCURRENT = 10  # below the lowest concurrency limit Okta sets (15, free orgs)


@dataclass(frozen=True)
class RetryPolicy:
    """Defaults suit Okta: minute-long rate-limit windows, answers in 1-3 s."""

    max_retries: int = 5
    min_wait_seconds: float = 1.0
    max_wait_seconds: float = 90.0
    max_server_error_retries: int = 2  # a 500 is rarely transient: retry it only this often
    request_timeout: float = 0.0  # a bound on one call, retries included; 0: none


@dataclass(frozen=True)
class Timeouts:
    """Seconds. Okta answers in 1 to 3 s and sometimes far slower; connecting should be quick."""

    connect: float = 10.0
    read: float = 60.0
    write: float = 30.0
    pool: float = 60.0


@dataclass(frozen=True)
class ClientOptions:
    """Retry policy, rate-limit budget, concurrency bound, timeouts and proxy of one client."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_api_capacity: int = 100
    max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT
    timeouts: Timeouts = field(default_factory=Timeouts)
    # An http:// or https:// proxy URL for every call (None: direct); out of repr, as it may
    # carry the proxy's password.
    proxy: str | None = field(default=None, repr=False)
