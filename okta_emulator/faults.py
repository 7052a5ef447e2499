"""Injected faults: scripted failures of `/api/v1` requests for testing clients' error handling.

A `Fault` names what goes wrong (`FaultKind`), which requests it hits (method, path suffix) and
how often. `FaultQueue` hands matching faults out first-in first-out, one use at a time; the
HTTP layer acts them out (an error status, a dropped connection, a cut body, a late answer).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus

DEFAULT_RETRY_AFTER_SECONDS = 1.0

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

    @property
    def drops_connection(self) -> bool:
        """Whether the client gets no response at all."""
        return self in (FaultKind.RESET_BEFORE, FaultKind.RESET_AFTER)


def status_error(status: int) -> tuple[str, str]:
    """The Okta `errorCode` and `errorSummary` a status fault answers with."""
    known = _STATUS_ERRORS.get(status)
    if known is not None:
        return known
    return "E0000009", HTTPStatus(status).phrase


def _check_status(status: int | None) -> None:
    if status is None:
        raise ValueError("a status fault needs a status")
    if status not in _STATUS_ERRORS and status not in _SERVER_ERRORS:
        choices = ", ".join(str(code) for code in _STATUS_ERRORS)
        raise ValueError(f"status must be {choices} or a 5xx status, got {status}")


@dataclass(frozen=True)
class Fault:
    """One injected fault.

    `method` None matches any method; `path` matches when it is a suffix of the request path,
    None matches any `/api/v1` path. `reset_in` is the seconds until the advertised rate-limit
    reset for a 429 status fault, or the delay of a slow one.
    """

    kind: FaultKind
    method: str | None = None
    path: str | None = None
    status: int | None = None
    reset_in: float | None = None

    @classmethod
    def create(
        cls,
        kind: FaultKind | str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        reset_in: float | None = None,
    ) -> Fault:
        """A checked fault; raises ValueError for a combination that makes no sense."""
        try:
            fault_kind = FaultKind(kind)
        except ValueError:
            choices = ", ".join(member.value for member in FaultKind)
            raise ValueError(f"kind must be one of {choices}, got {kind!r}") from None
        if method is not None and not (method.isascii() and method.isalpha()):
            raise ValueError(f"method must be an HTTP method such as GET, got {method!r}")
        if path is not None and not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        if fault_kind is FaultKind.STATUS:
            _check_status(status)
        elif status is not None:
            raise ValueError("status applies to status faults only")
        if reset_in is not None and not (fault_kind is FaultKind.SLOW or status == 429):
            raise ValueError("reset_in applies to slow faults and 429 status faults only")
        if fault_kind is FaultKind.SLOW and reset_in is None:
            raise ValueError("a slow fault needs reset_in, the delay in seconds")
        if reset_in is not None and not reset_in > 0:
            raise ValueError(f"reset_in must be more than 0 seconds, got {reset_in}")
        return cls(
            kind=fault_kind,
            method=None if method is None else method.upper(),
            path=path,
            status=status,
            reset_in=reset_in,
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
        if count < 1:
            raise ValueError(f"count must be 1 or more, got {count}")
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
