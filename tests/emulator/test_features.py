"""The Application Features endpoints: answers checked against Okta's spec extract."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from okta_emulator import AppKind, Emulator

from . import openapi
from .helpers import assert_error

SPEC = "okta-app-features.openapi.yaml"
ONE = "/api/v1/apps/{appId}/features/{featureName}"
LIST = "/api/v1/apps/{appId}/features"
PROVISIONED = [kind for kind in AppKind if kind is not AppKind.UNSUPPORTED]
# Admin writes as the tests of the admin API send them.
ADMIN_HEADERS = {"Content-Type": "application/json"}

INBOUND_BODY: dict[str, Any] = {
    "importSettings": {
        "username": {"userNameFormat": "CUSTOM", "userNameExpression": "source.login"},
        "schedule": {
            "status": "ENABLED",
            "fullImport": {"expression": "00 21 * * Mon", "timeZone": "Europe/Paris"},
            "incrementalImport": None,
        },
    },
    "importRules": {"userCreateAndMatch": {"exactMatchCriteria": "EMAIL", "autoActivateNewUsers": True}},
}


def spec_form(value: Any) -> Any:
    """An answer with Okta's two recorded departures from its spec undone, so that the rest can be
    checked against the spec: the wire's `userNameFormat` is the spec's `usernameFormat`, and a
    schedule that is not set is `null` where the spec has no such value (reference, section 1)."""
    if isinstance(value, list):
        return [spec_form(item) for item in value]
    if not isinstance(value, dict):
        return value
    renamed = {"userNameFormat": "usernameFormat"}
    return {renamed.get(key, key): spec_form(item) for key, item in value.items() if item is not None}


def assert_valid(body: Any, path: str, method: str) -> None:
    spec = openapi.load(SPEC)
    schema = openapi.response_schema(spec, path, method, "200")
    assert openapi.problems(spec, schema, spec_form(body)) == []


def feature_path(app_id: str, name: str = "") -> str:
    return f"/api/v1/apps/{app_id}/features" + (f"/{name}" if name else "")


def enabled_app(emulator: Emulator, kind: AppKind = AppKind.ORG2ORG) -> str:
    app_id = emulator.store.add_app(kind)
    emulator.store.set_status(app_id, "ENABLED")
    return app_id


def test_the_validator_catches_what_the_spec_forbids() -> None:
    spec = openapi.load(SPEC)
    schema = openapi.response_schema(spec, ONE, "get", "200")
    good = {"name": "USER_PROVISIONING", "capabilities": {"update": {"password": {"seed": "OKTA"}}}}
    assert openapi.problems(spec, schema, good) == []
    bad = copy.deepcopy(good)
    bad["capabilities"]["update"]["password"]["seed"] = "CYCLE"
    assert openapi.problems(spec, schema, bad) == [
        "$.capabilities.update.password.seed: 'CYCLE' is not one of ['OKTA', 'RANDOM']"
    ]
    inbound = {"name": "INBOUND_PROVISIONING", "capabilities": {"importRules": {}}}
    assert openapi.problems(spec, schema, inbound) == ["$.capabilities.importSettings: required"]


@pytest.mark.parametrize("kind", PROVISIONED)
def test_list_shows_the_features_each_kind_supports(
    emulator: Emulator, client: httpx.Client, kind: AppKind
) -> None:
    app_id = enabled_app(emulator, kind)

    response = client.get(feature_path(app_id))

    assert response.status_code == 200
    body = response.json()
    assert_valid(body, LIST, "get")
    names = [feature["name"] for feature in body]
    expected = (
        ["USER_PROVISIONING"] if kind is AppKind.ZSCALERBYZ else ["USER_PROVISIONING", "INBOUND_PROVISIONING"]
    )
    assert names == expected


def test_defaults_are_okta_s(emulator: Emulator, client: httpx.Client) -> None:
    app_id = enabled_app(emulator)

    user = client.get(feature_path(app_id, "USER_PROVISIONING")).json()
    inbound = client.get(feature_path(app_id, "INBOUND_PROVISIONING")).json()

    assert_valid(user, ONE, "get")
    assert_valid(inbound, ONE, "get")
    assert user == {
        "name": "USER_PROVISIONING",
        "status": "ENABLED",
        "description": "User provisioning settings from Okta to a downstream application",
        "capabilities": {
            "create": {"lifecycleCreate": {"status": "DISABLED"}},
            "update": {
                "profile": {"status": "DISABLED"},
                "lifecycleDeactivate": {"status": "DISABLED"},
                "password": {"status": "DISABLED", "seed": "RANDOM", "change": "KEEP_EXISTING"},
            },
        },
        "_links": {
            "self": {
                "href": f"{emulator.url}/api/v1/apps/{app_id}/features/USER_PROVISIONING",
                "hints": {"allow": ["GET", "PUT"]},
            }
        },
    }
    # The wire spelling and the null schedules of the recorded answer.
    assert inbound["capabilities"]["importSettings"] == {
        "username": {"userNameFormat": "EMAIL"},
        "schedule": {"status": "DISABLED", "fullImport": None, "incrementalImport": None},
    }


def test_put_user_provisioning_changes_what_it_carries(emulator: Emulator, client: httpx.Client) -> None:
    app_id = enabled_app(emulator)
    path = feature_path(app_id, "USER_PROVISIONING")

    first = client.put(path, json={"update": {"password": {"status": "ENABLED", "seed": "OKTA"}}})
    second = client.put(path, json={"create": {"lifecycleCreate": {"status": "ENABLED"}}})

    assert first.status_code == second.status_code == 200
    assert_valid(second.json(), ONE, "put")
    capabilities = client.get(path).json()["capabilities"]
    assert capabilities["create"] == {"lifecycleCreate": {"status": "ENABLED"}}
    assert capabilities["update"]["password"] == {
        "status": "ENABLED",
        "seed": "OKTA",
        "change": "KEEP_EXISTING",
    }
    assert capabilities["update"]["profile"] == {"status": "DISABLED"}


def test_put_inbound_provisioning_accepts_both_spellings(emulator: Emulator, client: httpx.Client) -> None:
    app_id = enabled_app(emulator)
    path = feature_path(app_id, "INBOUND_PROVISIONING")

    response = client.put(path, json=INBOUND_BODY)

    assert response.status_code == 200, response.text
    body = response.json()
    assert_valid(body, ONE, "put")
    settings = body["capabilities"]["importSettings"]
    assert settings["username"] == {"userNameFormat": "CUSTOM", "userNameExpression": "source.login"}
    assert settings["schedule"]["fullImport"] == {"expression": "00 21 * * Mon", "timezone": "Europe/Paris"}
    assert body["capabilities"]["importRules"]["userCreateAndMatch"]["exactMatchCriteria"] == "EMAIL"
    assert body["capabilities"]["importRules"]["userCreateAndMatch"]["allowPartialMatch"] is True

    spec_spelling = copy.deepcopy(INBOUND_BODY)
    spec_spelling["importSettings"]["username"] = {"usernameFormat": "EMAIL"}
    spec_spelling["importSettings"]["schedule"]["fullImport"] = None
    again = client.put(path, json=spec_spelling).json()["capabilities"]["importSettings"]
    assert again["username"] == {"userNameFormat": "EMAIL"}  # an EMAIL format has no expression
    assert again["schedule"]["fullImport"] is None


@pytest.mark.parametrize(
    ("name", "body", "causes"),
    [
        (
            "USER_PROVISIONING",
            {"update": {"password": {"seed": "CYCLE", "change": "CYCLE"}}, "extra": 1},
            [
                "USER_PROVISIONING.update.password.seed: must be one of OKTA, RANDOM",
                "USER_PROVISIONING.update.password.change: must be one of CHANGE, KEEP_EXISTING",
                "USER_PROVISIONING.extra: unknown property",
            ],
        ),
        (
            "INBOUND_PROVISIONING",
            {"importRules": {}},
            ["INBOUND_PROVISIONING.importSettings: required"],
        ),
        (
            "INBOUND_PROVISIONING",
            {"create": {}, "importSettings": {}, "importRules": {}},
            ["INBOUND_PROVISIONING.create: unknown property"],
        ),
        (
            "INBOUND_PROVISIONING",
            {
                "importSettings": {
                    "username": {"userNameFormat": "CUSTOM"},
                    "schedule": {"fullImport": {"timezone": ""}},
                },
                "importRules": {
                    "userCreateAndMatch": {"exactMatchCriteria": "ID", "allowPartialMatch": "yes"}
                },
            },
            [
                "INBOUND_PROVISIONING.importSettings.username.userNameExpression: "
                "required when usernameFormat is CUSTOM",
                "INBOUND_PROVISIONING.importSettings.schedule.fullImport.expression: required",
                "INBOUND_PROVISIONING.importSettings.schedule.fullImport.timezone: "
                "must be a string of 1 to 64 characters",
                "INBOUND_PROVISIONING.importRules.userCreateAndMatch.exactMatchCriteria: "
                "must be one of EMAIL, USERNAME",
                "INBOUND_PROVISIONING.importRules.userCreateAndMatch.allowPartialMatch: must be a boolean",
            ],
        ),
        ("USER_PROVISIONING", [], ["USER_PROVISIONING: must be an object"]),
    ],
)
def test_put_validation_errors_name_each_cause(
    emulator: Emulator, client: httpx.Client, name: str, body: object, causes: list[str]
) -> None:
    app_id = enabled_app(emulator)

    response = client.put(feature_path(app_id, name), json=body)

    assert assert_error(response, 400, "E0000001", "Api validation failed: feature") == causes
    assert (
        client.get(feature_path(app_id, name)).json()["capabilities"]
        == (client.get(feature_path(enabled_app(emulator), name)).json()["capabilities"])
    )


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("GET", "USER_PROVISIONING"), ("PUT", "USER_PROVISIONING")],
)
def test_a_connection_not_enabled_is_a_400(
    emulator: Emulator, client: httpx.Client, method: str, suffix: str
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = client.request(method, feature_path(app_id, suffix), json={} if method == "PUT" else None)

    causes = assert_error(response, 400, "E0000001", "Api validation failed: feature")
    assert causes == ["Provisioning is not enabled for the app instance."]
    spec = openapi.load(SPEC)
    assert openapi.problems(spec, openapi.response_schema(spec, LIST, "get", "400"), response.json()) == []


def test_unknown_app_and_unsupported_feature_are_404(emulator: Emulator, client: httpx.Client) -> None:
    zscaler = enabled_app(emulator, AppKind.ZSCALERBYZ)

    unknown_app = client.get(feature_path("0oaNoSuchApp000000000", "USER_PROVISIONING"))
    assert_error(unknown_app, 404, "E0000007")
    spec = openapi.load(SPEC)
    assert openapi.problems(spec, openapi.response_schema(spec, ONE, "get", "404"), unknown_app.json()) == []
    assert_error(client.get(feature_path(zscaler, "INBOUND_PROVISIONING")), 404, "E0000007")
    assert_error(client.put(feature_path(zscaler, "OTHER"), json={}), 404, "E0000007")
    assert_error(client.delete(feature_path(zscaler, "USER_PROVISIONING")), 405, "E0000022")


def test_settings_survive_deactivation_and_go_with_the_app(emulator: Emulator, client: httpx.Client) -> None:
    app_id = enabled_app(emulator)
    path = feature_path(app_id, "USER_PROVISIONING")
    client.put(path, json={"update": {"profile": {"status": "ENABLED"}}})

    emulator.store.set_status(app_id, "DISABLED")
    emulator.store.set_status(app_id, "ENABLED")
    assert client.get(path).json()["capabilities"]["update"]["profile"] == {"status": "ENABLED"}

    emulator.store.delete_app(app_id)
    emulator.store.add_app(AppKind.ORG2ORG, app_id)
    emulator.store.set_status(app_id, "ENABLED")
    assert client.get(path).json()["capabilities"]["update"]["profile"] == {"status": "DISABLED"}


def test_admin_api_changes_a_feature_behind_terraform_s_back(
    emulator: Emulator, client: httpx.Client, anonymous: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)  # not enabled: the admin API works anyway
    admin_path = f"/emulator/apps/{app_id}/features/USER_PROVISIONING"

    changed = anonymous.put(
        admin_path, content=b'{"update": {"profile": {"status": "ENABLED"}}}', headers=ADMIN_HEADERS
    )
    refused = anonymous.put(
        admin_path, content=b'{"update": {"profile": {"status": "ON"}}}', headers=ADMIN_HEADERS
    )

    assert changed.status_code == 200
    assert changed.json()["capabilities"]["update"]["profile"] == {"status": "ENABLED"}
    assert_error(refused, 400, "E0000001")
    assert anonymous.get(admin_path).json()["capabilities"]["update"]["profile"] == {"status": "ENABLED"}
    emulator.store.set_status(app_id, "ENABLED")
    assert client.get(feature_path(app_id, "USER_PROVISIONING")).json() == anonymous.get(admin_path).json()
