"""Injected faults: scripted failures of `/api/v1` requests for testing clients' error handling.

A `Fault` names what goes wrong (`FaultKind`), which requests it hits (method, path suffix) and
how often. `FaultQueue` hands matching faults out first-in first-out, one use at a time; the
HTTP layer acts them out (an error status, a dropped connection, a cut body, a late answer,
rate-limit headers a client must survive). Every field is bounded, so whatever is accepted can
be served.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus

DEFAULT_RETRY_AFTER_SECONDS = 1.0
MAX_RESET_IN_SECONDS = 300.0
MAX_COUNT = 1000
MAX_PATH_LENGTH = 1024
MAX_METHOD_LENGTH = 16
MAX_HEADER_VALUE_LENGTH = 64
RATE_LIMIT_HEADER_NAMES = {
    "limit": "X-Rate-Limit-Limit",
    "remaining": "X-Rate-Limit-Remaining",
    "reset": "X-Rate-Limit-Reset",
}

_STATUS_ERRORS: dict[int, tuple[str, str]] = {
    401: ("E0000011", "Invalid token provided"),
    403: ("E0000006", "You do not have permission to perform the requested action"),
    404: ("E0000007", "Not found: Resource not found"),
    429: ("E0000047", "API call exceeded rate limit due to too many requests."),
}
_SERVER_ERRORS = frozenset(code.value for code in HTTPStatus if 500 <= code.value <= 599)


class FaultKind(StrEnum):
    """What an injected fault does to a request."""

    STATUS = "status"
    """Answer an Okta error with the fault's status instead of handling the request."""
    RESET_BEFORE = "reset_before"
    """Drop the connection without handling the request or answering."""
    RESET_AFTER = "reset_after"
    """Handle the request (its change lands), then drop the connection without answering."""
    TRUNCATE = "truncate"
    """Handle the request, then answer 200 with the first half of the JSON body."""
    SLOW = "slow"
    """Handle the request, then wait `reset_in` seconds before answering."""
    RATE_LIMIT_HEADERS = "rate_limit_headers"
    """Handle the request, then answer with the fault's `X-Rate-Limit-*` values, garbage or not."""

    @property
    def drops_connection(self) -> bool:
        """Whether the client gets no response at all."""
        return self in (FaultKind.RESET_BEFORE, FaultKind.RESET_AFTER)


class FaultError(ValueError):
    """A fault that cannot be served; `field` names the argument at fault (Python spelling)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


def status_error(status: int) -> tuple[str, str]:
    """The Okta `errorCode` and `errorSummary` a status fault answers with."""
    known = _STATUS_ERRORS.get(status)
    if known is not None:
        return known
    return "E0000009", HTTPStatus(status).phrase


def _check_status(status: int | None) -> None:
    if status is None:
        raise FaultError("status", "is required by a status fault")
    if status not in _STATUS_ERRORS and status not in _SERVER_ERRORS:
        choices = ", ".join(str(code) for code in _STATUS_ERRORS)
        raise FaultError("status", f"must be {choices} or a 5xx status, got {status}")


def check_count(count: int) -> None:
    """Raise FaultError unless `count` is a number of requests a fault may hit."""
    if not 1 <= count <= MAX_COUNT:
        raise FaultError("count", f"must be between 1 and {MAX_COUNT}, got {count}")


def _check_method(method: str | None) -> None:
    if method is not None and not (
        0 < len(method) <= MAX_METHOD_LENGTH and method.isascii() and method.isalpha()
    ):
        raise FaultError("method", f"must be an HTTP method such as GET, got {method[:MAX_METHOD_LENGTH]!r}")


def _check_path(path: str | None) -> None:
    if path is None:
        return
    if not path.startswith("/"):
        raise FaultError("path", f"must start with '/', got {path[:MAX_PATH_LENGTH]!r}")
    if len(path) > MAX_PATH_LENGTH or not all("!" <= char <= "~" for char in path):
        raise FaultError("path", f"must be at most {MAX_PATH_LENGTH} visible ASCII characters")


def _check_reset_in(reset_in: float | None) -> None:
    if reset_in is None:
        return
    try:
        seconds = float(reset_in)
    except OverflowError:  # an integer too large for a float
        seconds = math.inf
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_RESET_IN_SECONDS):
        raise FaultError(
            "reset_in",
            f"must be more than 0 and at most {MAX_RESET_IN_SECONDS:g} seconds, got {seconds:g}",
        )


def _rate_limit_headers(values: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    """The header overrides of a fault, checked: known names, values that fit in a header line."""
    if values is None:
        return ()
    if not values:
        raise FaultError(
            "rate_limit_headers", f"must name at least one of {', '.join(RATE_LIMIT_HEADER_NAMES)}"
        )
    headers: list[tuple[str, str]] = []
    for name, value in values.items():
        header = RATE_LIMIT_HEADER_NAMES.get(name)
        if header is None:
            choices = ", ".join(RATE_LIMIT_HEADER_NAMES)
            raise FaultError("rate_limit_headers", f"keys must be {choices}, got {name[:32]!r}")
        if (
            not isinstance(value, str)
            or len(value) > MAX_HEADER_VALUE_LENGTH
            or not all(" " <= char <= "~" for char in value)
        ):
            raise FaultError(
                f"rate_limit_headers.{name}",
                f"must be a string of at most {MAX_HEADER_VALUE_LENGTH} printable ASCII characters",
            )
        headers.append((header, value))
    return tuple(headers)


@dataclass(frozen=True)
class Fault:
    """One injected fault.

    `method` None matches any method; `path` matches when it is a suffix of the request path,
    None matches any `/api/v1` path. `reset_in` is the seconds until the advertised rate-limit
    reset for a 429 status fault, or the delay of a slow one. `rate_limit_headers` holds the
    `X-Rate-Limit-*` headers (name, value) a rate_limit_headers fault or a 429 status fault sends
    instead of the real ones.
    """

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    status: int | None = None
    reset_in: float | None = None
    rate_limit_headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def create(
        cls,
        kind: FaultKind | str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        reset_in: float | None = None,
        rate_limit_headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """A checked fault; raises FaultError for a value out of bounds or a senseless combination.

        `rate_limit_headers` maps `limit`, `remaining` and `reset` to the exact text to send.
        """
        try:
            fault_kind = FaultKind(kind)
        except ValueError:
            choices = ", ".join(member.value for member in FaultKind)
            raise FaultError("kind", f"must be one of {choices}, got {str(kind)[:32]!r}") from None
        _check_method(method)
        _check_path(path)
        if fault_kind is FaultKind.STATUS:
            _check_status(status)
        elif status is not None:
            raise FaultError("status", "applies to status faults only")
        if reset_in is not None and not (fault_kind is FaultKind.SLOW or status == 429):
            raise FaultError("reset_in", "applies to slow faults and 429 status faults only")
        if fault_kind is FaultKind.SLOW and reset_in is None:
            raise FaultError("reset_in", "is required by a slow fault: the delay in seconds")
        _check_reset_in(reset_in)
        headers = _rate_limit_headers(rate_limit_headers)
        if headers and not (fault_kind is FaultKind.RATE_LIMIT_HEADERS or status == 429):
            raise FaultError(
                "rate_limit_headers", "applies to rate_limit_headers faults and 429 status faults only"
            )
        if fault_kind is FaultKind.RATE_LIMIT_HEADERS and not headers:
            raise FaultError("rate_limit_headers", "is required by a rate_limit_headers fault")
        if reset_in is not None and rate_limit_headers is not None and "reset" in rate_limit_headers:
            raise FaultError("reset_in", "cannot be given with rate_limit_headers.reset")
        return cls(
            kind=fault_kind,
            method=None if method is None else method.upper(),
            path=path,
            status=status,
            reset_in=reset_in,
            rate_limit_headers=headers,
        )

    @property
    def retry_after(self) -> float:
        """Seconds until the rate-limit reset a 429 status fault advertises."""
        return DEFAULT_RETRY_AFTER_SECONDS if self.reset_in is None else self.reset_in

    def matches(self, method: str, path: str) -> bool:
        """Whether the fault applies to a request."""
        if self.method is not None and self.method != method:
            return False
        return self.path is None or path.endswith(self.path)


@dataclass
class _Pending:
    fault: Fault
    remaining: int


class FaultQueue:
    """Injected faults waiting for matching requests; safe to use from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []

    def add(self, fault: Fault, count: int = 1) -> None:
        """Queue a fault for the next `count` matching requests."""
        check_count(count)
        with self._lock:
            self._pending.append(_Pending(fault, count))

    def take(self, method: str, path: str) -> Fault | None:
        """Use up one application of the oldest fault matching a request, if any."""
        with self._lock:
            for index, pending in enumerate(self._pending):
                if pending.fault.matches(method, path):
                    pending.remaining -= 1
                    if pending.remaining == 0:
                        del self._pending[index]
                    return pending.fault
        return None

    def pending(self) -> int:
        """How many more requests the queued faults will hit, all counts added up."""
        with self._lock:
            return sum(pending.remaining for pending in self._pending)

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._pending.clear()
