"""Requests, responses, Okta-shaped errors and routing shared by the emulator's HTTP modules.

`okta_emulator.transport` turns bytes into a `Request` and a `Response` back into bytes;
`okta_emulator.server` decides the `Response`, routing through `Route` tables and raising
`ApiError` for an Okta error body.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from okta_emulator.faults import Fault

LOG = logging.getLogger("okta_emulator")

REDACTED = "***REDACTED***"


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request; `query` keeps the first value of each parameter.

    `dpop` holds every `DPoP` header received, since a proof must come alone, and `hosts` every
    `Host` header; `origin` is the `Origin` header, None when there is none.
    """

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    authorization: str | None
    request_id: str
    content_type: str | None = None
    dpop: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    origin: str | None = None


@dataclass
class Response:
    """What to answer; `fault` makes the transport misbehave on purpose (see `FaultKind`)."""

    status: int
    payload: object = None
    headers: dict[str, str] = field(default_factory=dict)
    fault: Fault | None = None


class ApiError(Exception):
    """An Okta-shaped error response."""

    def __init__(
        self,
        status: int,
        code: str,
        summary: str,
        causes: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(summary)
        self.status = status
        self.code = code
        self.summary = summary
        self.causes = tuple(causes)
        self.headers = dict(headers or {})

    def response(self) -> Response:
        """The error as a response, with a fresh `errorId`."""
        payload = {
            "errorCode": self.code,
            "errorSummary": self.summary,
            "errorLink": self.code,
            "errorId": "oae" + secrets.token_urlsafe(16),
            "errorCauses": [{"errorSummary": cause} for cause in self.causes],
        }
        return Response(self.status, payload, dict(self.headers))


ACCESS_DENIED_SUMMARY = "You do not have permission to perform the requested action"


def access_denied(causes: Sequence[str] = (), headers: Mapping[str, str] | None = None) -> ApiError:
    """403 E0000006, Okta's answer to a call it refuses to act on."""
    return ApiError(403, "E0000006", ACCESS_DENIED_SUMMARY, causes, headers)


def validation_failed(causes: Sequence[str], subject: str = "connection") -> ApiError:
    """400 E0000001, one cause per problem."""
    return ApiError(400, "E0000001", f"Api validation failed: {subject}", causes)


def malformed_body() -> ApiError:
    """400 E0000003 for a body that is not JSON."""
    return ApiError(400, "E0000003", "The request body was not well-formed.")


def app_not_found(app_id: str) -> ApiError:
    """404 E0000007 for an unknown app id."""
    return ApiError(404, "E0000007", f"Not found: Resource not found: {app_id} (AppInstance)")


def path_not_found(path: str) -> ApiError:
    """404 E0000007 for a path nothing answers."""
    return ApiError(404, "E0000007", f"Not found: Resource not found: {path} (Resource)")


def reject_constant(name: str) -> object:
    """`parse_constant` hook refusing NaN and Infinity, which JSON does not have."""
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes) -> object:
    """A request body as JSON; `malformed_body` when it is not."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise malformed_body() from exc


def parse_json_object(body: bytes, subject: str) -> dict[str, object]:
    """A request body that must be a JSON object, named `subject` in errors."""
    value = parse_json(body)
    if not isinstance(value, dict):
        raise validation_failed([f"{subject}: must be a JSON object"], subject)
    return value


Handler = Callable[[Request, tuple[str, ...]], Response]


@dataclass(frozen=True)
class Route:
    """A path pattern (`*` marks a parameter segment) and its handler per method."""

    pattern: tuple[str, ...]
    methods: dict[str, Handler]

    def match(self, segments: tuple[str, ...]) -> tuple[str, ...] | None:
        """The decoded parameter segments when the path fits the pattern, else None."""
        if len(segments) != len(self.pattern):
            return None
        params: list[str] = []
        for expected, actual in zip(self.pattern, segments, strict=True):
            if expected == "*":
                if not actual:
                    return None
                params.append(unquote(actual))
            elif expected != actual:
                return None
        return tuple(params)


def dispatch(routes: Sequence[Route], request: Request) -> Response:
    """Call the handler of the first route matching the path; 405 or 404 when none does."""
    segments = tuple(request.path.split("/")[1:])
    for route in routes:
        params = route.match(segments)
        if params is None:
            continue
        handler = route.methods.get(request.method)
        if handler is None:
            raise ApiError(
                405,
                "E0000022",
                "The endpoint does not support the provided HTTP method",
                headers={"Allow": ", ".join(route.methods)},
            )
        return handler(request, params)
    raise path_not_found(request.path)
