"""Reading and updating the default provisioning connection: response shapes and storage."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from okta_emulator import AppKind, Emulator

from .helpers import assert_error, connection_path, grant_consent, verify_consent

CONSENT_KINDS = [AppKind.OFFICE365, AppKind.GOOGLE, AppKind.SLACK, AppKind.ZOOMUS]


def self_link(emulator: Emulator, app_id: str) -> dict[str, object]:
    return {"href": emulator.url + connection_path(app_id), "hints": {"allow": ["GET", "POST"]}}


def lifecycle_link(emulator: Emulator, app_id: str, action: str) -> dict[str, object]:
    href = emulator.url + connection_path(app_id, f"/lifecycle/{action}")
    return {"href": href, "hints": {"allow": ["POST"]}}


@pytest.mark.parametrize("kind", [AppKind.ORG2ORG, AppKind.ZSCALERBYZ])
def test_get_unconfigured_token_app(emulator: Emulator, client: httpx.Client, kind: AppKind) -> None:
    app_id = emulator.store.add_app(kind)

    response = client.get(connection_path(app_id))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "authScheme": "TOKEN",
        "status": "DISABLED",
        "profile": {"authScheme": "TOKEN"},
        "_links": {
            "self": self_link(emulator, app_id),
            "activate": lifecycle_link(emulator, app_id, "activate"),
        },
    }


@pytest.mark.parametrize("kind", CONSENT_KINDS)
def test_get_unconfigured_oauth_app(emulator: Emulator, client: httpx.Client, kind: AppKind) -> None:
    app_id = emulator.store.add_app(kind)

    response = client.get(connection_path(app_id))

    assert response.status_code == 200
    assert response.json() == {
        "status": "DISABLED",
        "profile": {"authScheme": "OAUTH2"},
        "_links": {
            "self": self_link(emulator, app_id),
            "activate": lifecycle_link(emulator, app_id, "activate"),
        },
    }


def test_get_unknown_app_is_404(client: httpx.Client) -> None:
    response = client.get(connection_path("0oaDoesNotExist12345"))

    assert_error(
        response, 404, "E0000007", "Not found: Resource not found: 0oaDoesNotExist12345 (AppInstance)"
    )


def test_get_unsupported_app_reports_unknown(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.UNSUPPORTED)

    response = client.get(connection_path(app_id))

    assert response.status_code == 200
    assert response.json() == {
        "status": "UNKNOWN",
        "profile": {"authScheme": "UNKNOWN"},
        "_links": {"self": self_link(emulator, app_id)},
    }


def test_post_token_connection(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    body = {
        "baseUrl": "https://target.okta.com",
        "profile": {"authScheme": "TOKEN", "token": "target-org-api-token"},
    }

    response = client.post(connection_path(app_id), json=body)

    assert response.status_code == 200
    assert response.json() == {
        "authScheme": "TOKEN",
        "status": "DISABLED",
        "baseUrl": "https://target.okta.com",
        "profile": {"authScheme": "TOKEN"},
        "_links": {
            "self": self_link(emulator, app_id),
            "activate": lifecycle_link(emulator, app_id, "activate"),
        },
    }
    assert "target-org-api-token" not in response.text
    stored = emulator.store.connection(app_id)
    assert stored.configured is True
    assert stored.auth_scheme == "TOKEN"
    assert stored.base_url == "https://target.okta.com"
    assert stored.profile == {"authScheme": "TOKEN", "token": "target-org-api-token"}
    assert client.get(connection_path(app_id)).json() == response.json()


def test_post_token_without_base_url_omits_it(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ZSCALERBYZ)

    response = client.post(connection_path(app_id), json={"profile": {"authScheme": "TOKEN", "token": "z"}})

    assert response.status_code == 200
    assert "baseUrl" not in response.json()
    assert response.json()["authScheme"] == "TOKEN"


def test_post_org2org_oauth_connection(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    body = {
        "profile": {
            "authScheme": "OAUTH2",
            "clientId": "0oaTargetClient12345",
            "signing": {"rotationMode": "AUTO"},
        }
    }

    response = client.post(connection_path(app_id), json=body)

    assert response.status_code == 200
    assert response.json() == {
        "status": "DISABLED",
        "profile": {"authScheme": "OAUTH2", "signing": {"rotationMode": "AUTO"}},
        "_links": {
            "self": self_link(emulator, app_id),
            "activate": lifecycle_link(emulator, app_id, "activate"),
        },
    }
    assert emulator.store.connection(app_id).profile == body["profile"]


def test_post_oauth_without_signing_omits_it(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = client.post(
        connection_path(app_id), json={"profile": {"authScheme": "OAUTH2", "clientId": "c"}}
    )

    assert response.json()["profile"] == {"authScheme": "OAUTH2"}


def test_post_office365_settings_are_stored_but_never_returned(
    emulator: Emulator, client: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    settings = {"adminUsername": "admin@tenant.example", "adminPassword": "hunter2-office"}

    response = client.post(
        connection_path(app_id), json={"profile": {"authScheme": "OAUTH2", "settings": settings}}
    )

    assert response.status_code == 200
    assert "admin@tenant.example" not in response.text
    assert "hunter2-office" not in response.text
    assert response.json()["profile"] == {"authScheme": "OAUTH2"}
    assert "baseUrl" not in response.json()
    assert "authScheme" not in response.json()
    assert emulator.store.connection(app_id).profile["settings"] == settings
    assert "hunter2-office" not in client.get(connection_path(app_id)).text


@pytest.mark.parametrize("kind", CONSENT_KINDS)
def test_consent_apps_get_an_authorize_link(emulator: Emulator, client: httpx.Client, kind: AppKind) -> None:
    app_id = emulator.store.add_app(kind)

    links = client.post(connection_path(app_id), json={"profile": {"authScheme": "OAUTH2"}}).json()["_links"]

    authorize = links["authorize"]
    assert authorize["hints"] == {"allow": ["GET"]}
    href = urlsplit(authorize["href"])
    assert f"{href.scheme}://{href.netloc}" == emulator.url
    assert href.path == f"/emulator/consent/{kind.value}/{app_id}"
    [state] = parse_qs(href.query)["state"]
    assert len(state) >= 16
    assert state == emulator.store.connection(app_id).consent_state
    assert client.get(connection_path(app_id)).json()["_links"]["authorize"] == authorize


def test_org2org_oauth_has_no_authorize_link(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    links = client.post(connection_path(app_id), json={"profile": {"authScheme": "OAUTH2"}}).json()["_links"]

    assert set(links) == {"self", "activate"}


def test_reposting_the_same_oauth_config_keeps_consent(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.GOOGLE)
    body = {"profile": {"authScheme": "OAUTH2"}}
    first = client.post(connection_path(app_id), json=body).json()["_links"]["authorize"]["href"]
    assert verify_consent(client, "google", app_id, grant_consent(client, app_id)).status_code == 204

    again = client.post(connection_path(app_id), json=body).json()["_links"]["authorize"]["href"]

    assert again == first
    assert emulator.store.connection(app_id).consent_verified is True


def test_changing_the_oauth_config_needs_new_consent(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    first_settings = {"adminUsername": "a", "adminPassword": "1"}
    first = client.post(
        connection_path(app_id), json={"profile": {"authScheme": "OAUTH2", "settings": first_settings}}
    )
    granted, unused = grant_consent(client, app_id), grant_consent(client, app_id)
    assert verify_consent(client, "office365", app_id, granted).status_code == 204
    assert emulator.store.connection(app_id).consent_verified is True

    second_settings = {"adminUsername": "a", "adminPassword": "2"}
    second = client.post(
        connection_path(app_id), json={"profile": {"authScheme": "OAUTH2", "settings": second_settings}}
    )

    assert second.json()["_links"]["authorize"] != first.json()["_links"]["authorize"]
    assert emulator.store.connection(app_id).consent_verified is False
    stale = verify_consent(client, "office365", app_id, unused)
    assert assert_error(stale, 403, "E0000006") == [
        "state: does not match the consent this application awaits"
    ]
    assert_error(client.post(connection_path(app_id, "/lifecycle/activate")), 403, "E0000006")


def test_post_replaces_the_whole_configuration(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    token_body = {"baseUrl": "https://old.example.com", "profile": {"authScheme": "TOKEN", "token": "t"}}
    client.post(connection_path(app_id), json=token_body)

    response = client.post(
        connection_path(app_id), json={"profile": {"authScheme": "OAUTH2", "clientId": "c"}}
    )

    assert response.status_code == 200
    assert "baseUrl" not in response.json()
    stored = emulator.store.connection(app_id)
    assert (stored.auth_scheme, stored.base_url) == ("OAUTH2", None)
    assert stored.profile == {"authScheme": "OAUTH2", "clientId": "c"}


def test_post_to_unsupported_app_stores_nothing(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.UNSUPPORTED)

    response = client.post(
        connection_path(app_id) + "?activate=true",
        json={"baseUrl": "https://x.example.com", "profile": {"authScheme": "TOKEN", "token": "t"}},
    )

    assert response.status_code == 200
    assert response.json() == {
        "status": "UNKNOWN",
        "profile": {"authScheme": "UNKNOWN"},
        "_links": {"self": self_link(emulator, app_id)},
    }
    stored = emulator.store.connection(app_id)
    assert (stored.configured, stored.status, stored.profile) == (False, "UNKNOWN", {})


def test_post_to_unsupported_app_still_checks_the_spec(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.UNSUPPORTED)

    response = client.post(connection_path(app_id), json={"profile": {"authScheme": "BASIC"}})

    assert_error(response, 400, "E0000001")


def test_post_to_unknown_app_is_404(client: httpx.Client) -> None:
    response = client.post(connection_path("0oaGone"), json={"profile": {"authScheme": "TOKEN"}})

    assert_error(response, 404, "E0000007", "Not found: Resource not found: 0oaGone (AppInstance)")


def test_deleted_app_answers_404(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.delete_app(app_id)

    assert_error(client.get(connection_path(app_id)), 404, "E0000007")


def test_unknown_path_is_404_resource(client: httpx.Client) -> None:
    response = client.get("/api/v1/apps/0oa1/connections/other?x=1")

    assert_error(
        response,
        404,
        "E0000007",
        "Not found: Resource not found: /api/v1/apps/0oa1/connections/other (Resource)",
    )


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(emulator: Emulator, client: httpx.Client, method: str) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = client.request(method, connection_path(app_id))

    assert_error(response, 405, "E0000022", "The endpoint does not support the provided HTTP method")
    assert response.headers["Allow"] == "GET, POST"


def test_out_of_band_status_change_is_visible(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ZSCALERBYZ)
    client.post(connection_path(app_id) + "?activate=true", json={"profile": {"authScheme": "TOKEN"}})

    emulator.store.set_status(app_id, "DISABLED")

    body = client.get(connection_path(app_id)).json()
    assert body["status"] == "DISABLED"
    assert set(body["_links"]) == {"self", "activate"}
