"""OAuth 2.0 service apps: `/oauth2/v1/token` with private_key_jwt, and access tokens on the API."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from okta_emulator import AppKind, Emulator
from okta_emulator.store import Store

from .helpers import assert_error, connection_path, http_client
from .jwt_helpers import (
    ALL_SCOPES,
    CLIENT_ASSERTION_TYPE,
    client_assertion,
    new_ec_key,
    new_rsa_key,
    private_pem_pkcs8,
    public_pem,
    request_token,
    token_form,
)

RSA_CLIENT = "0oaRsaServiceApp"
EC_CLIENT = "0oaEcServiceApp"
KEY_ID = "rsa-key-1"


@pytest.fixture
def oauth_emulator(
    emulator: Emulator, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> Emulator:
    """The emulator with an RSA service app (with a key id) and an EC one (without)."""
    emulator.store.add_service_app(
        RSA_CLIENT, public_pem(rsa_key), ["okta.apps.read", "okta.apps.manage"], KEY_ID
    )
    emulator.store.add_service_app(EC_CLIENT, public_pem(ec_key), ["okta.apps.read"])
    return emulator


def token_url(emulator: Emulator) -> str:
    return f"{emulator.url}/oauth2/v1/token"


def get_token(emulator: Emulator, http: httpx.Client, key: rsa.RSAPrivateKey, scope: str = ALL_SCOPES) -> str:
    assertion = client_assertion(key, RSA_CLIENT, token_url(emulator), kid=KEY_ID)
    response = request_token(http, token_form(assertion, scope))
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert isinstance(token, str)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_rsa_pkcs8_service_app_gets_a_bearer_token(
    oauth_emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    pkcs8 = private_pem_pkcs8(rsa_key)
    assert pkcs8.startswith(b"-----BEGIN PRIVATE KEY-----")
    assertion = client_assertion(pkcs8, RSA_CLIENT, token_url(oauth_emulator), kid=KEY_ID)

    response = request_token(anonymous, token_form(assertion))

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == ALL_SCOPES
    assert len(body["access_token"]) >= 32
    assert response.headers["Cache-Control"] == "no-store"
    assert oauth_emulator.store.tokens_issued == 1


def test_ec_service_app_gets_a_token(
    oauth_emulator: Emulator, anonymous: httpx.Client, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    assertion = client_assertion(ec_key, EC_CLIENT, token_url(oauth_emulator))

    response = request_token(anonymous, token_form(assertion, "okta.apps.read"), None)

    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "okta.apps.read"
    assert response.json()["token_type"] == "Bearer"


def test_token_lifetime_is_configurable(rsa_key: rsa.RSAPrivateKey) -> None:
    with Emulator(api_token="t", token_ttl_seconds=120) as emu, http_client(emu.url, token=None) as http:
        emu.store.add_service_app(RSA_CLIENT, public_pem(rsa_key), ["okta.apps.read"])
        assertion = client_assertion(rsa_key, RSA_CLIENT, token_url(emu))
        response = request_token(http, token_form(assertion, "okta.apps.read"))

    assert response.json()["expires_in"] == 120


def test_two_tokens_are_different(
    oauth_emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    first = get_token(oauth_emulator, anonymous, rsa_key)
    second = get_token(oauth_emulator, anonymous, rsa_key)

    assert first != second
    assert oauth_emulator.store.tokens_issued == 2
    assert oauth_emulator.store.issued_token_values() == [first, second]


AssertionFactory = Callable[[str, rsa.RSAPrivateKey], str]


@pytest.mark.parametrize(
    ("make", "description"),
    [
        pytest.param(
            lambda url, key: client_assertion(new_rsa_key(), RSA_CLIENT, url, kid=KEY_ID),
            "The client_assertion's signature is invalid.",
            id="bad-signature",
        ),
        pytest.param(
            lambda url, key: client_assertion(
                key, RSA_CLIENT, "https://example.okta.com/oauth2/v1/token", kid=KEY_ID
            ),
            "The client_assertion's aud must be ",
            id="wrong-aud",
        ),
        pytest.param(
            lambda url, key: client_assertion(
                key, RSA_CLIENT, url, kid=KEY_ID, issued_at=int(time.time()) - 600
            ),
            "The client_assertion has expired.",
            id="expired",
        ),
        pytest.param(
            lambda url, key: client_assertion(key, RSA_CLIENT, url, kid=KEY_ID, lifetime=3601),
            "The client_assertion's exp is more than one hour after its iat.",
            id="exp-too-far",
        ),
        pytest.param(
            lambda url, key: client_assertion(key, RSA_CLIENT, url, kid="other-key"),
            "The client_assertion's kid does not match the client's key.",
            id="wrong-kid",
        ),
        pytest.param(
            lambda url, key: client_assertion(key, RSA_CLIENT, url),
            "The client_assertion's kid does not match the client's key.",
            id="missing-kid",
        ),
        pytest.param(
            lambda url, key: client_assertion(key, "0oaUnregistered", url, kid=KEY_ID),
            "The client_assertion's iss is not the client_id of a registered client.",
            id="unregistered-client",
        ),
        pytest.param(
            lambda url, key: client_assertion(key, RSA_CLIENT, url, kid=KEY_ID, sub="0oaSomeoneElse"),
            "The client_assertion's sub must equal its iss.",
            id="sub-not-iss",
        ),
        pytest.param(
            lambda url, key: client_assertion(key, RSA_CLIENT, url, kid=KEY_ID, without=("jti",)),
            "The client_assertion has no jti claim.",
            id="no-jti",
        ),
        pytest.param(
            lambda url, key: client_assertion(
                key, RSA_CLIENT, url, kid=KEY_ID, issued_at=int(time.time()) + 600, lifetime=60
            ),
            "The client_assertion's iat is in the future.",
            id="iat-in-future",
        ),
        pytest.param(
            lambda url, key: client_assertion(
                b"shared-secret-of-at-least-32-bytes!!", RSA_CLIENT, url, kid=KEY_ID, alg="HS256"
            ),
            "The client_assertion must be signed RS256.",
            id="wrong-alg",
        ),
        pytest.param(
            lambda url, key: "not.a.jwt", "The client_assertion is not a valid JWT.", id="not-a-jwt"
        ),
    ],
)
def test_bad_client_assertions_get_invalid_client(
    oauth_emulator: Emulator,
    anonymous: httpx.Client,
    rsa_key: rsa.RSAPrivateKey,
    make: AssertionFactory,
    description: str,
) -> None:
    response = request_token(anonymous, token_form(make(token_url(oauth_emulator), rsa_key)))

    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"
    assert response.json()["error_description"].startswith(description)
    assert oauth_emulator.store.tokens_issued == 0


def test_replayed_assertion_is_refused(
    oauth_emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    assertion = client_assertion(rsa_key, RSA_CLIENT, token_url(oauth_emulator), kid=KEY_ID)

    first = request_token(anonymous, token_form(assertion))
    replay = request_token(anonymous, token_form(assertion))

    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json() == {
        "error": "invalid_client",
        "error_description": "The client_assertion's jti has already been used.",
    }
    assert oauth_emulator.store.tokens_issued == 1


def test_jti_is_per_client(
    oauth_emulator: Emulator,
    anonymous: httpx.Client,
    rsa_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    url = token_url(oauth_emulator)
    rsa_assertion = client_assertion(rsa_key, RSA_CLIENT, url, kid=KEY_ID, jti="shared-jti")
    ec_assertion = client_assertion(ec_key, EC_CLIENT, url, jti="shared-jti")

    assert request_token(anonymous, token_form(rsa_assertion)).status_code == 200
    assert request_token(anonymous, token_form(ec_assertion, "okta.apps.read")).status_code == 200


@pytest.mark.parametrize(
    ("scope", "status", "error", "description"),
    [
        (
            "okta.apps.manage okta.users.manage",
            400,
            "invalid_scope",
            "The client is not granted the scopes: okta.users.manage.",
        ),
        ("", 400, "invalid_scope", "The 'scope' parameter is required."),
    ],
)
def test_scopes_must_be_requested_and_granted(
    oauth_emulator: Emulator,
    anonymous: httpx.Client,
    rsa_key: rsa.RSAPrivateKey,
    scope: str,
    status: int,
    error: str,
    description: str,
) -> None:
    assertion = client_assertion(rsa_key, RSA_CLIENT, token_url(oauth_emulator), kid=KEY_ID)

    response = request_token(anonymous, token_form(assertion, scope))

    assert response.status_code == status
    assert response.json() == {"error": error, "error_description": description}
    assert oauth_emulator.store.tokens_issued == 0


def test_malformed_token_requests(
    oauth_emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    url = token_url(oauth_emulator)

    def form(**changes: str | None) -> dict[str, str]:
        fields = token_form(client_assertion(rsa_key, RSA_CLIENT, url, kid=KEY_ID))
        for name, value in changes.items():
            if value is None:
                del fields[name]
            else:
                fields[name] = value
        return fields

    answers = {
        "wrong grant": request_token(anonymous, form(grant_type="password")),
        "no grant": request_token(anonymous, form(grant_type=None)),
        "wrong assertion type": request_token(anonymous, form(client_assertion_type="urn:other")),
        "no assertion": request_token(anonymous, form(client_assertion=None)),
        "no client auth": request_token(anonymous, form(client_assertion=None, client_assertion_type=None)),
        "client_id mismatch": request_token(anonymous, form(client_id=EC_CLIENT)),
        "json body": anonymous.post("/oauth2/v1/token", json=form()),
        "repeated field": anonymous.post(
            "/oauth2/v1/token",
            content=b"grant_type=client_credentials&grant_type=client_credentials",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
    }

    assert {name: (r.status_code, r.json()["error"]) for name, r in answers.items()} == {
        "wrong grant": (400, "unsupported_grant_type"),
        "no grant": (400, "invalid_request"),
        "wrong assertion type": (400, "invalid_request"),
        "no assertion": (400, "invalid_request"),
        "no client auth": (401, "invalid_client"),
        "client_id mismatch": (401, "invalid_client"),
        "json body": (400, "invalid_request"),
        "repeated field": (400, "invalid_request"),
    }
    assert_error(anonymous.get("/oauth2/v1/token"), 405, "E0000022")
    assert_error(anonymous.post("/oauth2/v1/authorize"), 404, "E0000007")
    assert oauth_emulator.store.tokens_issued == 0


def test_access_token_reads_and_manages(
    oauth_emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    app_id = oauth_emulator.store.add_app(AppKind.ZSCALERBYZ)
    token = get_token(oauth_emulator, anonymous, rsa_key)
    body = {"baseUrl": "https://scim.example.com", "profile": {"authScheme": "TOKEN", "token": "t"}}

    read = anonymous.get(connection_path(app_id), headers=bearer(token))
    update = anonymous.post(connection_path(app_id) + "?activate=true", json=body, headers=bearer(token))

    assert read.status_code == 200
    assert read.headers["X-Rate-Limit-Remaining"] == "599"
    assert update.status_code == 200, update.text
    assert oauth_emulator.store.connection(app_id).status == "ENABLED"


def test_manage_scope_also_reads(
    oauth_emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    app_id = oauth_emulator.store.add_app(AppKind.ORG2ORG)
    token = get_token(oauth_emulator, anonymous, rsa_key, "okta.apps.manage")

    assert anonymous.get(connection_path(app_id), headers=bearer(token)).status_code == 200


def test_read_scope_cannot_write(
    oauth_emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    app_id = oauth_emulator.store.add_app(AppKind.ORG2ORG)
    token = get_token(oauth_emulator, anonymous, rsa_key, "okta.apps.read")

    read = anonymous.get(connection_path(app_id), headers=bearer(token))
    write = anonymous.post(connection_path(app_id, "/lifecycle/activate"), headers=bearer(token))

    assert read.status_code == 200
    assert_error(write, 403, "E0000006", "You do not have permission to perform the requested action")
    assert write.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope"'
    assert oauth_emulator.store.connection(app_id).status == "DISABLED"


def test_token_without_apps_scopes_is_forbidden(emulator: Emulator, anonymous: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.add_access_token("users-only-token", ["okta.users.read"])

    response = anonymous.get(connection_path(app_id), headers=bearer("users-only-token"))

    assert_error(response, 403, "E0000006")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope"'


def test_expired_and_unknown_tokens_get_401(
    oauth_emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    app_id = oauth_emulator.store.add_app(AppKind.ORG2ORG)
    token = get_token(oauth_emulator, anonymous, rsa_key)
    assert anonymous.get(connection_path(app_id), headers=bearer(token)).status_code == 200

    oauth_emulator.store.expire_access_tokens()
    expired = anonymous.get(connection_path(app_id), headers=bearer(token))
    unknown = anonymous.get(connection_path(app_id), headers=bearer("no-such-token"))
    as_dpop = anonymous.get(
        connection_path(app_id),
        headers={"Authorization": f"DPoP {get_token(oauth_emulator, anonymous, rsa_key)}"},
    )

    for response in (expired, unknown, as_dpop):
        assert_error(response, 401, "E0000011", "Invalid token provided")
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
        assert response.headers["X-Rate-Limit-Remaining"] == "599"


def test_pre_issued_access_token(emulator: Emulator, anonymous: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.add_access_token("pre-issued-token", ["okta.apps.manage"], ttl_seconds=60)

    response = anonymous.post(
        connection_path(app_id, "/lifecycle/activate"), headers=bearer("pre-issued-token")
    )

    assert response.status_code == 204
    assert emulator.store.tokens_issued == 0


def test_api_token_still_works_without_scopes(oauth_emulator: Emulator, client: httpx.Client) -> None:
    app_id = oauth_emulator.store.add_app(AppKind.ORG2ORG)

    assert client.post(connection_path(app_id, "/lifecycle/activate")).status_code == 204


def test_secrets_stay_out_of_journal_and_log(
    oauth_emulator: Emulator,
    anonymous: httpx.Client,
    rsa_key: rsa.RSAPrivateKey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="okta_emulator")
    app_id = oauth_emulator.store.add_app(AppKind.ORG2ORG)
    assertion = client_assertion(rsa_key, RSA_CLIENT, token_url(oauth_emulator), kid=KEY_ID)
    granted = request_token(anonymous, token_form(assertion, client_id=RSA_CLIENT, client_secret="a-secret"))
    token = granted.json()["access_token"]
    anonymous.get(connection_path(app_id), headers=bearer(token))
    anonymous.post(f"/oauth2/v1/token?client_assertion={assertion}&scope=okta.apps.read")

    journal = oauth_emulator.store.requests()
    listed = anonymous.get("/emulator/requests")

    assert [(entry.method, entry.path, entry.status) for entry in journal] == [
        ("POST", "/oauth2/v1/token", 200),
        ("GET", connection_path(app_id), 200),
        ("POST", "/oauth2/v1/token", 400),
    ]
    assert journal[0].body == {
        "grant_type": "client_credentials",
        "scope": ALL_SCOPES,
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": "***REDACTED***",
        "client_id": RSA_CLIENT,
        "client_secret": "***REDACTED***",
    }
    assert journal[2].query == {"client_assertion": "***REDACTED***", "scope": "okta.apps.read"}
    for secret in (assertion, token, "a-secret"):
        assert secret not in repr(journal)
        assert secret not in listed.text
        assert secret not in caplog.text
    assert "Authorization" not in caplog.text
    assert "POST /oauth2/v1/token 200 " in caplog.text


def test_admin_api_registers_service_apps(
    emulator: Emulator, anonymous: httpx.Client, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    created = anonymous.post(
        "/emulator/service-apps",
        json={
            "clientId": EC_CLIENT,
            "publicKey": public_pem(ec_key).decode(),
            "scopes": ["okta.apps.read"],
            "keyId": "ec-1",
        },
    )
    assertion = client_assertion(ec_key, EC_CLIENT, token_url(emulator), kid="ec-1")
    granted = request_token(anonymous, token_form(assertion, "okta.apps.read"))

    assert created.status_code == 201
    assert created.json() == {
        "clientId": EC_CLIENT,
        "scopes": ["okta.apps.read"],
        "keyId": "ec-1",
        "algorithm": "ES256",
    }
    assert granted.status_code == 200, granted.text


def test_registering_again_replaces_the_key(
    emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    old_key = new_rsa_key()
    emulator.store.add_service_app(RSA_CLIENT, public_pem(old_key), ["okta.apps.read"])
    pkcs1 = rsa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    emulator.store.add_service_app(RSA_CLIENT, pkcs1, ["okta.apps.read"])

    old = request_token(
        anonymous, token_form(client_assertion(old_key, RSA_CLIENT, token_url(emulator)), "okta.apps.read")
    )
    new = request_token(
        anonymous, token_form(client_assertion(rsa_key, RSA_CLIENT, token_url(emulator)), "okta.apps.read")
    )

    assert (old.status_code, new.status_code) == (401, 200)


@pytest.mark.parametrize(
    ("body", "causes"),
    [
        (
            {
                "clientId": 5,
                "publicKey": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n",
                "scopes": "okta.apps.read",
            },
            [
                "clientId: must be a string",
                "scopes: must be an array of strings",
                "publicKey: public key must be a PEM-encoded RSA or EC P-256 public key",
            ],
        ),
        (
            {"clientId": "x", "scopes": [], "keyId": 3, "secret": "s"},
            ["secret: unknown property", "keyId: must be a string", "publicKey: must be a PEM string"],
        ),
        (
            {"clientId": "has space", "publicKey": "P384", "scopes": []},
            ["publicKey: public key must be RSA or EC P-256"],
        ),
        (
            {"clientId": "has space", "publicKey": "P256", "scopes": []},
            ["client id must be non-empty and without spaces"],
        ),
    ],
)
def test_admin_api_rejects_bad_service_apps(
    emulator: Emulator, anonymous: httpx.Client, body: dict[str, object], causes: list[str]
) -> None:
    if body.get("publicKey") == "P384":
        body["publicKey"] = public_pem(new_ec_key(ec.SECP384R1())).decode()
    elif body.get("publicKey") == "P256":
        body["publicKey"] = public_pem(new_ec_key()).decode()

    response = anonymous.post("/emulator/service-apps", json=body)

    assert assert_error(response, 400, "E0000001", "Api validation failed: serviceApp") == causes


def test_store_rejects_bad_registrations(rsa_key: rsa.RSAPrivateKey) -> None:
    store = Store()
    pem = public_pem(rsa_key)

    with pytest.raises(ValueError, match="client id"):
        store.add_service_app("", pem, [])
    with pytest.raises(ValueError, match="scope names"):
        store.add_service_app("c", pem, ["okta.apps.read okta.apps.manage"])
    with pytest.raises(ValueError, match="not one string"):
        store.add_service_app("c", pem, "okta.apps.read")
    with pytest.raises(ValueError, match="key id"):
        store.add_service_app("c", pem, [], key_id="")
    with pytest.raises(ValueError, match="PEM"):
        store.add_service_app("c", private_pem_pkcs8(rsa_key), [])
    with pytest.raises(ValueError, match="access token"):
        store.add_access_token("two words", [])
    with pytest.raises(ValueError, match="token lifetime"):
        store.add_access_token("t", [], ttl_seconds=0)
    with pytest.raises(ValueError, match="token lifetime"):
        Store(token_ttl_seconds=0)
