"""OktaClient: the four calls on an application's default provisioning connection."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from provider.okta.errors import OktaAPIError, OktaResponseError, OktaTransportError
from provider.okta.models import Connection, ConnectionRequest
from provider.okta.transport import LoggingTransport, SSWSAuth

USER_AGENT = "terraform-provider-okta-py"

# Okta answers in 1 to 3 s and sometimes far slower; connecting should be quick.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=30.0, pool=60.0)


class OktaClient:
    """One HTTP client per provider process; its connections are reused by every operation."""

    def __init__(
        self,
        org_url: str,
        api_token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.org_url = org_url
        inner = transport or httpx.HTTPTransport(
            retries=0, limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
        )
        self._http = httpx.Client(
            base_url=org_url,
            auth=SSWSAuth(api_token),
            transport=LoggingTransport(inner),
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        self._http.close()

    @staticmethod
    def _path(app_id: str, suffix: str = "") -> str:
        return f"/api/v1/apps/{quote(app_id, safe='')}/connections/default{suffix}"

    def get_connection(self, app_id: str) -> Connection:
        """GET the connection; raises OktaNotFoundError for an unknown application."""
        return self._connection("GET", self._path(app_id))

    def update_connection(
        self, app_id: str, request: ConnectionRequest, *, activate: bool | None = None
    ) -> Connection:
        """POST the connection's profile; `activate=True` asks Okta to enable it in the same call."""
        params = {} if activate is None else {"activate": "true" if activate else "false"}
        return self._connection("POST", self._path(app_id), json_body=request.body(), params=params)

    def activate_connection(self, app_id: str) -> None:
        self._call("POST", self._path(app_id, "/lifecycle/activate"))

    def deactivate_connection(self, app_id: str) -> None:
        self._call("POST", self._path(app_id, "/lifecycle/deactivate"))

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

    def _call(
        self,
        method: str,
        path: str,
        json_body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        try:
            response = self._http.request(method, path, json=json_body, params=params)
        except httpx.TransportError as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise OktaTransportError(method, self._http.base_url.host, path, reason) from None
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            raise OktaAPIError.from_body(
                method, path, response.status_code, body, response.headers.get("X-Okta-Request-Id", "")
            )
        if response.status_code not in (200, 201, 204):
            raise OktaResponseError(method, path, response.status_code, "unexpected status")
        return response
