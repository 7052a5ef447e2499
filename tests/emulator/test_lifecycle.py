"""Connection status: `?activate=` on the update POST, the lifecycle calls, JWKS and OAuth consent."""

from __future__ import annotations

import base64

import httpx
import pytest

from okta_emulator import AppKind, Emulator

from .helpers import (
    assert_error,
    assert_validation_error,
    connection_path,
    grant_consent,
    http_client,
    verify_consent,
)

TOKEN_BODY = {"baseUrl": "https://target.okta.com", "profile": {"authScheme": "TOKEN", "token": "t"}}


def post(client: httpx.Client, app_id: str, activate: str | None = None) -> httpx.Response:
    params = {} if activate is None else {"activate": activate}
    return client.post(connection_path(app_id), params=params, json=TOKEN_BODY)


@pytest.mark.parametrize(
    ("initial", "activate", "expected"),
    [
        ("DISABLED", "true", "ENABLED"),
        ("ENABLED", "true", "ENABLED"),
        ("DISABLED", "TRUE", "ENABLED"),
        ("ENABLED", "false", "DISABLED"),
        ("DISABLED", "false", "DISABLED"),
        ("ENABLED", None, "ENABLED"),
        ("DISABLED", None, "DISABLED"),
    ],
)
def test_activate_query_parameter(
    emulator: Emulator, client: httpx.Client, initial: str, activate: str | None, expected: str
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.set_status(app_id, initial)

    response = post(client, app_id, activate)

    assert response.status_code == 200
    assert response.json()["status"] == expected
    assert emulator.store.connection(app_id).status == expected
    lifecycle = "deactivate" if expected == "ENABLED" else "activate"
    assert set(response.json()["_links"]) == {"self", lifecycle}


def test_org_that_ignores_activate_in_post(emulator: Emulator, client: httpx.Client) -> None:
    emulator.store.activate_in_post = False
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    assert post(client, app_id, "true").json()["status"] == "DISABLED"

    emulator.store.set_status(app_id, "ENABLED")
    assert post(client, app_id, "false").json()["status"] == "DISABLED"


@pytest.mark.parametrize(
    ("action", "initial", "expected"),
    [("activate", "DISABLED", "ENABLED"), ("deactivate", "ENABLED", "DISABLED")],
)
def test_lifecycle_calls_answer_204_with_empty_body(
    emulator: Emulator, client: httpx.Client, action: str, initial: str, expected: str
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    post(client, app_id)
    emulator.store.set_status(app_id, initial)

    response = client.post(connection_path(app_id, f"/lifecycle/{action}"))

    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert emulator.store.connection(app_id).status == expected
    assert client.get(connection_path(app_id)).json()["status"] == expected


def test_lifecycle_keeps_the_connection_reusable(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ZSCALERBYZ)
    statuses = []
    for action in ["activate", "deactivate", "activate"]:
        assert client.post(connection_path(app_id, f"/lifecycle/{action}")).status_code == 204
        statuses.append(client.get(connection_path(app_id)).json()["status"])

    assert statuses == ["ENABLED", "DISABLED", "ENABLED"]


@pytest.mark.parametrize("action", ["activate", "deactivate"])
def test_lifecycle_of_unknown_app_is_404(client: httpx.Client, action: str) -> None:
    response = client.post(connection_path("0oaMissing", f"/lifecycle/{action}"))

    assert_error(response, 404, "E0000007", "Not found: Resource not found: 0oaMissing (AppInstance)")


@pytest.mark.parametrize("action", ["activate", "deactivate"])
def test_lifecycle_of_unsupported_app_is_400(emulator: Emulator, client: httpx.Client, action: str) -> None:
    app_id = emulator.store.add_app(AppKind.UNSUPPORTED)

    response = client.post(connection_path(app_id, f"/lifecycle/{action}"))

    assert assert_validation_error(response) == [
        "connection: provisioning is not supported by this application"
    ]
    assert emulator.store.connection(app_id).status == "UNKNOWN"


def test_lifecycle_only_accepts_post(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = client.get(connection_path(app_id, "/lifecycle/activate"))

    assert_error(response, 405, "E0000022")
    assert response.headers["Allow"] == "POST"


def test_jwks_of_org2org(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = client.get(connection_path(app_id, "/jwks"))

    assert response.status_code == 200
    [key] = response.json()["jwks"]["keys"]
    assert {"kid", "kty", "alg", "use", "e", "n", "status", "created", "lastUpdated"} <= set(key)
    assert (key["kty"], key["alg"], key["use"], key["e"], key["status"]) == (
        "RSA",
        "RS256",
        "sig",
        "AQAB",
        "ACTIVE",
    )
    modulus = base64.urlsafe_b64decode(key["n"] + "=" * (-len(key["n"]) % 4))
    assert len(modulus) == 256
    assert "d" not in key
    assert client.get(connection_path(app_id, "/jwks")).json() == response.json()


@pytest.mark.parametrize("kind", [AppKind.ZSCALERBYZ, AppKind.OFFICE365, AppKind.UNSUPPORTED])
def test_jwks_of_other_kinds_is_404(emulator: Emulator, client: httpx.Client, kind: AppKind) -> None:
    app_id = emulator.store.add_app(kind)

    assert_error(client.get(connection_path(app_id, "/jwks")), 404, "E0000007")


def test_jwks_of_unknown_app_is_404(client: httpx.Client) -> None:
    assert_error(client.get(connection_path("0oaNope", "/jwks")), 404, "E0000007")


@pytest.mark.parametrize("kind", [AppKind.OFFICE365, AppKind.GOOGLE, AppKind.SLACK, AppKind.ZOOMUS])
def test_oauth_callback_verifies_consent(emulator: Emulator, client: httpx.Client, kind: AppKind) -> None:
    app_id = emulator.store.add_app(kind)
    client.post(connection_path(app_id), json={"profile": {"authScheme": "OAUTH2"}})

    response = verify_consent(client, kind.value, app_id, grant_consent(client, app_id))

    assert response.status_code == 204
    assert response.content == b""
    assert emulator.store.connection(app_id).consent_verified is True


def test_oauth_callback_needs_a_code(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.SLACK)

    for params in ({"state": "xyz"}, {"code": "", "state": "xyz"}):
        response = client.post(f"/api/v1/apps/slack/{app_id}/oauth2/callback", params=params)
        assert assert_error(response, 400, "E0000001") == ["code: required"]
    assert emulator.store.connection(app_id).consent_verified is False


def test_oauth_callback_with_mismatched_app_name_is_404(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.GOOGLE)

    response = client.post(f"/api/v1/apps/office365/{app_id}/oauth2/callback", params={"code": "c"})

    assert_error(response, 404, "E0000007", f"Not found: Resource not found: {app_id} (AppInstance)")
    assert emulator.store.connection(app_id).consent_verified is False


def test_oauth_callback_for_apps_without_consent_is_404(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = client.post(f"/api/v1/apps/org2org/{app_id}/oauth2/callback", params={"code": "c"})

    assert_error(response, 404, "E0000007")


def test_oauth_callback_for_unknown_app_is_404(client: httpx.Client) -> None:
    response = client.post("/api/v1/apps/zoomus/0oaUnknown/oauth2/callback", params={"code": "c"})

    assert_error(response, 404, "E0000007", "Not found: Resource not found: 0oaUnknown (AppInstance)")


def test_full_consent_flow(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    body = {"profile": {"authScheme": "OAUTH2", "settings": {"adminUsername": "u", "adminPassword": "p"}}}
    authorize = client.post(connection_path(app_id), json=body).json()["_links"]["authorize"]["href"]

    with http_client(token=None) as browser:
        grant = browser.get(authorize)
    assert grant.status_code == 200
    code, state = grant.json()["code"], grant.json()["state"]
    assert state == emulator.store.connection(app_id).consent_state
    verify = client.post(
        f"/api/v1/apps/office365/{app_id}/oauth2/callback", params={"code": code, "state": state}
    )
    activate = client.post(connection_path(app_id, "/lifecycle/activate"))

    assert (verify.status_code, activate.status_code) == (204, 204)
    connection = emulator.store.connection(app_id)
    assert (connection.consent_verified, connection.status) == (True, "ENABLED")
