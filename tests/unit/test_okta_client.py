"""The Okta client against httpx.MockTransport: paths, headers, bodies and the exception tree."""

from __future__ import annotations

import copy
import json

import httpx
import pytest

from provider.okta import (
    AccessTokenCredentials,
    ApiToken,
    ClientOptions,
    OAuthConnectionRequest,
    OktaAPIError,
    OktaAuthError,
    OktaCancelled,
    OktaNotFoundError,
    OktaResponseError,
    OktaTransportError,
    RetryPolicy,
    Timeouts,
    TokenConnectionRequest,
)
from provider.okta.client import OktaClient

TOKEN = "00-api-token-secret"
CONNECTION = {
    "authScheme": "TOKEN",
    "status": "ENABLED",
    "baseUrl": "https://scim.example.com",
    "profile": {"authScheme": "TOKEN"},
    "_links": {"self": {"href": "x"}},
}


NO_WAITING = ClientOptions(retry=RetryPolicy(max_retries=2, min_wait_seconds=0.001, max_wait_seconds=0.01))


def client_answering(handler: httpx.MockTransport) -> OktaClient:
    return OktaClient("https://dev-1.okta.com", ApiToken(TOKEN), transport=handler, options=NO_WAITING)


def test_get_sends_ssws_token_and_parses_the_connection() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CONNECTION)

    connection = client_answering(httpx.MockTransport(handler)).get_connection("0oa1")
    assert connection.status == "ENABLED"
    assert connection.base_url == "https://scim.example.com"
    assert seen[0].method == "GET"
    assert seen[0].url == "https://dev-1.okta.com/api/v1/apps/0oa1/connections/default"
    assert seen[0].headers["Authorization"] == f"SSWS {TOKEN}"
    assert seen[0].headers["Accept"] == "application/json"


def test_update_posts_the_body_and_the_activate_parameter() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CONNECTION)

    client = client_answering(httpx.MockTransport(handler))
    client.update_connection("0oa1", TokenConnectionRequest(token="t", base_url="https://b"), activate=True)
    client.update_connection("0oa1", OAuthConnectionRequest(client_id="c"))
    assert seen[0].url.params["activate"] == "true"
    assert json.loads(seen[0].content) == {
        "baseUrl": "https://b",
        "profile": {"authScheme": "TOKEN", "token": "t"},
    }
    assert "activate" not in seen[1].url.params
    assert json.loads(seen[1].content) == {"profile": {"authScheme": "OAUTH2", "clientId": "c"}}


def test_lifecycle_calls_accept_an_empty_204() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(f"{request.method} {request.url.path}")
        return httpx.Response(204)

    client = client_answering(httpx.MockTransport(handler))
    client.activate_connection("0oa1")
    client.deactivate_connection("0oa1")
    assert paths == [
        "POST /api/v1/apps/0oa1/connections/default/lifecycle/activate",
        "POST /api/v1/apps/0oa1/connections/default/lifecycle/deactivate",
    ]


def test_app_id_is_escaped_in_the_path() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.raw_path == b"/api/v1/apps/a%2Fb%3Fc/connections/default"
        return httpx.Response(200, json=CONNECTION)

    client_answering(httpx.MockTransport(handler)).get_connection("a/b?c")


@pytest.mark.parametrize(
    ("app_id", "segment"),
    [
        ("..", b"%2E%2E"),
        (".", b"%2E"),
        ("../../users", b"%2E%2E%2F%2E%2E%2Fusers"),
        ("%2e%2e", b"%252e%252e"),
        ("0oa1#x", b"0oa1%23x"),
        ("0oa1\\x", b"0oa1%5Cx"),
    ],
)
def test_an_app_id_reaches_okta_as_exactly_one_path_segment(app_id: str, segment: bytes) -> None:
    """Validation refuses such IDs at plan time; the client must still never call another URL."""
    paths: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path)
        return httpx.Response(200, json=CONNECTION)

    client_answering(httpx.MockTransport(handler)).get_connection(app_id)
    assert paths == [b"/api/v1/apps/" + segment + b"/connections/default"]


def test_the_consent_callback_reaches_okta_as_exactly_two_path_segments() -> None:
    paths: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.split(b"?")[0])
        return httpx.Response(204)

    client_answering(httpx.MockTransport(handler)).verify_consent("..", ".", "one-time-code", "s")
    assert paths == [b"/api/v1/apps/%2E%2E/%2E/oauth2/callback"]


def test_error_body_becomes_an_api_error_with_every_field() -> None:
    body = {
        "errorCode": "E0000001",
        "errorSummary": "Api validation failed: connection",
        "errorLink": "E0000001",
        "errorId": "oaeABC",
        "errorCauses": [{"errorSummary": "profile.token: bad"}, {"errorSummary": "baseUrl: bad"}],
    }
    transport = httpx.MockTransport(
        lambda request: httpx.Response(400, json=body, headers={"X-Okta-Request-Id": "req-1"})
    )
    with pytest.raises(OktaAPIError) as caught:
        client_answering(transport).update_connection("0oa1", TokenConnectionRequest(token=TOKEN))
    error = caught.value
    assert (error.status, error.error_code, error.error_id) == (400, "E0000001", "oaeABC")
    assert error.error_causes == ["profile.token: bad", "baseUrl: bad"]
    assert error.summary == "Okta API error 400 E0000001: Api validation failed: connection"
    for text in (
        "Cause: profile.token: bad",
        "Cause: baseUrl: bad",
        "oaeABC",
        "req-1",
        "POST /api/v1/apps/0oa1",
    ):
        assert text in error.detail
    assert TOKEN not in f"{error} {error.summary} {error.detail}"


OKTA_INSUFFICIENT_SCOPE = (
    'Bearer authorization_uri="https://dev-1.okta.com/oauth2/v1/authorize", realm="https://dev-1.okta.com", '
    'scope="okta.apps.manage", error="insufficient_scope", error_description="The access token provided '
    'does not contain the required scopes.", resource="/api/v1/apps/0oa1/connections/default"'
)


def test_a_403_keeps_the_cause_okta_gave_and_the_authentication_in_use() -> None:
    body = {
        "errorCode": "E0000006",
        "errorSummary": "You do not have permission to perform the requested action",
    }
    transport = httpx.MockTransport(
        lambda request: httpx.Response(403, json=body, headers={"WWW-Authenticate": OKTA_INSUFFICIENT_SCOPE})
    )
    client = OktaClient(
        "https://dev-1.okta.com", AccessTokenCredentials("at-1"), transport=transport, options=NO_WAITING
    )
    with pytest.raises(OktaAPIError) as caught:
        client.activate_connection("0oa1")
    error = caught.value
    assert (error.auth, error.auth_error, error.required_scope) == (
        "access_token",
        "insufficient_scope",
        "okta.apps.manage",
    )
    assert error.auth_error_description == "The access token provided does not contain the required scopes."
    assert (
        "Okta's WWW-Authenticate: insufficient_scope (scope okta.apps.manage): The access token provided "
        "does not contain the required scopes." in error.detail
    )


def test_an_answer_without_a_challenge_says_only_which_authentication_was_used() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(403, json={"errorCode": "E0000006"}))
    with pytest.raises(OktaAPIError) as caught:
        client_answering(transport).get_connection("0oa1")
    assert (caught.value.auth, caught.value.auth_error, caught.value.required_scope) == ("api_token", "", "")
    assert "WWW-Authenticate" not in caught.value.detail


def test_404_is_the_not_found_subclass() -> None:
    body = {"errorCode": "E0000007", "errorSummary": "Not found: Resource not found: 0oa1 (AppInstance)"}
    transport = httpx.MockTransport(lambda request: httpx.Response(404, json=body))
    with pytest.raises(OktaNotFoundError) as caught:
        client_answering(transport).get_connection("0oa1")
    assert caught.value.error_code == "E0000007"


def test_error_without_a_json_body_still_says_the_status() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(OktaAPIError) as caught:
        client_answering(transport).get_connection("0oa1")
    assert caught.value.status == 502
    assert "502" in caught.value.summary
    assert caught.value.attempts == 3
    assert "Gave up after 3 attempts" in caught.value.detail


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"status": "ENAB', "the body is not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"status": "ENABLED"}', "profile.authScheme is missing"),
    ],
)
def test_bad_answers_raise_a_response_error(content: bytes, problem: str) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=content))
    with pytest.raises(OktaResponseError) as caught:
        client_answering(transport).get_connection("0oa1")
    assert problem in caught.value.problem


def test_a_body_that_cannot_be_decoded_is_a_response_error() -> None:
    """Okta got the POST and answered it: the caller learns that, not an httpx error it cannot place."""

    def handler(request: httpx.Request) -> httpx.Response:
        gzip = {"Content-Encoding": "gzip"}
        return httpx.Response(200, headers=gzip, stream=httpx.ByteStream(b"\x1f\x8bnot gzip"))

    transport = httpx.MockTransport(handler)
    request = TokenConnectionRequest(token=TOKEN)
    with pytest.raises(OktaResponseError) as caught:
        client_answering(transport).update_connection("0oa1", request, activate=True)
    assert (caught.value.method, caught.value.status) == ("POST", 200)
    assert caught.value.path == "/api/v1/apps/0oa1/connections/default"
    assert "the body could not be decoded" in caught.value.problem
    assert TOKEN not in str(caught.value)


def test_transport_failure_names_the_host_and_what_failed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    with pytest.raises(OktaTransportError) as caught:
        client_answering(httpx.MockTransport(handler)).get_connection("0oa1")
    assert caught.value.host == "dev-1.okta.com"
    assert "connection refused" in caught.value.detail
    assert "Gave up after 3 attempts" in caught.value.detail
    assert "dev-1.okta.com" in caught.value.summary


def test_unexpected_success_status_is_reported() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(302, headers={"Location": "/x"}))
    with pytest.raises(OktaResponseError) as caught:
        client_answering(transport).activate_connection("0oa1")
    assert caught.value.status == 302


def test_every_call_carries_the_configured_timeouts() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CONNECTION)

    timeouts = Timeouts(connect=1.5, read=7.0, write=3.0, pool=9.0)
    client = OktaClient(
        "https://dev-1.okta.com",
        ApiToken(TOKEN),
        transport=httpx.MockTransport(handler),
        options=ClientOptions(timeouts=timeouts),
    )
    client.get_connection("0oa1")
    client.activate_connection("0oa1")
    assert [request.extensions["timeout"] for request in seen] == [
        {"connect": 1.5, "read": 7.0, "write": 3.0, "pool": 9.0}
    ] * 2


def test_its_errors_hash_and_compare_by_identity_as_exceptions_do() -> None:
    errors = [
        OktaAPIError("GET", "/api/v1/apps/0oa1", 400, "E0000001"),
        OktaNotFoundError("GET", "/api/v1/apps/0oa1", 404),
        OktaTransportError("GET", "example.okta.com", "/api/v1/apps/0oa1", "connection refused"),
        OktaResponseError("GET", "/api/v1/apps/0oa1", 200, "not JSON"),
        OktaAuthError(401, "invalid_client", "no such client"),
        OktaCancelled(),
    ]
    twins = [copy.copy(error) for error in errors]
    assert len({*errors, *twins}) == 2 * len(errors)
    assert all(error != twin for error, twin in zip(errors, twins, strict=True))
