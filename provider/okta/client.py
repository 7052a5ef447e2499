"""OktaClient: the four calls on an application's default provisioning connection."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx

from provider.okta.auth import BearerAuth, ServiceAppAuth, SSWSAuth, challenge_params
from provider.okta.credentials import AccessTokenCredentials, ApiToken, Credentials
from provider.okta.errors import (
    OktaAPIError,
    OktaError,
    OktaResponseError,
    OktaTransportError,
    proxy_refusal,
    proxy_refused,
)
from provider.okta.ids import path_segment
from provider.okta.models import Connection, ConnectionRequest
from provider.okta.options import ClientOptions
from provider.okta.retry import NOT_SENT, RetriesExhausted, may_have_acted
from provider.okta.transport import api_transport, token_transport

USER_AGENT = "terraform-provider-okta-py"


class OktaClient:
    """One HTTP client per provider process; its connections are reused by every operation."""

    def __init__(
        self,
        org_url: str,
        credentials: Credentials,
        *,
        options: ClientOptions | None = None,
        stopping: threading.Event | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        options = options or ClientOptions()
        stopping = stopping or threading.Event()
        limits = options.timeouts
        timeout = httpx.Timeout(
            connect=limits.connect, read=limits.read, write=limits.write, pool=limits.pool
        )
        self.org_url = org_url
        base = transport or httpx.HTTPTransport(
            retries=0,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
            proxy=options.proxy,
        )
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip, deflate", "User-Agent": USER_AGENT}
        self._token_http: httpx.Client | None = None
        auth: SSWSAuth | BearerAuth | ServiceAppAuth
        if isinstance(credentials, ApiToken):
            auth = SSWSAuth(credentials.token)
        elif isinstance(credentials, AccessTokenCredentials):
            auth = BearerAuth(credentials.token)
        else:
            self._token_http = httpx.Client(
                base_url=org_url,
                transport=token_transport(base, options.retry, stopping),
                timeout=timeout,
                headers=headers,
            )
            auth = ServiceAppAuth(
                org_url,
                credentials.client_id,
                credentials.private_key_pem,
                key_id=credentials.key_id,
                scopes=credentials.scopes,
                token_http=self._token_http,
            )
        self.auth = auth
        self._host = httpx.URL(org_url).host
        self._root = org_url.rstrip("/")
        self._headers = headers
        self._timeout = timeout.as_dict()
        self._transport = api_transport(
            base,
            options.retry,
            stopping,
            max_api_capacity=options.max_api_capacity,
            max_concurrent=options.max_concurrent_requests,
        )

    def close(self) -> None:
        self._transport.close()
        if self._token_http is not None:
            self._token_http.close()

    @staticmethod
    def _path(app_id: str, suffix: str = "") -> str:
        return f"/api/v1/apps/{path_segment(app_id)}/connections/default{suffix}"

    def get_connection(self, app_id: str) -> Connection:
        """GET the connection; raises OktaNotFoundError for an unknown application."""
        return self._connection("GET", self._path(app_id))

    def update_connection(
        self, app_id: str, request: ConnectionRequest, *, activate: bool | None = None
    ) -> Connection:
        """POST the connection's profile; `activate=True` asks Okta to enable it in the same call."""
        params = {} if activate is None else {"activate": "true" if activate else "false"}
        return self._connection("POST", self._path(app_id), json_body=request.body(), params=params)

    def get_jwks(self, app_id: str) -> list[dict[str, Any]]:
        """The public keys of the connection (Org2Org OAuth), as JWK objects."""
        path = self._path(app_id, "/jwks")
        response = self._call("GET", path)
        try:
            keys = json.loads(response.content)["jwks"]["keys"]
        except (ValueError, KeyError, TypeError) as exc:
            raise OktaResponseError(
                "GET", path, response.status_code, f"no jwks.keys in the body ({exc})"
            ) from None
        if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
            raise OktaResponseError("GET", path, response.status_code, "jwks.keys is not a list of keys")
        return keys

    def verify_consent(self, app_name: str, app_id: str, code: str, state: str) -> None:
        """The OAuth consent callback (Google, Office 365, Slack, Zoom): the last step before activation."""
        path = f"/api/v1/apps/{path_segment(app_name)}/{path_segment(app_id)}/oauth2/callback"
        self._call("POST", path, params={"code": code, "state": state}, once=True)

    def activate_connection(self, app_id: str) -> None:
        self._call("POST", self._path(app_id, "/lifecycle/activate"))

    def deactivate_connection(self, app_id: str) -> None:
        self._call("POST", self._path(app_id, "/lifecycle/deactivate"))

    def call(self, method: str, path: str, json_body: dict[str, Any] | None = None) -> httpx.Response:
        """One call to another `/api/v1/apps` endpoint (see provider.okta.features), through the
        same auth, governor, retries and logging; raises an OktaError for an error answer."""
        return self._call(method, path, json_body)

    def _connection(
        self,
        method: str,
        path: str,
        json_body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Connection:
        response = self._call(method, path, json_body, params)
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise OktaResponseError(
                method, path, response.status_code, f"the body is not valid JSON ({exc})"
            ) from None
        try:
            return Connection.from_json(body)
        except ValueError as exc:
            raise OktaResponseError(method, path, response.status_code, str(exc)) from None

    def _send(self, request: httpx.Request, path: str) -> httpx.Response:
        """One call through the auth flow and the transport stack, read to the end.

        An answer whose body cannot be decoded (a corrupt gzip stream) is an OktaResponseError:
        Okta got the request, so the caller must know it may have acted.

        This is what httpx.Client.request does for these calls (the same headers, timeouts and auth
        flow), without its cookie jar, redirect handling and URL merging: Okta's API uses none of
        them, and on a busy 2-core machine they cost as much CPU as the HTTP exchange itself.
        """
        flow = self.auth.sync_auth_flow(request)
        try:
            request = next(flow)
            while True:
                response = self._transport.handle_request(request)
                try:
                    response.read()
                except httpx.DecodingError as exc:
                    response.close()
                    raise OktaResponseError(
                        request.method, path, response.status_code, f"the body could not be decoded ({exc})"
                    ) from None
                except BaseException:
                    response.close()
                    raise
                try:
                    request = flow.send(response)
                except StopIteration:
                    return response
        finally:
            flow.close()

    def _call(
        self,
        method: str,
        path: str,
        json_body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        *,
        once: bool = False,
    ) -> httpx.Response:
        host = self._host
        request = httpx.Request(
            method,
            self._root + path,
            params=params,
            json=json_body,
            headers=self._headers,
            extensions={"timeout": self._timeout, "okta_once": once},
        )
        try:
            response = self._send(request, path)
        except RetriesExhausted as exc:
            reason = proxy_refusal(exc.__cause__) or str(exc)  # a refused tunnel, retried
            raise OktaTransportError(
                method, host, path, reason, exc.attempts, exc.elapsed, may_have_acted(request)
            ) from None
        except httpx.LocalProtocolError:
            # httpx quotes the offending header, which may hold a credential: never repeat it.
            reason = "the request could not be sent: a header value is invalid"
            raise OktaTransportError(
                method, host, path, reason, may_have_acted=may_have_acted(request)
            ) from None
        except httpx.TransportError as exc:  # reading the body of an answer
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            acted = may_have_acted(request) or not isinstance(exc, NOT_SENT)
            raise OktaTransportError(method, host, path, reason, may_have_acted=acted) from None
        except OktaError as exc:
            # Stopped while waiting to send it again, or a new token could not be fetched to send it
            # again after a 401: whatever the error, what earlier attempts may have done stands.
            exc.may_have_acted = exc.may_have_acted or may_have_acted(request)
            raise
        if response.status_code == 407:
            # Okta never asks for proxy credentials: the proxy answered the request itself.
            raise OktaTransportError(
                method,
                host,
                path,
                proxy_refused(407),
                response.extensions.get("okta_attempts", 1),
                response.extensions.get("okta_elapsed", 0.0),
                may_have_acted(request),
            )
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            challenge = challenge_params(response.headers.get("WWW-Authenticate", ""))
            raise OktaAPIError.from_body(
                method,
                path,
                response.status_code,
                body,
                request_id=response.headers.get("X-Okta-Request-Id", ""),
                attempts=response.extensions.get("okta_attempts", 1),
                elapsed=response.extensions.get("okta_elapsed", 0.0),
                auth=self.auth.kind,
                auth_error=challenge.get("error", ""),
                auth_error_description=challenge.get("error_description", ""),
                required_scope=challenge.get("scope", ""),
                # A 5xx may come from a gateway after Okta acted; a 4xx is Okta's, without acting.
                may_have_acted=may_have_acted(request) or response.status_code >= 500,
            )
        if response.status_code not in (200, 201, 204):
            raise OktaResponseError(method, path, response.status_code, "unexpected status")
        return response
