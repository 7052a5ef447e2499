"""Validation of the update POST: malformed JSON, the spec's schemas and per-app rules."""

from __future__ import annotations

import json

import httpx
import pytest

from okta_emulator import AppKind, Emulator

from .helpers import assert_error, assert_validation_error, connection_path

OAUTH = {"authScheme": "OAUTH2"}
TOKEN = {"authScheme": "TOKEN"}

CASES: list[tuple[str, AppKind, object, str]] = [
    ("not-object", AppKind.ORG2ORG, ["profile"], "connection: must be a JSON object"),
    ("string-body", AppKind.ORG2ORG, "TOKEN", "connection: must be a JSON object"),
    ("null-body", AppKind.ORG2ORG, None, "connection: must not be null"),
    ("no-profile", AppKind.ORG2ORG, {"baseUrl": "https://x"}, "profile: required"),
    ("profile-not-object", AppKind.ORG2ORG, {"profile": "TOKEN"}, "profile: must be an object"),
    ("profile-null", AppKind.ORG2ORG, {"profile": None}, "profile: must not be null"),
    ("no-scheme", AppKind.ORG2ORG, {"profile": {"token": "t"}}, "profile.authScheme: required"),
    (
        "scheme-null",
        AppKind.ORG2ORG,
        {"profile": {"authScheme": None}},
        "profile.authScheme: must not be null",
    ),
    (
        "scheme-oauth-typo",
        AppKind.ORG2ORG,
        {"profile": {"authScheme": "OAUTH"}},
        "profile.authScheme: must be one of TOKEN, OAUTH2",
    ),
    (
        "scheme-unknown",
        AppKind.ORG2ORG,
        {"profile": {"authScheme": "UNKNOWN"}},
        "profile.authScheme: must be one of TOKEN, OAUTH2",
    ),
    (
        "scheme-not-string",
        AppKind.ORG2ORG,
        {"profile": {"authScheme": 2}},
        "profile.authScheme: must be one of TOKEN, OAUTH2",
    ),
    (
        "token-base-url-null",
        AppKind.ORG2ORG,
        {"baseUrl": None, "profile": TOKEN},
        "baseUrl: must not be null",
    ),
    ("token-base-url-type", AppKind.ORG2ORG, {"baseUrl": 443, "profile": TOKEN}, "baseUrl: must be a string"),
    (
        "token-token-null",
        AppKind.ORG2ORG,
        {"profile": {**TOKEN, "token": None}},
        "profile.token: must not be null",
    ),
    (
        "token-token-type",
        AppKind.ORG2ORG,
        {"profile": {**TOKEN, "token": 1}},
        "profile.token: must be a string",
    ),
    ("token-extra-top", AppKind.ORG2ORG, {"profile": TOKEN, "status": "x"}, "status: unknown property"),
    (
        "token-extra-profile",
        AppKind.ORG2ORG,
        {"profile": {**TOKEN, "password": "p"}},
        "profile.password: unknown property",
    ),
    (
        "token-client-id",
        AppKind.ORG2ORG,
        {"profile": {**TOKEN, "clientId": "0oa1"}},
        "profile.clientId: not allowed with authScheme TOKEN",
    ),
    (
        "token-signing",
        AppKind.ORG2ORG,
        {"profile": {**TOKEN, "signing": {"rotationMode": "AUTO"}}},
        "profile.signing: not allowed with authScheme TOKEN",
    ),
    (
        "token-settings",
        AppKind.ORG2ORG,
        {"profile": {**TOKEN, "settings": {}}},
        "profile.settings: not allowed with authScheme TOKEN",
    ),
    (
        "oauth-base-url",
        AppKind.ORG2ORG,
        {"baseUrl": "https://x", "profile": OAUTH},
        "baseUrl: not allowed with authScheme OAUTH2",
    ),
    (
        "oauth-token",
        AppKind.ORG2ORG,
        {"profile": {**OAUTH, "token": "t"}},
        "profile.token: not allowed with authScheme OAUTH2",
    ),
    ("oauth-extra-top", AppKind.ORG2ORG, {"profile": OAUTH, "scope": "x"}, "scope: unknown property"),
    (
        "oauth-extra-profile",
        AppKind.ORG2ORG,
        {"profile": {**OAUTH, "clientSecret": "s"}},
        "profile.clientSecret: unknown property",
    ),
    (
        "oauth-client-id-type",
        AppKind.ORG2ORG,
        {"profile": {**OAUTH, "clientId": 7}},
        "profile.clientId: must be a string",
    ),
    (
        "oauth-client-id-null",
        AppKind.ORG2ORG,
        {"profile": {**OAUTH, "clientId": None}},
        "profile.clientId: must not be null",
    ),
    (
        "signing-type",
        AppKind.ORG2ORG,
        {"profile": {**OAUTH, "signing": "AUTO"}},
        "profile.signing: must be an object",
    ),
    (
        "signing-empty",
        AppKind.ORG2ORG,
        {"profile": {**OAUTH, "signing": {}}},
        "profile.signing.rotationMode: required",
    ),
    (
        "signing-mode",
        AppKind.ORG2ORG,
        {"profile": {**OAUTH, "signing": {"rotationMode": "WEEKLY"}}},
        "profile.signing.rotationMode: must be one of AUTO, MANUAL",
    ),
    (
        "signing-mode-null",
        AppKind.ORG2ORG,
        {"profile": {**OAUTH, "signing": {"rotationMode": None}}},
        "profile.signing.rotationMode: must not be null",
    ),
    (
        "signing-extra",
        AppKind.ORG2ORG,
        {"profile": {**OAUTH, "signing": {"rotationMode": "AUTO", "kid": "k"}}},
        "profile.signing.kid: unknown property",
    ),
    (
        "settings-type",
        AppKind.OFFICE365,
        {"profile": {**OAUTH, "settings": ["u", "p"]}},
        "profile.settings: must be an object",
    ),
    (
        "settings-no-username",
        AppKind.OFFICE365,
        {"profile": {**OAUTH, "settings": {"adminPassword": "p"}}},
        "profile.settings.adminUsername: required",
    ),
    (
        "settings-no-password",
        AppKind.OFFICE365,
        {"profile": {**OAUTH, "settings": {"adminUsername": "u"}}},
        "profile.settings.adminPassword: required",
    ),
    (
        "settings-password-type",
        AppKind.OFFICE365,
        {"profile": {**OAUTH, "settings": {"adminUsername": "u", "adminPassword": 1234}}},
        "profile.settings.adminPassword: must be a string",
    ),
    (
        "settings-password-null",
        AppKind.OFFICE365,
        {"profile": {**OAUTH, "settings": {"adminUsername": "u", "adminPassword": None}}},
        "profile.settings.adminPassword: must not be null",
    ),
    (
        "settings-extra",
        AppKind.OFFICE365,
        {"profile": {**OAUTH, "settings": {"adminUsername": "u", "adminPassword": "p", "tenant": "t"}}},
        "profile.settings.tenant: unknown property",
    ),
    (
        "kind-token-on-office365",
        AppKind.OFFICE365,
        {"profile": {**TOKEN, "token": "t"}},
        "profile.authScheme: TOKEN is not supported by this application",
    ),
    (
        "kind-token-on-google",
        AppKind.GOOGLE,
        {"profile": TOKEN},
        "profile.authScheme: TOKEN is not supported by this application",
    ),
    (
        "kind-oauth-on-zscaler",
        AppKind.ZSCALERBYZ,
        {"profile": OAUTH},
        "profile.authScheme: OAUTH2 is not supported by this application",
    ),
]


@pytest.mark.parametrize(
    ("kind", "body", "cause"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_invalid_body_is_rejected_with_its_cause(
    emulator: Emulator, client: httpx.Client, kind: AppKind, body: object, cause: str
) -> None:
    app_id = emulator.store.add_app(kind)

    response = client.post(connection_path(app_id), content=json.dumps(body))

    assert cause in assert_validation_error(response)
    assert emulator.store.connection(app_id).configured is False


def test_every_problem_is_its_own_cause(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.GOOGLE)
    body = {
        "baseUrl": "https://x",
        "extra": None,
        "profile": {
            "authScheme": "OAUTH2",
            "clientId": None,
            "signing": {"rotationMode": "SOMETIMES"},
            "settings": {"adminUsername": "u"},
        },
    }

    causes = assert_validation_error(client.post(connection_path(app_id), json=body))

    assert sorted(causes) == sorted(
        [
            "extra: must not be null",
            "profile.clientId: must not be null",
            "baseUrl: not allowed with authScheme OAUTH2",
            "profile.signing.rotationMode: must be one of AUTO, MANUAL",
            "profile.settings.adminPassword: required",
        ]
    )


def test_nulls_nested_in_unknown_fields_are_reported(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    body = {"profile": {"authScheme": "TOKEN"}, "meta": {"tags": [None]}}

    causes = assert_validation_error(client.post(connection_path(app_id), json=body))

    assert sorted(causes) == ["meta.tags[0]: must not be null", "meta: unknown property"]


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_activate_must_be_a_boolean(emulator: Emulator, client: httpx.Client, value: str) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = client.post(connection_path(app_id), params={"activate": value}, json={"profile": TOKEN})

    assert assert_validation_error(response) == ["activate: must be true or false"]


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b'{"profile": }', b"{'profile': {}}", b'{"baseUrl": NaN, "profile": {}}', b"\xff\xfe{}"],
    ids=["empty", "truncated", "missing-value", "single-quotes", "nan", "not-utf8"],
)
def test_malformed_json_is_e0000003(emulator: Emulator, client: httpx.Client, content: bytes) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = client.post(
        connection_path(app_id), content=content, headers={"Content-Type": "application/json"}
    )

    assert assert_error(response, 400, "E0000003", "The request body was not well-formed.") == []


def test_valid_bodies_are_accepted(emulator: Emulator, client: httpx.Client) -> None:
    bodies: list[tuple[AppKind, dict[str, object]]] = [
        (AppKind.ORG2ORG, {"profile": TOKEN}),
        (AppKind.ORG2ORG, {"baseUrl": "https://t.okta.com", "profile": {**TOKEN, "token": "t"}}),
        (AppKind.ORG2ORG, {"profile": {**OAUTH, "clientId": "c", "signing": {"rotationMode": "MANUAL"}}}),
        (AppKind.ZSCALERBYZ, {"baseUrl": "https://scim.example.com", "profile": {**TOKEN, "token": "t"}}),
        (AppKind.OFFICE365, {"profile": {**OAUTH, "settings": {"adminUsername": "u", "adminPassword": "p"}}}),
        (AppKind.OFFICE365, {"profile": OAUTH}),
        (AppKind.GOOGLE, {"profile": OAUTH}),
        (AppKind.SLACK, {"profile": OAUTH}),
        (AppKind.ZOOMUS, {"profile": OAUTH}),
    ]
    for kind, body in bodies:
        app_id = emulator.store.add_app(kind)
        response = client.post(connection_path(app_id), json=body)
        assert response.status_code == 200, (kind, body, response.text)
        assert emulator.store.connection(app_id).profile == body["profile"]


@pytest.mark.parametrize(
    ("kind", "profile"),
    [
        (AppKind.SLACK, {**OAUTH, "clientId": "0oa1"}),
        (AppKind.ZOOMUS, {**OAUTH, "signing": {"rotationMode": "MANUAL"}}),
        (
            AppKind.ORG2ORG,
            {**OAUTH, "clientId": "c", "settings": {"adminUsername": "u", "adminPassword": "p"}},
        ),
    ],
    ids=["client-id-on-slack", "signing-on-zoomus", "settings-on-org2org"],
)
def test_fields_another_kind_uses_are_accepted(
    emulator: Emulator, client: httpx.Client, kind: AppKind, profile: dict[str, object]
) -> None:
    app_id = emulator.store.add_app(kind)
    response = client.post(connection_path(app_id), json={"profile": profile})
    assert response.status_code == 200, response.text
    assert emulator.store.connection(app_id).profile == profile
