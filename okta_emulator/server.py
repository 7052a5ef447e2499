"""HTTP front end of the Okta emulator.

`Emulator` serves, on a loopback socket, Okta's app provisioning-connection API (the paths in
`okta-app-connections.openapi.yaml`, authenticated with `SSWS <token>`) and an unauthenticated
admin API under `/emulator/` for tests and scripts. Routing and responses are built by
`_Application`; `_RequestHandler` only moves bytes and writes the one-line request log.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import json
import logging
import secrets
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, cast
from urllib.parse import parse_qsl, unquote, urlsplit

from okta_emulator.store import (
    DISABLED,
    ENABLED,
    OAUTH2,
    TOKEN,
    UNKNOWN,
    AppKind,
    ConnectionSnapshot,
    JournalEntry,
    RateLimitState,
    Store,
    UnknownAppError,
)
from okta_emulator.validation import connection_causes

LOG = logging.getLogger("okta_emulator")

MAX_BODY_BYTES = 1 << 20
REDACTED = "***REDACTED***"
SECRET_KEYS = frozenset({"token", "adminUsername", "adminPassword"})
CONSENT_APP_NAMES = tuple(kind.value for kind in AppKind if kind.needs_consent)

_RSA_N = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjB"
    "ZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8K"
    "JZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBn"
    "iIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
)
_RSA_E = "AQAB"


def _jwk_thumbprint(n: str, e: str) -> str:
    """RFC 7638 thumbprint of an RSA public key, the usual choice of `kid`."""
    canonical = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


JWKS_KEY: dict[str, object] = {
    "kid": _jwk_thumbprint(_RSA_N, _RSA_E),
    "kty": "RSA",
    "alg": "RS256",
    "use": "sig",
    "e": _RSA_E,
    "n": _RSA_N,
    "status": "ACTIVE",
    "created": "2024-01-01T00:00:00.000Z",
    "lastUpdated": "2024-01-01T00:00:00.000Z",
}


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only: `localhost` or a loopback IP address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    query: dict[str, str]
    body: bytes
    authorization: str | None
    request_id: str


@dataclass
class _Response:
    status: int
    payload: object = None
    headers: dict[str, str] = field(default_factory=dict)


class _ApiError(Exception):
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

    def response(self) -> _Response:
        payload = {
            "errorCode": self.code,
            "errorSummary": self.summary,
            "errorLink": self.code,
            "errorId": "oae" + secrets.token_urlsafe(16),
            "errorCauses": [{"errorSummary": cause} for cause in self.causes],
        }
        return _Response(self.status, payload, dict(self.headers))


def _validation_failed(causes: Sequence[str], subject: str = "connection") -> _ApiError:
    return _ApiError(400, "E0000001", f"Api validation failed: {subject}", causes)


def _malformed_body() -> _ApiError:
    return _ApiError(400, "E0000003", "The request body was not well-formed.")


def _app_not_found(app_id: str) -> _ApiError:
    return _ApiError(404, "E0000007", f"Not found: Resource not found: {app_id} (AppInstance)")


def _path_not_found(path: str) -> _ApiError:
    return _ApiError(404, "E0000007", f"Not found: Resource not found: {path} (Resource)")


def _redact(value: object, api_token: str) -> object:
    """A copy of a JSON value with secret fields, and any copy of the API token, masked."""
    if isinstance(value, dict):
        return {
            key: REDACTED if key in SECRET_KEYS else _redact(item, api_token) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item, api_token) for item in value]
    if isinstance(value, str) and api_token in value:
        return REDACTED
    return value


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _parse_json(body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _malformed_body() from exc


def _parse_json_object(body: bytes, subject: str) -> dict[str, object]:
    value = _parse_json(body)
    if not isinstance(value, dict):
        raise _validation_failed([f"{subject}: must be a JSON object"], subject)
    return value


_Handler = Callable[[_Request, tuple[str, ...]], _Response]


@dataclass(frozen=True)
class _Route:
    """A path pattern (`*` marks a parameter segment) and its handler per method."""

    pattern: tuple[str, ...]
    methods: dict[str, _Handler]

    def match(self, segments: tuple[str, ...]) -> tuple[str, ...] | None:
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


def _dispatch(routes: Sequence[_Route], request: _Request) -> _Response:
    segments = tuple(request.path.split("/")[1:])
    for route in routes:
        params = route.match(segments)
        if params is None:
            continue
        handler = route.methods.get(request.method)
        if handler is None:
            raise _ApiError(
                405,
                "E0000022",
                "The endpoint does not support the provided HTTP method",
                headers={"Allow": ", ".join(route.methods)},
            )
        return handler(request, params)
    raise _path_not_found(request.path)


class _Application:
    """Everything between a parsed HTTP request and the response to send back."""

    def __init__(self, store: Store, api_token: str, latency_ms: int) -> None:
        self.store = store
        self.latency_ms = latency_ms
        self.base_url = ""
        self._expected_authorization = f"SSWS {api_token}".encode()
        self._api_token = api_token
        self._api_routes = self._build_api_routes()
        self._admin_routes = self._build_admin_routes()

    def handle(self, request: _Request) -> _Response:
        """Answer one request."""
        if request.path.startswith("/api/v1/"):
            return self._handle_api(request)
        if request.path.startswith("/emulator/"):
            return self._answer(self._admin_routes, request)
        return _path_not_found(request.path).response()

    def _handle_api(self, request: _Request) -> _Response:
        self.store.request_started()
        try:
            return self._answer_api(request)
        finally:
            self.store.request_finished()

    def _answer_api(self, request: _Request) -> _Response:
        limited = request.path.startswith("/api/v1/apps/")
        if not self._authorized(request.authorization):
            response = _ApiError(401, "E0000011", "Invalid token provided").response()
            if limited:
                response.headers.update(_rate_limit_headers(self.store.rate_limiter.peek()))
        else:
            bucket = self.store.rate_limiter.take() if limited else None
            if bucket is not None and not bucket.allowed:
                response = _ApiError(
                    429, "E0000047", "API call exceeded rate limit due to too many requests."
                ).response()
            else:
                response = self._answer(self._api_routes, request)
            if bucket is not None:
                response.headers.update(_rate_limit_headers(bucket))
        if self.latency_ms > 0:
            # After the change has landed, as at Okta: a slow answer is not a missing change.
            time.sleep(self.latency_ms / 1000)
        self.store.record(
            JournalEntry(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                status=response.status,
                body=self._journal_body(request.body),
                request_id=request.request_id,
            )
        )
        return response

    @staticmethod
    def _answer(routes: Sequence[_Route], request: _Request) -> _Response:
        try:
            return _dispatch(routes, request)
        except UnknownAppError as exc:
            return _app_not_found(exc.app_id).response()
        except _ApiError as exc:
            return exc.response()
        except Exception:
            LOG.exception("internal error answering %s %s", request.method, request.path)
            return _ApiError(500, "E0000009", "Internal Server Error").response()

    def _authorized(self, authorization: str | None) -> bool:
        if authorization is None:
            return False
        return secrets.compare_digest(authorization.encode(), self._expected_authorization)

    def _journal_body(self, body: bytes) -> dict[str, object] | None:
        if not body:
            return None
        try:
            value = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        redacted = _redact(value, self._api_token)
        return redacted if isinstance(redacted, dict) else None

    def _build_api_routes(self) -> list[_Route]:
        base = ("api", "v1", "apps", "*", "connections", "default")
        return [
            _Route(base, {"GET": self._get_connection, "POST": self._update_connection}),
            _Route((*base, "jwks"), {"GET": self._jwks}),
            _Route((*base, "lifecycle", "activate"), {"POST": self._activate}),
            _Route((*base, "lifecycle", "deactivate"), {"POST": self._deactivate}),
            _Route(("api", "v1", "apps", "*", "*", "oauth2", "callback"), {"POST": self._oauth_callback}),
        ]

    def _build_admin_routes(self) -> list[_Route]:
        return [
            _Route(("emulator", "apps"), {"GET": self._admin_list_apps, "POST": self._admin_add_app}),
            _Route(("emulator", "apps", "*"), {"GET": self._admin_get_app, "DELETE": self._admin_delete_app}),
            _Route(("emulator", "apps", "*", "connection"), {"PATCH": self._admin_patch_connection}),
            _Route(
                ("emulator", "requests"), {"GET": self._admin_requests, "DELETE": self._admin_clear_requests}
            ),
            _Route(("emulator", "consent", "*", "*"), {"GET": self._admin_consent}),
        ]

    def _link(self, path: str, *methods: str) -> dict[str, object]:
        return {"href": f"{self.base_url}{path}", "hints": {"allow": list(methods)}}

    def _render(self, connection: ConnectionSnapshot) -> dict[str, object]:
        """The ProvisioningConnectionResponse for a connection; never carries a secret."""
        base_path = f"/api/v1/apps/{connection.app_id}/connections/default"
        links: dict[str, object] = {"self": self._link(base_path, "GET", "POST")}
        if not connection.kind.supports_provisioning:
            return {"status": UNKNOWN, "profile": {"authScheme": UNKNOWN}, "_links": links}
        if connection.status == DISABLED:
            links["activate"] = self._link(f"{base_path}/lifecycle/activate", "POST")
        elif connection.status == ENABLED:
            links["deactivate"] = self._link(f"{base_path}/lifecycle/deactivate", "POST")
        if connection.auth_scheme == TOKEN:
            rendered: dict[str, object] = {"authScheme": TOKEN, "status": connection.status}
            if connection.base_url is not None:
                rendered["baseUrl"] = connection.base_url
            rendered["profile"] = {"authScheme": TOKEN}
        else:
            profile: dict[str, object] = {"authScheme": OAUTH2}
            signing = connection.profile.get("signing")
            if isinstance(signing, dict):
                profile["signing"] = {"rotationMode": signing.get("rotationMode")}
            rendered = {"status": connection.status, "profile": profile}
            if connection.configured and connection.kind.needs_consent:
                href = (
                    f"{self.base_url}/emulator/consent/{connection.kind.value}/{connection.app_id}"
                    f"?state={connection.consent_state}"
                )
                links["authorize"] = {"href": href, "hints": {"allow": ["GET"]}}
        rendered["_links"] = links
        return rendered

    def _get_connection(self, request: _Request, params: tuple[str, ...]) -> _Response:
        (app_id,) = params
        return _Response(200, self._render(self.store.connection(app_id)))

    def _update_connection(self, request: _Request, params: tuple[str, ...]) -> _Response:
        (app_id,) = params
        kind = self.store.kind(app_id)
        body = _parse_json(request.body)
        causes: list[str] = []
        activate = _activate_param(request.query, causes)
        provisioned = kind.supports_provisioning
        causes.extend(connection_causes(body, kind if provisioned else None))
        if causes:
            raise _validation_failed(causes)
        if not provisioned:
            return _Response(200, self._render(self.store.connection(app_id)))
        connection = cast(dict[str, object], body)
        base_url = connection.get("baseUrl")
        snapshot = self.store.configure(
            app_id,
            base_url if isinstance(base_url, str) else None,
            cast(dict[str, object], connection["profile"]),
            activate,
        )
        return _Response(200, self._render(snapshot))

    def _lifecycle(self, app_id: str, status: str) -> _Response:
        if not self.store.kind(app_id).supports_provisioning:
            raise _validation_failed(["connection: provisioning is not supported by this application"])
        self.store.set_status(app_id, status)
        return _Response(204)

    def _activate(self, request: _Request, params: tuple[str, ...]) -> _Response:
        return self._lifecycle(params[0], ENABLED)

    def _deactivate(self, request: _Request, params: tuple[str, ...]) -> _Response:
        return self._lifecycle(params[0], DISABLED)

    def _jwks(self, request: _Request, params: tuple[str, ...]) -> _Response:
        (app_id,) = params
        if self.store.kind(app_id) is not AppKind.ORG2ORG:
            raise _path_not_found(request.path)
        return _Response(200, {"jwks": {"keys": [dict(JWKS_KEY)]}})

    def _oauth_callback(self, request: _Request, params: tuple[str, ...]) -> _Response:
        app_name, app_id = params
        if app_name not in CONSENT_APP_NAMES:
            raise _path_not_found(request.path)
        if self.store.kind(app_id).value != app_name:
            raise _app_not_found(app_id)
        if not request.query.get("code"):
            raise _validation_failed(["code: required"])
        self.store.verify_consent(app_id)
        return _Response(204)

    def _admin_view(self, app_id: str) -> dict[str, object]:
        connection = self.store.connection(app_id)
        profile = connection.profile
        settings = profile.get("settings")
        settings = settings if isinstance(settings, dict) else {}
        signing = profile.get("signing")
        return {
            "id": connection.app_id,
            "kind": connection.kind.value,
            "configured": connection.configured,
            "status": connection.status,
            "authScheme": connection.auth_scheme,
            "baseUrl": connection.base_url,
            "clientId": profile.get("clientId"),
            "rotationMode": signing.get("rotationMode") if isinstance(signing, dict) else None,
            "consentVerified": connection.consent_verified,
            "secrets": {
                "token": "token" in profile,
                "adminUsername": "adminUsername" in settings,
                "adminPassword": "adminPassword" in settings,
            },
        }

    def _admin_list_apps(self, request: _Request, params: tuple[str, ...]) -> _Response:
        return _Response(200, [{"id": app_id, "kind": kind.value} for app_id, kind in self.store.apps()])

    def _admin_add_app(self, request: _Request, params: tuple[str, ...]) -> _Response:
        body = _parse_json_object(request.body, "app")
        causes: list[str] = []
        kind = body.get("kind")
        kinds = [member.value for member in AppKind]
        if kind not in kinds:
            causes.append(f"kind: must be one of {', '.join(kinds)}")
        app_id = body.get("id")
        if app_id is not None and not isinstance(app_id, str):
            causes.append("id: must be a string")
        causes.extend(f"{key}: unknown property" for key in body if key not in ("kind", "id"))
        if causes:
            raise _validation_failed(causes, "app")
        try:
            new_id = self.store.add_app(AppKind(str(kind)), cast(str | None, app_id))
        except ValueError as exc:
            raise _validation_failed([f"id: {exc}"], "app") from exc
        return _Response(201, {"id": new_id, "kind": str(kind)})

    def _admin_get_app(self, request: _Request, params: tuple[str, ...]) -> _Response:
        return _Response(200, self._admin_view(params[0]))

    def _admin_delete_app(self, request: _Request, params: tuple[str, ...]) -> _Response:
        self.store.delete_app(params[0])
        return _Response(204)

    def _admin_patch_connection(self, request: _Request, params: tuple[str, ...]) -> _Response:
        (app_id,) = params
        self.store.kind(app_id)
        body = _parse_json_object(request.body, "connection")
        status = body.get("status")
        causes = [f"{key}: unknown property" for key in body if key != "status"]
        if status not in (ENABLED, DISABLED):
            causes.append(f"status: must be one of {ENABLED}, {DISABLED}")
        if causes:
            raise _validation_failed(causes)
        try:
            self.store.set_status(app_id, str(status))
        except ValueError as exc:
            raise _validation_failed([f"status: {exc}"]) from exc
        return _Response(200, self._admin_view(app_id))

    def _admin_requests(self, request: _Request, params: tuple[str, ...]) -> _Response:
        return _Response(200, [entry.to_json() for entry in self.store.requests()])

    def _admin_clear_requests(self, request: _Request, params: tuple[str, ...]) -> _Response:
        self.store.clear_requests()
        return _Response(204)

    def _admin_consent(self, request: _Request, params: tuple[str, ...]) -> _Response:
        app_name, app_id = params
        connection = self.store.connection(app_id)
        if app_name not in CONSENT_APP_NAMES or connection.kind.value != app_name:
            raise _app_not_found(app_id)
        state = request.query.get("state") or connection.consent_state or ""
        return _Response(200, {"code": secrets.token_urlsafe(24), "state": state})


def _activate_param(query: Mapping[str, str], causes: list[str]) -> bool | None:
    raw = query.get("activate")
    if raw is None:
        return None
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    causes.append("activate: must be true or false")
    return None


def _rate_limit_headers(state: RateLimitState) -> dict[str, str]:
    return {
        "X-Rate-Limit-Limit": str(state.limit),
        "X-Rate-Limit-Remaining": str(state.remaining),
        "X-Rate-Limit-Reset": str(state.reset),
    }


class _BodyError(Exception):
    """The request body could not be read; the connection must be closed."""

    def __init__(self, error: _ApiError) -> None:
        super().__init__(error.summary)
        self.error = error


class _RequestHandler(BaseHTTPRequestHandler):
    """Reads one request at a time off a keep-alive connection and writes the answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "okta-emulator"
    timeout = 120

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Silences the stock log: it would print query strings; `_serve` logs instead."""

    def _serve(self) -> None:
        started = time.perf_counter()
        application = cast(_Server, self.server).application
        url = urlsplit(self.path)
        query: dict[str, str] = {}
        for key, value in parse_qsl(url.query, keep_blank_values=True):
            query.setdefault(key, value)
        request_id = secrets.token_urlsafe(20)
        try:
            body = self._read_body()
        except _BodyError as exc:
            self.close_connection = True
            response = exc.error.response()
        else:
            request = _Request(
                method=self.command,
                path=url.path,
                query=query,
                body=body,
                authorization=self.headers.get("Authorization"),
                request_id=request_id,
            )
            response = application.handle(request)
        try:
            self._write(response, request_id)
        except OSError:
            self.close_connection = True
        elapsed_ms = (time.perf_counter() - started) * 1000
        LOG.info("%s %s %d %.1fms", self.command, url.path, response.status, elapsed_ms)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b""
        try:
            length = int(raw_length)
        except ValueError:
            length = -1
        if length < 0:
            raise _BodyError(_malformed_body())
        if length > MAX_BODY_BYTES:
            raise _BodyError(_too_large())
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError as exc:
                raise _BodyError(_malformed_body()) from exc
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise _BodyError(_too_large())
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _write(self, response: _Response, request_id: str) -> None:
        body = b"" if response.payload is None else json.dumps(response.payload).encode()
        self.send_response(response.status)
        self.send_header("X-Okta-Request-Id", request_id)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            if body:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()


def _too_large() -> _ApiError:
    return _validation_failed([f"body: larger than {MAX_BODY_BYTES} bytes"])


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that stops promptly and drops its open keep-alive connections.

    `serve_until_stopped` waits on the listening socket and on a wake-up socket pair, so
    `request_stop` ends it at once instead of after a polling interval.
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily, app: _Application) -> None:
        self.address_family = family
        self.application = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._stopping = threading.Event()
        self._wake_reader, self._wake_writer = socket.socketpair()
        try:
            super().__init__(address, _RequestHandler)
        except BaseException:
            self._wake_reader.close()
            self._wake_writer.close()
            raise

    def serve_until_stopped(self) -> None:
        """Accept connections, each served by its own thread, until `request_stop`."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self and not self._stopping.is_set():
                        self.handle_request()

    def request_stop(self) -> None:
        """Make `serve_until_stopped` return."""
        self._stopping.set()
        self._wake_writer.send(b"\0")

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Logs through `LOG` instead of printing; a client hanging up is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            LOG.debug("a client closed its connection abruptly", exc_info=True)
        else:
            LOG.exception("error serving a connection")

    def server_close(self) -> None:
        """Close the listening socket, the wake-up pair and every connection still open."""
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class Emulator:
    """An in-memory Okta org answering the app-connection API over HTTP on loopback.

    Use `start()`/`stop()` or a `with` block. The API token is only compared, never shown.
    """

    def __init__(
        self,
        api_token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit_per_minute: int = 600,
        latency_ms: int = 0,
    ) -> None:
        if not api_token:
            raise ValueError("api_token must not be empty")
        if not is_loopback(host):
            raise ValueError(f"host must be a loopback address, got {host!r}")
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port}")
        if latency_ms < 0:
            raise ValueError(f"latency_ms must be 0 or more, got {latency_ms}")
        self.store = Store(rate_limit_per_minute)
        self._host = host
        self._port = port
        self._application = _Application(self.store, api_token, latency_ms)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def latency_ms(self) -> int:
        """Delay added before answering each `/api/v1` request."""
        return self._application.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: int) -> None:
        if value < 0:
            raise ValueError(f"latency_ms must be 0 or more, got {value}")
        self._application.latency_ms = value

    @property
    def url(self) -> str:
        """Base URL of the running emulator, like `http://127.0.0.1:8787`."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return self._application.base_url

    def start(self) -> None:
        """Bind the socket and serve in a daemon thread; returns once it accepts connections."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        server = _Server((self._host, self._port), family, self._application)
        port = server.server_address[1]
        host = f"[{self._host}]" if family == socket.AF_INET6 else self._host
        self._application.base_url = f"http://{host}:{port}"
        thread = threading.Thread(target=server.serve_until_stopped, name="okta-emulator", daemon=True)
        thread.start()
        self._server = server
        self._thread = thread

    def stop(self) -> None:
        """Stop serving and close the socket and every open connection; safe to repeat."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.request_stop()
        thread.join()
        server.server_close()
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self._application.base_url if self._server is not None else "stopped"
        return f"Emulator({where})"
