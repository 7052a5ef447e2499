"""Shared constants and assertions for the emulator tests."""

from __future__ import annotations

import re
import ssl

import httpx

API_TOKEN = "emulator-test-token-5d1f0c2a"
APP_ID_PATTERN = re.compile(r"0oa[A-Za-z0-9]{17}")
ERROR_ID_PATTERN = re.compile(r"oae[A-Za-z0-9_-]{22}")

# The emulator speaks plain HTTP; sharing one TLS context saves httpx building one (~35 ms) per client.
_TLS_CONTEXT = ssl.create_default_context()


def http_client(base_url: str = "", token: str | None = API_TOKEN) -> httpx.Client:
    """A client for the emulator, sending `SSWS <token>` unless `token` is None."""
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"SSWS {token}"
    return httpx.Client(base_url=base_url, headers=headers, timeout=5, verify=_TLS_CONTEXT)


def connection_path(app_id: str, suffix: str = "") -> str:
    """Path of an app's default connection, or of one of its sub-resources."""
    return f"/api/v1/apps/{app_id}/connections/default{suffix}"


def assert_error(response: httpx.Response, status: int, code: str, summary: str | None = None) -> list[str]:
    """Check an Okta-shaped error response and return its causes' summaries."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    assert body["errorCode"] == code
    assert body["errorLink"] == code
    assert ERROR_ID_PATTERN.fullmatch(body["errorId"]), body["errorId"]
    if summary is not None:
        assert body["errorSummary"] == summary
    return [cause["errorSummary"] for cause in body["errorCauses"]]


def assert_validation_error(response: httpx.Response) -> list[str]:
    """Check a 400 E0000001 for an update body and return its causes' summaries."""
    return assert_error(response, 400, "E0000001", "Api validation failed: connection")


def grant_consent(http: httpx.Client, app_id: str) -> dict[str, str]:
    """Open the connection's authorize link as the administrator's browser: a `code` and `state`."""
    href = http.get(connection_path(app_id)).json()["_links"]["authorize"]["href"]
    granted = http.get(href)
    assert granted.status_code == 200, granted.text
    return dict(granted.json())


def verify_consent(http: httpx.Client, kind: str, app_id: str, params: dict[str, str]) -> httpx.Response:
    """POST the OAuth consent callback with these query parameters."""
    return http.post(f"/api/v1/apps/{kind}/{app_id}/oauth2/callback", params=params)
