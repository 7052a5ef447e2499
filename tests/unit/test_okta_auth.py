"""Service-app authentication against a token endpoint built on httpx.MockTransport."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from provider.okta import (
    ApiToken,
    ClientOptions,
    InvalidPrivateKey,
    OktaAuthError,
    OktaError,
    OktaTransportError,
    RetryPolicy,
    ServiceAppCredentials,
    load_private_key,
)
from provider.okta.auth import challenge_params
from provider.okta.client import OktaClient

ORG = "https://dev-1.okta.com"
CONNECTION = {"status": "ENABLED", "profile": {"authScheme": "TOKEN"}}


def pem(key: Any, fmt: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


class FakeOkta:
    """A token endpoint and the connection endpoint, recording what they were sent."""

    def __init__(self, public_key: Any, *, require_dpop: bool = False) -> None:
        self.public_key = public_key
        self.require_dpop = require_dpop
        self.token_requests: list[dict[str, list[str]]] = []
        self.api_authorizations: list[str] = []
        self.api_dpop_proofs: list[str] = []
        self.issued = 0
        self.rejected_tokens: set[str] = set()
        self.unavailable: dict[str, int] = {"token": 0, "api": 0}  # answers of 503 still to give

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/v1/token":
            form = parse_qs(request.content.decode())
            self.token_requests.append(form)
            if self._unavailable("token"):
                return httpx.Response(503)
            if self.require_dpop and "nonce" not in jwt.decode(
                request.headers.get("DPoP", "e30.e30.x") if "DPoP" in request.headers else _unsigned({}),
                options={"verify_signature": False},
            ):
                return httpx.Response(400, json={"error": "use_dpop_nonce"}, headers={"DPoP-Nonce": "n-1"})
            claims = jwt.decode(
                form["client_assertion"][0],
                self.public_key,
                algorithms=["RS256", "ES256"],
                audience=f"{ORG}/oauth2/v1/token",
            )
            assert claims["iss"] == claims["sub"] == "0oaservice"
            self.issued += 1
            token_type = "DPoP" if self.require_dpop else "Bearer"
            return httpx.Response(
                200, json={"access_token": f"tok-{self.issued}", "token_type": token_type, "expires_in": 3600}
            )
        authorization = request.headers["Authorization"]
        self.api_authorizations.append(authorization)
        if "DPoP" in request.headers:
            self.api_dpop_proofs.append(request.headers["DPoP"])
        if self._unavailable("api"):
            return httpx.Response(503)
        if authorization.split()[-1] in self.rejected_tokens:
            return httpx.Response(
                401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                json={"errorCode": "E0000011"},
            )
        return httpx.Response(200, json=CONNECTION)

    def _unavailable(self, endpoint: str) -> bool:
        if self.unavailable[endpoint] > 0:
            self.unavailable[endpoint] -= 1
            return True
        return False


def _unsigned(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, "k" * 32, algorithm="HS256")


def client_for(okta: FakeOkta, key: Any, retries: int = 0, **credentials: Any) -> OktaClient:
    return OktaClient(
        ORG,
        ServiceAppCredentials(client_id="0oaservice", private_key_pem=pem(key), **credentials),
        transport=httpx.MockTransport(okta.handler),
        options=ClientOptions(
            retry=RetryPolicy(max_retries=retries, min_wait_seconds=0.001, max_wait_seconds=0.01)
        ),
    )


def jti(token: str) -> str:
    return str(jwt.decode(token, options={"verify_signature": False})["jti"])


@pytest.mark.parametrize("key", [RSA_KEY, EC_KEY], ids=["rsa", "ec"])
def test_one_token_serves_many_calls_across_threads(key: Any) -> None:
    okta = FakeOkta(key.public_key())
    client = client_for(okta, key)
    threads = [threading.Thread(target=client.get_connection, args=("0oa1",)) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert okta.issued == 1
    assert okta.api_authorizations == ["Bearer tok-1"] * 10
    [form] = okta.token_requests
    assert form["grant_type"] == ["client_credentials"]
    assert form["scope"] == ["okta.apps.manage okta.apps.read"]
    assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]


def test_key_id_and_scopes_are_sent() -> None:
    okta = FakeOkta(RSA_KEY.public_key())
    client_for(okta, RSA_KEY, key_id="kid-7", scopes=("okta.apps.read",)).get_connection("0oa1")
    form = okta.token_requests[0]
    assert jwt.get_unverified_header(form["client_assertion"][0])["kid"] == "kid-7"
    assert form["scope"] == ["okta.apps.read"]


def test_a_token_okta_calls_invalid_is_replaced_once() -> None:
    okta = FakeOkta(RSA_KEY.public_key())
    client = client_for(okta, RSA_KEY)
    client.get_connection("0oa1")
    okta.rejected_tokens.add("tok-1")
    assert client.get_connection("0oa1").status == "ENABLED"
    assert okta.issued == 2
    assert okta.api_authorizations == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


@pytest.mark.parametrize(
    ("first_try", "acted"), [(httpx.ReadError("reset after sending"), True), (None, False)]
)
@pytest.mark.parametrize(
    ("no_token", "error"),
    [
        (httpx.ConnectError("refused"), OktaTransportError),
        (httpx.Response(400, json={"error": "invalid_client"}), OktaAuthError),
    ],
    ids=["token-endpoint-unreachable", "token-refused"],
)
def test_a_call_resent_with_a_new_token_keeps_what_its_first_pass_may_have_done(
    first_try: Exception | None, acted: bool, no_token: httpx.Response | Exception, error: type[OktaError]
) -> None:
    """A try whose answer was lost, then a 401 for a token that expired meanwhile, then no new token:
    Okta may have acted on the first try, so the failure says so and the resource reads back."""
    calls = {"token": 0, "api": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/v1/token":
            calls["token"] += 1
            if calls["token"] > 1:
                if isinstance(no_token, Exception):
                    raise no_token
                return no_token
            return httpx.Response(200, json={"access_token": "tok-1", "token_type": "Bearer"})
        calls["api"] += 1
        if calls["api"] == 1 and first_try is not None:
            raise first_try
        return httpx.Response(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    retry = RetryPolicy(max_retries=1, min_wait_seconds=0.001, max_wait_seconds=0.01)
    client = OktaClient(
        ORG,
        ServiceAppCredentials(client_id="0oaservice", private_key_pem=pem(RSA_KEY)),
        transport=httpx.MockTransport(handler),
        options=ClientOptions(retry=retry),
    )
    with pytest.raises(error) as caught:
        client.activate_connection("0oa1")
    assert calls["api"] == (2 if first_try is not None else 1) and calls["token"] > 1
    assert caught.value.may_have_acted is acted


def test_dpop_nonce_challenge_then_proofs_on_every_call() -> None:
    okta = FakeOkta(EC_KEY.public_key(), require_dpop=True)
    client = client_for(okta, EC_KEY)
    client.get_connection("0oa1")
    assert len(okta.token_requests) == 2  # the nonce challenge, then the token
    assert okta.api_authorizations == ["DPoP tok-1"]
    [proof] = okta.api_dpop_proofs
    header = jwt.get_unverified_header(proof)
    claims = jwt.decode(proof, options={"verify_signature": False})
    assert header["typ"] == "dpop+jwt" and header["jwk"]["kty"] == "EC"
    assert claims["htm"] == "GET" and claims["htu"] == f"{ORG}/api/v1/apps/0oa1/connections/default"
    assert claims["ath"]


def test_a_retried_call_carries_a_new_dpop_proof() -> None:
    """Each proof's jti is single-use: resending the same proof would be refused as a replay."""
    okta = FakeOkta(EC_KEY.public_key(), require_dpop=True)
    okta.unavailable["api"] = 2
    assert client_for(okta, EC_KEY, retries=2).get_connection("0oa1").status == "ENABLED"
    assert len(okta.api_dpop_proofs) == 3
    assert len({jti(proof) for proof in okta.api_dpop_proofs}) == 3


def test_a_retried_token_request_carries_a_new_assertion() -> None:
    okta = FakeOkta(EC_KEY.public_key(), require_dpop=True)
    client = client_for(okta, EC_KEY, retries=2)
    okta.unavailable["token"] = 2
    assert client.get_connection("0oa1").status == "ENABLED"
    assertions = [form["client_assertion"][0] for form in okta.token_requests]
    assert len(assertions) == 4  # two answered 503, the DPoP nonce challenge, the token
    assert len({jti(assertion) for assertion in assertions}) == 4


def nonce_rotating_token_endpoint(nonces: list[str]) -> tuple[httpx.MockTransport, list[str | None]]:
    """A token endpoint that wants each of `nonces` in turn: every proof it sees moves it on."""
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/oauth2/v1/token":
            return httpx.Response(200, json=CONNECTION)
        proof = request.headers.get("DPoP")
        nonce = jwt.decode(proof, options={"verify_signature": False}).get("nonce") if proof else None
        seen.append(nonce)
        wanted = nonces[min(len(seen) - 1, len(nonces) - 1)]
        if nonce != wanted:
            return httpx.Response(400, json={"error": "use_dpop_nonce"}, headers={"DPoP-Nonce": wanted})
        return httpx.Response(200, json={"access_token": "tok", "token_type": "DPoP", "expires_in": 3600})

    return httpx.MockTransport(handler), seen


def dpop_client(transport: httpx.MockTransport) -> OktaClient:
    credentials = ServiceAppCredentials(client_id="0oaservice", private_key_pem=pem(EC_KEY))
    return OktaClient(
        ORG, credentials, transport=transport, options=ClientOptions(retry=RetryPolicy(max_retries=0))
    )


def test_a_nonce_rotated_between_tries_is_followed() -> None:
    transport, seen = nonce_rotating_token_endpoint(["n-1", "n-2", "n-2"])
    assert dpop_client(transport).get_connection("0oa1").status == "ENABLED"
    assert seen == [None, "n-1", "n-2"]


def test_a_nonce_that_never_settles_is_an_error_not_a_loop() -> None:
    transport, seen = nonce_rotating_token_endpoint(["n-1", "n-2", "n-3", "n-4"])
    with pytest.raises(OktaAuthError):
        dpop_client(transport).get_connection("0oa1")
    assert seen == [None, "n-1", "n-2"]


def test_a_refused_token_request_is_a_clear_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401, json={"error": "invalid_client", "error_description": "The client_assertion is invalid."}
        )

    client = OktaClient(
        ORG,
        ServiceAppCredentials(client_id="0oaservice", private_key_pem=pem(RSA_KEY)),
        transport=httpx.MockTransport(handler),
    )
    with pytest.raises(OktaAuthError) as caught:
        client.get_connection("0oa1")
    assert "invalid_client" in str(caught.value)
    assert "client_assertion is invalid" in caught.value.detail
    assert "OKTA_API_PRIVATE_KEY" in caught.value.detail


def token_endpoint_answering(status: int, body: dict[str, str], retries: int = 0) -> OktaAuthError:
    """The error a service-app client raises when the token endpoint always answers this."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(status, json=body)

    client = OktaClient(
        ORG,
        ServiceAppCredentials(client_id="0oaservice", private_key_pem=pem(RSA_KEY)),
        transport=httpx.MockTransport(handler),
        options=ClientOptions(
            retry=RetryPolicy(max_retries=retries, min_wait_seconds=0.001, max_wait_seconds=0.01)
        ),
    )
    with pytest.raises(OktaAuthError) as caught:
        client.get_connection("0oa1")
    assert calls == ["/oauth2/v1/token"] * (retries + 1), "the API call waits for a token"
    return caught.value


def test_a_token_endpoint_server_error_is_not_blamed_on_the_service_app() -> None:
    error = token_endpoint_answering(500, {}, retries=2)
    assert str(error) == "Okta's token endpoint failed (500 no error code)"
    assert "Gave up after 3 attempts" in error.detail
    assert "server error" in error.detail
    for blamed in ("client_id", "private_key", "OKTA_API_", "scopes"):
        assert blamed not in error.detail


def test_a_rate_limited_token_request_says_to_wait_not_to_check_the_key() -> None:
    error = token_endpoint_answering(429, {})
    assert "rate limit" in error.detail
    assert "private_key" not in error.detail


@pytest.mark.parametrize(
    ("error_code", "named", "not_named"),
    [
        ("invalid_scope", "scopes (OKTA_API_SCOPES)", "private_key"),
        ("unauthorized_client", "Client Credentials grant", "private_key"),
        ("invalid_client", "private_key_id (OKTA_API_PRIVATE_KEY_ID)", "OKTA_API_SCOPES"),
    ],
)
def test_a_refused_token_request_names_what_okta_said_is_wrong(
    error_code: str, named: str, not_named: str
) -> None:
    error = token_endpoint_answering(400, {"error": error_code, "error_description": "Okta's words."})
    assert str(error) == f"Okta refused the service app's token request (400 {error_code})"
    assert error.detail.startswith("Okta's words.\n")
    assert named in error.detail
    assert not_named not in error.detail


def test_challenge_parameters_are_read_as_okta_sends_them() -> None:
    assert challenge_params(
        'Bearer realm="https://dev-1.okta.com", scope="okta.apps.read", error="insufficient_scope", '
        'error_description="The access token provided does not contain the required scopes."'
    ) == {
        "realm": "https://dev-1.okta.com",
        "scope": "okta.apps.read",
        "error": "insufficient_scope",
        "error_description": "The access token provided does not contain the required scopes.",
    }
    assert challenge_params('DPoP error="invalid_dpop_proof"') == {"error": "invalid_dpop_proof"}
    assert challenge_params('Bearer Error=invalid_token, note="a \\"quoted\\" word"') == {
        "error": "invalid_token",
        "note": 'a "quoted" word',
    }
    assert challenge_params("") == {}


def test_keys_are_checked_without_quoting_them() -> None:
    assert load_private_key(pem(RSA_KEY, serialization.PrivateFormat.TraditionalOpenSSL))[1] == "RS256"
    assert load_private_key(pem(EC_KEY))[1] == "ES256"
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    p384 = ec.generate_private_key(ec.SECP384R1())
    for bad in ("not a key", pem(weak), pem(p384)):
        with pytest.raises(InvalidPrivateKey) as caught:
            load_private_key(bad)
        assert "PRIVATE KEY" not in str(caught.value)


def test_api_token_is_sent_as_ssws() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json=CONNECTION)

    OktaClient(ORG, ApiToken("00abc"), transport=httpx.MockTransport(handler)).get_connection("0oa1")
    assert seen == ["SSWS 00abc"]
    assert "00abc" not in repr(ApiToken("00abc"))
    assert json.dumps(seen)
