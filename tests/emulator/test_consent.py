"""The OAuth consent flow as Okta runs it: codes issued by the authorize link, accepted once."""

from __future__ import annotations

import httpx
import pytest

from okta_emulator import AppKind, Emulator

from .helpers import assert_error, connection_path, grant_consent, verify_consent

OAUTH = {"profile": {"authScheme": "OAUTH2"}}
CONSENT_KINDS = [AppKind.OFFICE365, AppKind.GOOGLE, AppKind.SLACK, AppKind.ZOOMUS]
NOT_AWAITED = "state: does not match the consent this application awaits"
NOT_ISSUED = "code: was not issued for this consent, or was already used"


def configured(emulator: Emulator, client: httpx.Client, kind: AppKind = AppKind.OFFICE365) -> str:
    app_id = emulator.store.add_app(kind)
    assert client.post(connection_path(app_id), json=OAUTH).status_code == 200
    return app_id


def activate(client: httpx.Client, app_id: str) -> httpx.Response:
    return client.post(connection_path(app_id, "/lifecycle/activate"))


def test_a_code_never_issued_is_refused(emulator: Emulator, client: httpx.Client) -> None:
    app_id = configured(emulator, client)
    state = emulator.store.connection(app_id).consent_state
    assert state is not None

    refused = verify_consent(client, "office365", app_id, {"code": "badcode", "state": state})
    wrong_state = verify_consent(client, "office365", app_id, {"code": "badcode", "state": "x"})

    assert assert_error(refused, 403, "E0000006") == [NOT_ISSUED]
    assert assert_error(wrong_state, 403, "E0000006") == [NOT_AWAITED]
    assert emulator.store.connection(app_id).consent_verified is False


def test_a_code_works_once(emulator: Emulator, client: httpx.Client) -> None:
    app_id = configured(emulator, client, AppKind.GOOGLE)
    granted = grant_consent(client, app_id)

    first = verify_consent(client, "google", app_id, granted)
    again = verify_consent(client, "google", app_id, granted)

    assert first.status_code == 204
    assert assert_error(again, 403, "E0000006") == [NOT_ISSUED]
    assert emulator.store.connection(app_id).consent_verified is True


def test_a_code_needs_the_state_it_was_issued_with(emulator: Emulator, client: httpx.Client) -> None:
    app_id = configured(emulator, client, AppKind.SLACK)
    granted = grant_consent(client, app_id)
    for_another_state = client.get(f"/emulator/consent/slack/{app_id}", params={"state": "forged"}).json()

    swapped = verify_consent(
        client, "slack", app_id, {"code": for_another_state["code"], "state": granted["state"]}
    )
    without_state = verify_consent(client, "slack", app_id, {"code": granted["code"]})
    accepted = verify_consent(client, "slack", app_id, granted)

    assert assert_error(swapped, 403, "E0000006") == [NOT_ISSUED]
    assert assert_error(without_state, 403, "E0000006") == [NOT_AWAITED]
    assert accepted.status_code == 204, "a refused state spends nothing"


def test_every_opening_of_the_link_issues_its_own_code(emulator: Emulator, client: httpx.Client) -> None:
    app_id = configured(emulator, client, AppKind.ZOOMUS)
    first, second = grant_consent(client, app_id), grant_consent(client, app_id)

    assert first["state"] == second["state"] == emulator.store.connection(app_id).consent_state
    assert first["code"] != second["code"]
    assert verify_consent(client, "zoomus", app_id, second).status_code == 204
    assert verify_consent(client, "zoomus", app_id, first).status_code == 204, "consent may be given again"


def test_the_consent_page_needs_a_state(emulator: Emulator, anonymous: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.GOOGLE)

    response = anonymous.get(f"/emulator/consent/google/{app_id}")

    assert assert_error(response, 400, "E0000001", "Api validation failed: consent") == ["state: required"]


def test_no_consent_is_awaited_before_the_connection_is_configured(
    emulator: Emulator, client: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.GOOGLE)
    granted = client.get(f"/emulator/consent/google/{app_id}", params={"state": "guess"}).json()

    assert assert_error(verify_consent(client, "google", app_id, granted), 403, "E0000006") == [NOT_AWAITED]
    assert emulator.store.connection(app_id).consent_verified is False


@pytest.mark.parametrize("kind", CONSENT_KINDS)
def test_activate_in_the_post_does_not_enable_before_consent(
    emulator: Emulator, client: httpx.Client, kind: AppKind
) -> None:
    app_id = emulator.store.add_app(kind)

    response = client.post(connection_path(app_id), params={"activate": "true"}, json=OAUTH)

    assert response.status_code == 200
    assert response.json()["status"] == "DISABLED"
    assert set(response.json()["_links"]) == {"self", "activate", "authorize"}
    connection = emulator.store.connection(app_id)
    assert (connection.configured, connection.status) == (True, "DISABLED")


@pytest.mark.parametrize("kind", CONSENT_KINDS)
def test_the_lifecycle_activate_is_refused_before_consent(
    emulator: Emulator, client: httpx.Client, kind: AppKind
) -> None:
    never_configured = emulator.store.add_app(kind)
    app_id = configured(emulator, client, kind)

    for refused in (activate(client, never_configured), activate(client, app_id)):
        [cause] = assert_error(refused, 403, "E0000006")
        assert cause.startswith("connection: the administrator's OAuth 2.0 consent has not been verified")
    assert emulator.store.connection(app_id).status == "DISABLED"
    assert emulator.store.connection(never_configured).status == "DISABLED"


def test_consent_then_activation_enables(emulator: Emulator, client: httpx.Client) -> None:
    app_id = configured(emulator, client, AppKind.GOOGLE)
    assert verify_consent(client, "google", app_id, grant_consent(client, app_id)).status_code == 204

    in_post = client.post(connection_path(app_id), params={"activate": "true"}, json=OAUTH)
    deactivated = client.post(connection_path(app_id, "/lifecycle/deactivate"))
    activated = activate(client, app_id)

    assert in_post.json()["status"] == "ENABLED"
    assert (deactivated.status_code, activated.status_code) == (204, 204)
    assert emulator.store.connection(app_id).status == "ENABLED"


def test_issued_codes_are_void_once_the_configuration_changes(
    emulator: Emulator, client: httpx.Client
) -> None:
    app_id = configured(emulator, client)
    granted = grant_consent(client, app_id)
    settings = {"adminUsername": "a", "adminPassword": "changed"}
    client.post(connection_path(app_id), json={"profile": {"authScheme": "OAUTH2", "settings": settings}})
    new_state = emulator.store.connection(app_id).consent_state

    refused = verify_consent(client, "office365", app_id, {"code": granted["code"], "state": str(new_state)})

    assert assert_error(refused, 403, "E0000006") == [NOT_ISSUED]
