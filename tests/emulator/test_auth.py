"""Authentication of the `/api/v1` API, common response headers, and keeping the token secret."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx
import pytest

from okta_emulator import AppKind, Emulator

from .helpers import API_TOKEN, assert_error, connection_path


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "SSWS wrong-token"},
        {"Authorization": f"Bearer {API_TOKEN}"},
        {"Authorization": f"ssws {API_TOKEN}"},
        {"Authorization": f"SSWS {API_TOKEN}x"},
        {"Authorization": API_TOKEN},
    ],
    ids=["missing", "wrong", "bearer", "lowercase-scheme", "longer", "bare"],
)
def test_bad_credentials_get_401(
    emulator: Emulator, anonymous: httpx.Client, headers: dict[str, str]
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = anonymous.get(connection_path(app_id), headers=headers)

    causes = assert_error(response, 401, "E0000011", "Invalid token provided")
    assert causes == []
    assert API_TOKEN not in response.text


def test_auth_is_checked_before_routing(anonymous: httpx.Client) -> None:
    assert_error(anonymous.get("/api/v1/users"), 401, "E0000011")
    assert_error(anonymous.delete(connection_path("0oanosuchapp")), 401, "E0000011")


def test_unauthorized_requests_do_not_spend_the_bucket(emulator: Emulator, anonymous: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    first = anonymous.get(connection_path(app_id))
    second = anonymous.get(connection_path(app_id))

    assert first.headers["X-Rate-Limit-Limit"] == "600"
    assert first.headers["X-Rate-Limit-Remaining"] == second.headers["X-Rate-Limit-Remaining"] == "600"


def test_unauthorized_requests_are_journaled(emulator: Emulator, anonymous: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    anonymous.post(connection_path(app_id), json={"profile": {"authScheme": "TOKEN"}})

    [entry] = emulator.store.requests()
    assert (entry.method, entry.path, entry.status) == ("POST", connection_path(app_id), 401)
    assert emulator.store.connection(app_id).configured is False


def test_every_response_has_date_and_a_fresh_request_id(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    responses = [
        client.get(connection_path(app_id)),
        client.post(connection_path(app_id, "/lifecycle/activate")),
        client.get("/api/v1/unknown"),
        client.get("/emulator/requests"),
        client.get("/elsewhere"),
    ]

    request_ids = [response.headers["X-Okta-Request-Id"] for response in responses]
    assert len(set(request_ids)) == len(responses)
    assert all(len(request_id) >= 20 for request_id in request_ids)
    for response in responses:
        assert parsedate_to_datetime(response.headers["Date"]).tzinfo is not None


def test_token_never_appears_in_responses_or_journal(emulator: Emulator, client: httpx.Client) -> None:
    org2org = emulator.store.add_app(AppKind.ORG2ORG)
    office = emulator.store.add_app(AppKind.OFFICE365)
    token_body = {"baseUrl": "https://target.example.com", "profile": {"authScheme": "TOKEN", "token": "t"}}
    responses = [
        client.get(connection_path(org2org)),
        client.post(connection_path(org2org) + "?activate=true", json=token_body),
        client.post(connection_path(org2org), json={"profile": {"authScheme": "TOKEN", "token": API_TOKEN}}),
        client.post(connection_path(org2org), json={"profile": {"authScheme": "TOKEN"}, "echo": API_TOKEN}),
        client.post(connection_path(org2org), content=b"{not json"),
        client.post(connection_path(org2org, "/lifecycle/deactivate")),
        client.get(connection_path(org2org, "/jwks")),
        client.get(connection_path(office)),
        client.put(connection_path(office)),
        client.get("/api/v1/elsewhere"),
        client.get(connection_path(org2org), headers={"Authorization": f"SSWS {API_TOKEN}-not"}),
        client.get(f"/emulator/apps/{org2org}"),
        client.get("/emulator/requests"),
    ]

    for response in responses:
        assert API_TOKEN not in response.text
        assert all(API_TOKEN not in value for value in response.headers.values())
    journal = emulator.store.requests()
    assert len(journal) == 11
    assert API_TOKEN not in repr(journal)
    assert API_TOKEN not in repr(emulator)
