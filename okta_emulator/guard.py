"""Refusal of requests a web page could have sent to the emulator.

The admin API has no authentication and binding to loopback does not keep browsers out: any
page may send requests to `127.0.0.1`, and DNS rebinding gives a page a name of its own that
resolves there. So a request must name the address the emulator listens on in `Host` (or
`localhost`), must carry no `Origin` (browsers send one with every cross-origin or scripted
write; HTTP clients such as the provider never do), and an admin write must be JSON, which no
form or `no-cors` fetch can send.
"""

from __future__ import annotations

from okta_emulator.messages import ApiError, Request, access_denied

ADMIN_PREFIX = "/emulator/"
JSON_MEDIA_TYPE = "application/json"
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The `Host` values naming an emulator bound to loopback `host` and `port`, lower case."""
    names = {"localhost", f"[{host}]" if ":" in host else host.lower()}
    if host == "localhost":
        names.add("127.0.0.1")
    values = {f"{name}:{port}" for name in names}
    if port == 80:
        values |= names
    return frozenset(values)


def refusal(request: Request, hosts: frozenset[str]) -> ApiError | None:
    """The error to answer a request with when a web page could have sent it, else None."""
    if len(request.hosts) != 1 or request.hosts[0].lower() not in hosts:
        expected = " or ".join(sorted(hosts))
        return access_denied([f"Host: must be {expected}"])
    if request.origin is not None:
        return access_denied(["Origin: requests from web pages are refused"])
    if request.path.startswith(ADMIN_PREFIX) and _is_write(request) and not _is_json(request.content_type):
        return ApiError(
            415,
            "E0000001",
            "Api validation failed: Content-Type",
            [f"Content-Type: must be {JSON_MEDIA_TYPE} for an admin request that changes something"],
        )
    return None


def _is_write(request: Request) -> bool:
    """Whether a request may change something: any method but a read, a DELETE only with a body."""
    if request.method in _READ_METHODS:
        return False
    return request.method in _WRITE_METHODS_WITH_BODY or bool(request.body)


def _is_json(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == JSON_MEDIA_TYPE
