"""HTTP front end of the Okta emulator.

`Emulator` serves, on a loopback socket, Okta's app provisioning-connection API (the paths in
`okta-app-connections.openapi.yaml`, authenticated with `SSWS <token>` or an OAuth access
token), the org authorization server's `/oauth2/v1/token` for service apps
(`okta_emulator.oauth`), and an unauthenticated admin API under `/emulator/`
(`okta_emulator.admin`), refusing whatever a web page could have sent (`okta_emulator.guard`).
`_Application` decides each response, acting out injected faults
(`okta_emulator.faults`) and the rate and concurrency limits; `okta_emulator.transport` moves
the bytes and writes the one-line request log.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import json
import math
import secrets
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from email.utils import formatdate
from types import TracebackType
from typing import Self, cast

from okta_emulator.admin import AdminApi
from okta_emulator.faults import Fault, FaultKind, status_error
from okta_emulator.features import FeatureApi
from okta_emulator.guard import allowed_hosts, refusal
from okta_emulator.messages import (
    LOG,
    REDACTED,
    ApiError,
    Request,
    Response,
    Route,
    access_denied,
    app_not_found,
    dispatch,
    parse_json,
    path_not_found,
    reject_constant,
    validation_failed,
)
from okta_emulator.oauth import (
    PUBLIC_FORM_FIELDS,
    TOKEN_PATH,
    AccessDenied,
    OAuthError,
    decode_form,
    parse_token_request,
)
from okta_emulator.store import (
    DISABLED,
    ENABLED,
    OAUTH2,
    TOKEN,
    UNKNOWN,
    AppKind,
    ConnectionSnapshot,
    ConsentError,
    JournalEntry,
    RateLimitState,
    Store,
    UnknownAppError,
)
from okta_emulator.transport import Server
from okta_emulator.validation import connection_causes

SECRET_KEYS = frozenset({"token", "adminUsername", "adminPassword"})
SECRET_QUERY_KEYS = frozenset({"code"})  # the one-time OAuth consent code
CONSENT_APP_NAMES = tuple(kind.value for kind in AppKind if kind.needs_consent)
RATE_LIMIT_SUMMARY = "API call exceeded rate limit due to too many requests."

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

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


class _Application:
    """Everything between a parsed HTTP request and the response to send back."""

    def __init__(self, store: Store, api_token: str, latency_ms: int) -> None:
        self.store = store
        self.latency_ms = latency_ms
        self.base_url = ""
        self.allowed_hosts: frozenset[str] = frozenset()
        self._expected_authorization = f"SSWS {api_token}".encode()
        self._api_token = api_token
        features = FeatureApi(store, lambda: self.base_url)
        self._api_routes = self._build_api_routes() + features.api_routes
        self._oauth_routes = [Route(("oauth2", "v1", "token"), {"POST": self._token})]
        self._admin_routes = AdminApi(store).routes + features.admin_routes

    def handle(self, request: Request) -> Response:
        """Answer one request; one a web page could have sent is refused (`okta_emulator.guard`)."""
        refused = refusal(request, self.allowed_hosts)
        if refused is not None:
            return refused.response()
        if request.path.startswith("/api/v1/"):
            return self._handle_api(request)
        if request.path.startswith("/oauth2/"):
            return self._handle_oauth(request)
        if request.path.startswith("/emulator/"):
            return self._answer(self._admin_routes, request)
        return path_not_found(request.path).response()

    def _handle_api(self, request: Request) -> Response:
        fault = self.store.take_fault(request.method, request.path)
        self.store.request_started()
        try:
            if fault is None:
                response = self._answer_api(request)
            elif fault.kind is FaultKind.RESET_BEFORE:
                response = Response(0, fault=fault)
            elif fault.kind is FaultKind.STATUS:
                response = self._fault_status(fault)
                self._delay()
            else:
                response = self._answer_api(request)
                response.fault = fault
                if fault.kind is FaultKind.TRUNCATE:
                    response.status = 200
            if fault is not None:
                response.headers.update(fault.rate_limit_headers)
        finally:
            self.store.request_finished()
        dropped = fault is not None and fault.kind.drops_connection
        self.store.record(
            JournalEntry(
                method=request.method,
                path=request.path,
                query={
                    key: REDACTED if key in SECRET_QUERY_KEYS else value
                    for key, value in request.query.items()
                },
                status=0 if dropped else response.status,
                body=self._journal_body(request.body),
                request_id=request.request_id,
                fault=None if fault is None else fault.kind.value,
            )
        )
        return response

    def _answer_api(self, request: Request) -> Response:
        """Authenticate, apply the concurrency and rate limits, route, then wait the latency."""
        limited = request.path.startswith("/api/v1/apps/")
        try:
            self._authorize(request)
        except ApiError as exc:
            response = exc.response()
            if limited:
                response.headers.update(_rate_limit_headers(self.store.rate_limiter.peek()))
            self._delay()
            return response
        if not limited:
            response = self._answer(self._api_routes, request)
        elif not self.store.concurrency_limiter.acquire():
            response = _too_many_requests(limit=0, reset_in=1)
        else:
            try:
                return self._answer_limited(request)
            finally:
                self.store.concurrency_limiter.release()
        self._delay()
        return response

    def _answer_limited(self, request: Request) -> Response:
        bucket = self.store.rate_limiter.take()
        if bucket.allowed:
            response = self._answer(self._api_routes, request)
        else:
            response = ApiError(429, "E0000047", RATE_LIMIT_SUMMARY).response()
        response.headers.update(_rate_limit_headers(bucket))
        self._delay()
        return response

    def _delay(self) -> None:
        if self.latency_ms > 0:
            # After the change has landed, as at Okta: a slow answer is not a missing change.
            time.sleep(self.latency_ms / 1000)

    def _fault_status(self, fault: Fault) -> Response:
        status = cast(int, fault.status)
        if status == 429:
            return _too_many_requests(limit=self.store.rate_limiter.limit, reset_in=fault.retry_after)
        code, summary = status_error(status)
        return ApiError(status, code, summary).response()

    @staticmethod
    def _answer(routes: Sequence[Route], request: Request) -> Response:
        try:
            return dispatch(routes, request)
        except UnknownAppError as exc:
            return app_not_found(exc.app_id).response()
        except ApiError as exc:
            return exc.response()
        except Exception:
            LOG.exception("internal error answering %s %s", request.method, request.path)
            return ApiError(500, "E0000009", "Internal Server Error").response()

    def _authorize(self, request: Request) -> None:
        """Accept `SSWS <api token>`, or an access token as `Bearer` or `DPoP`; else raise."""
        authorization = request.authorization or ""
        if secrets.compare_digest(authorization.encode(), self._expected_authorization):
            return
        scheme, _, token = authorization.partition(" ")
        if scheme not in ("Bearer", "DPoP") or not token:
            raise ApiError(401, "E0000011", "Invalid token provided")
        url = self.base_url + request.path
        try:
            self.store.oauth.authorize(scheme, token, request.dpop, request.method, url)
        except AccessDenied as exc:
            headers = {"WWW-Authenticate": exc.challenge}
            if exc.status == 403:
                raise access_denied(headers=headers) from None
            raise ApiError(401, "E0000011", "Invalid token provided", headers=headers) from None

    def _journal_body(self, body: bytes) -> dict[str, object] | None:
        if not body:
            return None
        try:
            value = json.loads(body.decode("utf-8"), parse_constant=reject_constant)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        redacted = _redact(value, self._api_token)
        return redacted if isinstance(redacted, dict) else None

    def _handle_oauth(self, request: Request) -> Response:
        response = self._answer(self._oauth_routes, request)
        form: dict[str, object] | None = None
        if request.body:
            with contextlib.suppress(OAuthError):
                form = dict(_public_form(decode_form(request.body)))
        self.store.record(
            JournalEntry(
                method=request.method,
                path=request.path,
                query=_public_form(request.query),
                status=response.status,
                body=form,
                request_id=request.request_id,
            )
        )
        return response

    def _token(self, request: Request, params: tuple[str, ...]) -> Response:
        try:
            form = parse_token_request(request.body, request.content_type)
            grant = self.store.oauth.issue_token(form, request.dpop, self.base_url + TOKEN_PATH)
        except OAuthError as exc:
            return Response(exc.status, exc.payload(), {**exc.headers, **_NO_STORE})
        return Response(200, grant, dict(_NO_STORE))

    def _build_api_routes(self) -> list[Route]:
        base = ("api", "v1", "apps", "*", "connections", "default")
        return [
            Route(base, {"GET": self._get_connection, "POST": self._update_connection}),
            Route((*base, "jwks"), {"GET": self._jwks}),
            Route((*base, "lifecycle", "activate"), {"POST": self._activate}),
            Route((*base, "lifecycle", "deactivate"), {"POST": self._deactivate}),
            Route(("api", "v1", "apps", "*", "*", "oauth2", "callback"), {"POST": self._oauth_callback}),
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

    def _get_connection(self, request: Request, params: tuple[str, ...]) -> Response:
        (app_id,) = params
        return Response(200, self._render(self.store.connection(app_id)))

    def _update_connection(self, request: Request, params: tuple[str, ...]) -> Response:
        (app_id,) = params
        kind = self.store.kind(app_id)
        body = parse_json(request.body)
        causes: list[str] = []
        activate = _activate_param(request.query, causes)
        provisioned = kind.supports_provisioning
        causes.extend(connection_causes(body, kind if provisioned else None))
        if causes:
            raise validation_failed(causes)
        if not provisioned:
            return Response(200, self._render(self.store.connection(app_id)))
        connection = cast(dict[str, object], body)
        base_url = connection.get("baseUrl")
        snapshot = self.store.configure(
            app_id,
            base_url if isinstance(base_url, str) else None,
            cast(dict[str, object], connection["profile"]),
            activate,
        )
        return Response(200, self._render(snapshot))

    def _lifecycle(self, app_id: str, status: str) -> Response:
        if not self.store.kind(app_id).supports_provisioning:
            raise validation_failed(["connection: provisioning is not supported by this application"])
        try:
            if status == ENABLED:
                self.store.activate(app_id)
            else:
                self.store.set_status(app_id, status)
        except ConsentError as exc:
            raise access_denied([exc.cause]) from None
        return Response(204)

    def _activate(self, request: Request, params: tuple[str, ...]) -> Response:
        return self._lifecycle(params[0], ENABLED)

    def _deactivate(self, request: Request, params: tuple[str, ...]) -> Response:
        return self._lifecycle(params[0], DISABLED)

    def _jwks(self, request: Request, params: tuple[str, ...]) -> Response:
        (app_id,) = params
        if self.store.kind(app_id) is not AppKind.ORG2ORG:
            raise path_not_found(request.path)
        return Response(200, {"jwks": {"keys": [dict(JWKS_KEY)]}})

    def _oauth_callback(self, request: Request, params: tuple[str, ...]) -> Response:
        app_name, app_id = params
        if app_name not in CONSENT_APP_NAMES:
            raise path_not_found(request.path)
        if self.store.kind(app_id).value != app_name:
            raise app_not_found(app_id)
        code = request.query.get("code")
        if not code:
            raise validation_failed(["code: required"])
        try:
            self.store.verify_consent(app_id, code, request.query.get("state", ""))
        except ConsentError as exc:
            raise access_denied([exc.cause]) from None
        return Response(204)


def _activate_param(query: Mapping[str, str], causes: list[str]) -> bool | None:
    raw = query.get("activate")
    if raw is None:
        return None
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    causes.append("activate: must be true or false")
    return None


def _too_many_requests(limit: int, reset_in: float) -> Response:
    """A 429 whose `X-Rate-Limit-Reset` is `reset_in` seconds after its `Date`."""
    now = time.time()
    response = ApiError(429, "E0000047", RATE_LIMIT_SUMMARY).response()
    response.headers.update(
        {
            "X-Rate-Limit-Limit": str(limit),
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(now) + math.ceil(reset_in)),
            "Date": formatdate(now, usegmt=True),
        }
    )
    return response


def _public_form(fields: Mapping[str, str]) -> dict[str, str]:
    """Form or query fields to journal: all but the known-harmless ones masked."""
    return {name: value if name in PUBLIC_FORM_FIELDS else REDACTED for name, value in fields.items()}


def _rate_limit_headers(state: RateLimitState) -> dict[str, str]:
    return {
        "X-Rate-Limit-Limit": str(state.limit),
        "X-Rate-Limit-Remaining": str(state.remaining),
        "X-Rate-Limit-Reset": str(state.reset),
    }


class Emulator:
    """An in-memory Okta org answering the app-connection API over HTTP on loopback.

    Use `start()`/`stop()` or a `with` block. The API token is only compared, never shown.
    `concurrency_limit` caps the `/api/v1/apps/*` requests in flight (None: no cap);
    `token_ttl_seconds` is the lifetime of the access tokens `/oauth2/v1/token` grants;
    `require_dpop` makes that endpoint demand DPoP proofs and grant DPoP-bound tokens.
    """

    def __init__(
        self,
        api_token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit_per_minute: int = 600,
        latency_ms: int = 0,
        concurrency_limit: int | None = None,
        token_ttl_seconds: int = 3600,
        require_dpop: bool = False,
    ) -> None:
        if not api_token:
            raise ValueError("api_token must not be empty")
        if not is_loopback(host):
            raise ValueError(f"host must be a loopback address, got {host!r}")
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port}")
        if latency_ms < 0:
            raise ValueError(f"latency_ms must be 0 or more, got {latency_ms}")
        self.store = Store(rate_limit_per_minute, concurrency_limit, token_ttl_seconds)
        self.store.oauth.require_dpop = require_dpop
        self._host = host
        self._port = port
        self._application = _Application(self.store, api_token, latency_ms)
        self._server: Server | None = None
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
    def require_dpop(self) -> bool:
        """Whether token requests need a DPoP proof, and the tokens granted are DPoP-bound."""
        return self.store.oauth.require_dpop

    @require_dpop.setter
    def require_dpop(self, value: bool) -> None:
        self.store.oauth.require_dpop = value

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
        server = Server((self._host, self._port), family, self._application)
        port = server.server_address[1]
        host = f"[{self._host}]" if family == socket.AF_INET6 else self._host
        self._application.base_url = f"http://{host}:{port}"
        self._application.allowed_hosts = allowed_hosts(self._host, port)
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
