"""The unauthenticated `/emulator/` admin API and the request journal."""

from __future__ import annotations

import httpx
import pytest

from okta_emulator import AppKind, Emulator

from .helpers import APP_ID_PATTERN, assert_error, connection_path


def test_create_app_with_generated_id(emulator: Emulator, anonymous: httpx.Client) -> None:
    response = anonymous.post("/emulator/apps", json={"kind": "zscalerbyz"})

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "zscalerbyz"
    assert APP_ID_PATTERN.fullmatch(body["id"])
    assert emulator.store.kind(body["id"]) is AppKind.ZSCALERBYZ


def test_create_app_with_chosen_id(emulator: Emulator, anonymous: httpx.Client, client: httpx.Client) -> None:
    response = anonymous.post("/emulator/apps", json={"kind": "office365", "id": "0oaMyOffice365App"})

    assert response.status_code == 201
    assert response.json() == {"id": "0oaMyOffice365App", "kind": "office365"}
    assert client.get(connection_path("0oaMyOffice365App")).status_code == 200


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        (
            {"kind": "salesforce"},
            "kind: must be one of org2org, zscalerbyz, office365, google, slack, zoomus, unsupported",
        ),
        ({}, "kind: must be one of org2org, zscalerbyz, office365, google, slack, zoomus, unsupported"),
        ({"kind": "org2org", "id": 5}, "id: must be a string"),
        ({"kind": "org2org", "id": "has space"}, "id: must be 1 to 64 letters, digits, '-' or '_'"),
        ({"kind": "org2org", "name": "x"}, "name: unknown property"),
        ([], "app: must be a JSON object"),
    ],
)
def test_create_app_rejects_bad_input(anonymous: httpx.Client, body: object, cause: str) -> None:
    response = anonymous.post("/emulator/apps", json=body)

    assert assert_error(response, 400, "E0000001", "Api validation failed: app") == [cause]


def test_create_app_rejects_a_duplicate_id(emulator: Emulator, anonymous: httpx.Client) -> None:
    emulator.store.add_app(AppKind.ORG2ORG, "0oaTaken")

    response = anonymous.post("/emulator/apps", json={"kind": "google", "id": "0oaTaken"})

    assert assert_error(response, 400, "E0000001") == ["id: an app with id 0oaTaken already exists"]
    assert emulator.store.kind("0oaTaken") is AppKind.ORG2ORG


def test_create_app_rejects_malformed_json(anonymous: httpx.Client) -> None:
    response = anonymous.post(
        "/emulator/apps", content=b"{kind", headers={"Content-Type": "application/json"}
    )

    assert_error(response, 400, "E0000003")


def test_list_apps(emulator: Emulator, anonymous: httpx.Client) -> None:
    first = emulator.store.add_app(AppKind.SLACK)
    second = emulator.store.add_app(AppKind.UNSUPPORTED)

    response = anonymous.get("/emulator/apps")

    assert response.json() == [{"id": first, "kind": "slack"}, {"id": second, "kind": "unsupported"}]


def test_admin_view_shows_which_secrets_are_set_not_their_values(
    emulator: Emulator, anonymous: httpx.Client, client: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    settings = {"adminUsername": "global-admin@tenant", "adminPassword": "office-password-42"}
    client.post(
        connection_path(app_id) + "?activate=true",
        json={"profile": {"authScheme": "OAUTH2", "settings": settings}},
    )

    response = anonymous.get(f"/emulator/apps/{app_id}")

    assert response.status_code == 200
    assert response.json() == {
        "id": app_id,
        "kind": "office365",
        "configured": True,
        "status": "DISABLED",
        "authScheme": "OAUTH2",
        "baseUrl": None,
        "clientId": None,
        "rotationMode": None,
        "consentVerified": False,
        "secrets": {"token": False, "adminUsername": True, "adminPassword": True},
    }
    assert "global-admin@tenant" not in response.text
    assert "office-password-42" not in response.text


def test_admin_view_of_token_connection(
    emulator: Emulator, anonymous: httpx.Client, client: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    body = {"baseUrl": "https://t.okta.com", "profile": {"authScheme": "TOKEN", "token": "org-token-77"}}
    client.post(connection_path(app_id), json=body)

    view = anonymous.get(f"/emulator/apps/{app_id}")

    assert view.json()["secrets"] == {"token": True, "adminUsername": False, "adminPassword": False}
    assert (view.json()["authScheme"], view.json()["baseUrl"]) == ("TOKEN", "https://t.okta.com")
    assert "org-token-77" not in view.text


def test_admin_view_of_unknown_app_is_404(anonymous: httpx.Client) -> None:
    assert_error(anonymous.get("/emulator/apps/0oaNothing"), 404, "E0000007")


def test_delete_app(emulator: Emulator, anonymous: httpx.Client, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = anonymous.delete(f"/emulator/apps/{app_id}")

    assert response.status_code == 204
    assert response.content == b""
    assert_error(client.get(connection_path(app_id)), 404, "E0000007")
    assert_error(anonymous.delete(f"/emulator/apps/{app_id}"), 404, "E0000007")


def test_patch_connection_status_models_drift(
    emulator: Emulator, anonymous: httpx.Client, client: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = anonymous.patch(f"/emulator/apps/{app_id}/connection", json={"status": "ENABLED"})

    assert response.status_code == 200
    assert response.json()["status"] == "ENABLED"
    assert client.get(connection_path(app_id)).json()["status"] == "ENABLED"


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ({"status": "UNKNOWN"}, "status: must be one of ENABLED, DISABLED"),
        ({}, "status: must be one of ENABLED, DISABLED"),
        ({"status": "ENABLED", "authScheme": "TOKEN"}, "authScheme: unknown property"),
    ],
)
def test_patch_connection_rejects_bad_input(
    emulator: Emulator, anonymous: httpx.Client, body: dict[str, object], cause: str
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = anonymous.patch(f"/emulator/apps/{app_id}/connection", json=body)

    assert cause in assert_error(response, 400, "E0000001")
    assert emulator.store.connection(app_id).status == "DISABLED"


def test_patch_connection_of_unsupported_or_unknown_app(emulator: Emulator, anonymous: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.UNSUPPORTED)

    unsupported = anonymous.patch(f"/emulator/apps/{app_id}/connection", json={"status": "ENABLED"})
    unknown = anonymous.patch("/emulator/apps/0oaNo/connection", json={"status": "ENABLED"})

    assert assert_error(unsupported, 400, "E0000001") == [
        "status: provisioning is not supported by this application"
    ]
    assert_error(unknown, 404, "E0000007")


def test_journal_records_api_requests_with_secrets_redacted(
    emulator: Emulator, anonymous: httpx.Client, client: httpx.Client
) -> None:
    office = emulator.store.add_app(AppKind.OFFICE365)
    org2org = emulator.store.add_app(AppKind.ORG2ORG)
    settings = {"adminUsername": "admin-user", "adminPassword": "admin-pass"}
    client.post(connection_path(office), json={"profile": {"authScheme": "OAUTH2", "settings": settings}})
    client.post(
        connection_path(org2org) + "?activate=true&activate=false",
        json={"baseUrl": "https://t", "profile": {"authScheme": "TOKEN", "token": "org-token"}},
    )
    client.get(connection_path(org2org))
    anonymous.get(f"/emulator/apps/{office}")

    journal = emulator.store.requests()
    listed = anonymous.get("/emulator/requests")

    assert [(e.method, e.path, e.query, e.status) for e in journal] == [
        ("POST", connection_path(office), {}, 200),
        ("POST", connection_path(org2org), {"activate": "true"}, 200),
        ("GET", connection_path(org2org), {}, 200),
    ]
    assert journal[0].body == {
        "profile": {
            "authScheme": "OAUTH2",
            "settings": {"adminUsername": "***REDACTED***", "adminPassword": "***REDACTED***"},
        }
    }
    assert journal[1].body == {
        "baseUrl": "https://t",
        "profile": {"authScheme": "TOKEN", "token": "***REDACTED***"},
    }
    assert journal[2].body is None
    assert listed.status_code == 200
    assert [entry["body"] for entry in listed.json()] == [entry.body for entry in journal]
    assert [entry["requestId"] for entry in listed.json()] == [entry.request_id for entry in journal]
    for secret in ("admin-user", "admin-pass", "org-token"):
        assert secret not in listed.text
        assert secret not in repr(journal)


def test_journal_masks_the_consent_code(
    emulator: Emulator, anonymous: httpx.Client, client: httpx.Client
) -> None:
    office = emulator.store.add_app(AppKind.OFFICE365)
    client.post(
        f"/api/v1/apps/office365/{office}/oauth2/callback", params={"code": "one-time-code-77", "state": "s"}
    )

    [entry] = emulator.store.requests()
    listed = anonymous.get("/emulator/requests")

    assert entry.query == {"code": "***REDACTED***", "state": "s"}
    assert "one-time-code-77" not in listed.text


def test_journal_request_ids_match_response_headers(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ZOOMUS)

    response = client.get(connection_path(app_id))

    assert emulator.store.requests()[0].request_id == response.headers["X-Okta-Request-Id"]


def test_clear_journal(emulator: Emulator, anonymous: httpx.Client, client: httpx.Client) -> None:
    client.get("/api/v1/apps/0oaX/connections/default")
    assert len(emulator.store.requests()) == 1

    response = anonymous.delete("/emulator/requests")

    assert response.status_code == 204
    assert emulator.store.requests() == []
    assert anonymous.get("/emulator/requests").json() == []


def test_consent_endpoint_returns_code_and_state(emulator: Emulator, anonymous: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.GOOGLE)

    response = anonymous.get(f"/emulator/consent/google/{app_id}", params={"state": "abc123"})
    again = anonymous.get(f"/emulator/consent/google/{app_id}", params={"state": "abc123"})

    assert response.status_code == 200
    assert set(response.json()) == {"code", "state"}
    assert response.json()["state"] == "abc123"
    assert len(response.json()["code"]) >= 16
    assert again.json()["code"] != response.json()["code"]


@pytest.mark.parametrize("path", ["/emulator/consent/slack/{id}", "/emulator/consent/google/0oaMissing"])
def test_consent_endpoint_for_wrong_app_is_404(
    emulator: Emulator, anonymous: httpx.Client, path: str
) -> None:
    app_id = emulator.store.add_app(AppKind.GOOGLE)

    assert_error(anonymous.get(path.format(id=app_id)), 404, "E0000007")


def test_admin_wrong_method_and_unknown_paths(anonymous: httpx.Client) -> None:
    wrong = anonymous.put("/emulator/requests", json={})

    assert_error(wrong, 405, "E0000022")
    assert wrong.headers["Allow"] == "GET, DELETE"
    assert_error(anonymous.get("/emulator/nothing"), 404, "E0000007")
    assert_error(anonymous.get("/"), 404, "E0000007", "Not found: Resource not found: / (Resource)")
