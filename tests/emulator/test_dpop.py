"""DPoP (RFC 9449): the nonce challenge, DPoP-bound tokens, and proofs on API calls."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from okta_emulator import AppKind, Emulator

from .helpers import API_TOKEN, assert_error, connection_path, http_client
from .jwt_helpers import (
    PrivateKey,
    client_assertion,
    dpop_proof,
    new_ec_key,
    public_jwk,
    public_pem,
    request_token,
    token_form,
)

CLIENT_ID = "0oaDpopServiceApp"
INVALID_PROOF = 'DPoP error="invalid_dpop_proof"'
NONCE_ERROR = {
    "error": "use_dpop_nonce",
    "error_description": "Authorization server requires nonce in DPoP proof.",
}


@pytest.fixture
def dpop_emulator(rsa_key: rsa.RSAPrivateKey) -> Iterator[Emulator]:
    with Emulator(api_token=API_TOKEN, require_dpop=True) as emu:
        emu.store.add_service_app(CLIENT_ID, public_pem(rsa_key), ["okta.apps.read", "okta.apps.manage"])
        yield emu


@pytest.fixture
def http(dpop_emulator: Emulator) -> Iterator[httpx.Client]:
    with http_client(dpop_emulator.url, token=None) as client:
        yield client


def token_url(emulator: Emulator) -> str:
    return f"{emulator.url}/oauth2/v1/token"


def assertion_form(emulator: Emulator, key: rsa.RSAPrivateKey) -> dict[str, str]:
    return token_form(client_assertion(key, CLIENT_ID, token_url(emulator)))


def dpop_token(
    emulator: Emulator, http: httpx.Client, client_key: rsa.RSAPrivateKey, dpop_key: PrivateKey
) -> str:
    """Run the whole token flow: a nonce challenge, then a proof carrying the nonce."""
    form = assertion_form(emulator, client_key)
    challenge = request_token(http, form, dpop_proof(dpop_key, "POST", token_url(emulator)))
    assert challenge.status_code == 400
    nonce = challenge.headers["DPoP-Nonce"]
    granted = request_token(http, form, dpop_proof(dpop_key, "POST", token_url(emulator), nonce=nonce))
    assert granted.status_code == 200, granted.text
    assert granted.json()["token_type"] == "DPoP"
    token = granted.json()["access_token"]
    assert isinstance(token, str)
    return token


def api_headers(token: str, proof: str) -> dict[str, str]:
    return {"Authorization": f"DPoP {token}", "DPoP": proof}


def test_token_request_without_proof_gets_a_nonce(
    dpop_emulator: Emulator, http: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    response = request_token(http, assertion_form(dpop_emulator, rsa_key))

    assert response.status_code == 400
    assert response.json() == NONCE_ERROR
    assert response.headers["DPoP-Nonce"] == dpop_emulator.store.oauth.dpop_nonce
    assert len(response.headers["DPoP-Nonce"]) >= 16
    assert dpop_emulator.store.tokens_issued == 0


def test_full_dpop_flow(dpop_emulator: Emulator, http: httpx.Client, rsa_key: rsa.RSAPrivateKey) -> None:
    app_id = dpop_emulator.store.add_app(AppKind.ORG2ORG)
    dpop_key = new_ec_key()
    url = token_url(dpop_emulator)
    form = assertion_form(dpop_emulator, rsa_key)

    without = request_token(http, form)
    no_nonce = request_token(http, form, dpop_proof(dpop_key, "POST", url))
    nonce = no_nonce.headers["DPoP-Nonce"]
    granted = request_token(http, form, dpop_proof(dpop_key, "POST", url, nonce=nonce))
    token = granted.json()["access_token"]
    get_url = dpop_emulator.url + connection_path(app_id)
    read = http.get(
        connection_path(app_id),
        headers=api_headers(token, dpop_proof(dpop_key, "GET", get_url, access_token=token)),
    )
    activate_url = dpop_emulator.url + connection_path(app_id, "/lifecycle/activate")
    activate = http.post(
        connection_path(app_id, "/lifecycle/activate"),
        headers=api_headers(token, dpop_proof(dpop_key, "POST", activate_url, access_token=token)),
    )

    assert (without.status_code, no_nonce.status_code) == (400, 400)
    assert without.json() == no_nonce.json() == NONCE_ERROR
    assert granted.status_code == 200, granted.text
    assert granted.json()["token_type"] == "DPoP"
    assert granted.json()["scope"] == "okta.apps.read okta.apps.manage"
    assert read.status_code == 200, read.text
    assert activate.status_code == 204
    assert dpop_emulator.store.connection(app_id).status == "ENABLED"
    assert dpop_emulator.store.tokens_issued == 1


def test_rsa_dpop_key_works_too(
    dpop_emulator: Emulator, http: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    app_id = dpop_emulator.store.add_app(AppKind.ORG2ORG)
    token = dpop_token(dpop_emulator, http, rsa_key, rsa_key)
    url = dpop_emulator.url + connection_path(app_id)

    response = http.get(
        connection_path(app_id),
        headers=api_headers(token, dpop_proof(rsa_key, "GET", url, access_token=token)),
    )

    assert response.status_code == 200


@pytest.fixture
def bound(
    dpop_emulator: Emulator, http: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> tuple[str, str, ec.EllipticCurvePrivateKey]:
    """(app id, DPoP-bound access token, the key it is bound to)."""
    app_id = dpop_emulator.store.add_app(AppKind.ORG2ORG)
    dpop_key = new_ec_key()
    return app_id, dpop_token(dpop_emulator, http, rsa_key, dpop_key), dpop_key


@pytest.mark.parametrize(
    "case",
    [
        "wrong-ath",
        "no-ath",
        "other-key",
        "wrong-htm",
        "wrong-htu",
        "htu-with-query",
        "stale-iat",
        "wrong-typ",
        "no-proof",
        "bearer",
        "two-proofs",
    ],
)
def test_bad_api_proofs_get_401(
    dpop_emulator: Emulator, http: httpx.Client, bound: tuple[str, str, ec.EllipticCurvePrivateKey], case: str
) -> None:
    app_id, token, key = bound
    url = dpop_emulator.url + connection_path(app_id)
    headers = api_headers(token, dpop_proof(key, "GET", url, access_token=token))
    if case == "wrong-ath":
        headers["DPoP"] = dpop_proof(key, "GET", url, access_token=token + "x")
    elif case == "no-ath":
        headers["DPoP"] = dpop_proof(key, "GET", url)
    elif case == "other-key":
        headers["DPoP"] = dpop_proof(new_ec_key(), "GET", url, access_token=token)
    elif case == "wrong-htm":
        headers["DPoP"] = dpop_proof(key, "POST", url, access_token=token)
    elif case == "wrong-htu":
        headers["DPoP"] = dpop_proof(key, "GET", url + "/jwks", access_token=token)
    elif case == "htu-with-query":
        headers["DPoP"] = dpop_proof(key, "GET", url + "?x=1", access_token=token)
    elif case == "stale-iat":
        headers["DPoP"] = dpop_proof(key, "GET", url, access_token=token, issued_at=int(time.time()) - 120)
    elif case == "wrong-typ":
        headers["DPoP"] = dpop_proof(key, "GET", url, access_token=token, typ="JWT")
    elif case == "no-proof":
        del headers["DPoP"]
    elif case == "bearer":
        headers["Authorization"] = f"Bearer {token}"

    if case == "two-proofs":
        second = dpop_proof(key, "GET", url, access_token=token)
        response = http.get(
            connection_path(app_id),
            headers=[("Authorization", f"DPoP {token}"), ("DPoP", headers["DPoP"]), ("DPoP", second)],
        )
    else:
        response = http.get(connection_path(app_id), headers=headers)

    assert_error(response, 401, "E0000011", "Invalid token provided")
    assert response.headers["WWW-Authenticate"] == INVALID_PROOF


def test_api_proof_cannot_be_replayed(
    dpop_emulator: Emulator, http: httpx.Client, bound: tuple[str, str, ec.EllipticCurvePrivateKey]
) -> None:
    app_id, token, key = bound
    proof = dpop_proof(key, "GET", dpop_emulator.url + connection_path(app_id), access_token=token)

    first = http.get(connection_path(app_id), headers=api_headers(token, proof))
    replay = http.get(connection_path(app_id), headers=api_headers(token, proof))

    assert first.status_code == 200
    assert_error(replay, 401, "E0000011")
    assert replay.headers["WWW-Authenticate"] == INVALID_PROOF


def test_dpop_token_scopes_are_enforced(
    dpop_emulator: Emulator, http: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    app_id = dpop_emulator.store.add_app(AppKind.ORG2ORG)
    key = new_ec_key()
    url = token_url(dpop_emulator)
    form = token_form(client_assertion(rsa_key, CLIENT_ID, url), "okta.apps.read")
    nonce = dpop_emulator.store.oauth.dpop_nonce
    token = request_token(http, form, dpop_proof(key, "POST", url, nonce=nonce)).json()["access_token"]
    activate_url = dpop_emulator.url + connection_path(app_id, "/lifecycle/activate")

    response = http.post(
        connection_path(app_id, "/lifecycle/activate"),
        headers=api_headers(token, dpop_proof(key, "POST", activate_url, access_token=token)),
    )

    assert_error(response, 403, "E0000006")
    assert response.headers["WWW-Authenticate"] == 'DPoP error="insufficient_scope"'


@pytest.mark.parametrize(
    ("case", "description"),
    [
        ("wrong-htu", "The DPoP proof's htu does not match the request URL."),
        ("wrong-htm", "The DPoP proof's htm does not match the request method."),
        ("wrong-typ", "The DPoP proof's typ header must be dpop+jwt."),
        ("private-jwk", "The DPoP proof's jwk header must be a public key."),
        ("jwk-of-other-key", "The DPoP proof is invalid: Signature verification failed"),
        ("not-a-jwt", "The DPoP proof is not a valid JWT."),
        ("replayed", "The DPoP proof's jti has already been used."),
    ],
)
def test_bad_token_request_proofs(
    dpop_emulator: Emulator, http: httpx.Client, rsa_key: rsa.RSAPrivateKey, case: str, description: str
) -> None:
    key = new_ec_key()
    url = token_url(dpop_emulator)
    nonce = dpop_emulator.store.oauth.dpop_nonce
    proofs = {
        "wrong-htu": dpop_proof(key, "POST", url + "x", nonce=nonce),
        "wrong-htm": dpop_proof(key, "GET", url, nonce=nonce),
        "wrong-typ": dpop_proof(key, "POST", url, nonce=nonce, typ="JWT"),
        "private-jwk": dpop_proof(key, "POST", url, nonce=nonce, jwk={**public_jwk(key), "d": "secret"}),
        "jwk-of-other-key": dpop_proof(key, "POST", url, nonce=nonce, jwk=public_jwk(new_ec_key())),
        "not-a-jwt": "garbage",
    }
    if case == "replayed":
        proof = dpop_proof(key, "POST", url, nonce=nonce)
        assert request_token(http, assertion_form(dpop_emulator, rsa_key), proof).status_code == 200
    else:
        proof = proofs[case]

    response = request_token(http, assertion_form(dpop_emulator, rsa_key), proof)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_dpop_proof", "error_description": description}


def test_rotated_nonce_is_challenged_again(
    dpop_emulator: Emulator, http: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    key = new_ec_key()
    url = token_url(dpop_emulator)
    old_nonce = dpop_emulator.store.oauth.dpop_nonce

    new_nonce = dpop_emulator.store.oauth.rotate_dpop_nonce()
    stale = request_token(
        http, assertion_form(dpop_emulator, rsa_key), dpop_proof(key, "POST", url, nonce=old_nonce)
    )

    assert new_nonce != old_nonce
    assert stale.status_code == 400
    assert stale.json() == NONCE_ERROR
    assert stale.headers["DPoP-Nonce"] == new_nonce


def test_dpop_can_be_switched_off(
    emulator: Emulator, anonymous: httpx.Client, rsa_key: rsa.RSAPrivateKey
) -> None:
    emulator.store.add_service_app(CLIENT_ID, public_pem(rsa_key), ["okta.apps.read"])
    url = token_url(emulator)
    assert emulator.require_dpop is False

    emulator.require_dpop = True
    challenged = request_token(
        anonymous, token_form(client_assertion(rsa_key, CLIENT_ID, url), "okta.apps.read")
    )
    emulator.require_dpop = False
    bearer = request_token(anonymous, token_form(client_assertion(rsa_key, CLIENT_ID, url), "okta.apps.read"))

    assert challenged.json() == NONCE_ERROR
    assert bearer.json()["token_type"] == "Bearer"


def test_proofs_and_tokens_stay_out_of_journal_and_log(
    dpop_emulator: Emulator,
    http: httpx.Client,
    bound: tuple[str, str, ec.EllipticCurvePrivateKey],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="okta_emulator")
    app_id, token, key = bound
    proof = dpop_proof(key, "GET", dpop_emulator.url + connection_path(app_id), access_token=token)

    response = http.get(connection_path(app_id), headers=api_headers(token, proof))
    listed = http.get("/emulator/requests")

    assert response.status_code == 200
    for secret in (token, proof, dpop_emulator.store.oauth.dpop_nonce):
        assert secret not in repr(dpop_emulator.store.requests())
        assert secret not in listed.text
        assert secret not in caplog.text
