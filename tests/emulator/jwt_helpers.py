"""Keys, client assertions and DPoP proofs for the OAuth tests, built with cryptography and PyJWT."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALL_SCOPES = "okta.apps.read okta.apps.manage"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def new_ec_key(curve: ec.EllipticCurve | None = None) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(curve or ec.SECP256R1())


def private_pem_pkcs8(key: PrivateKey) -> bytes:
    """The private key as PKCS#8 PEM, the form `okta_app_connection` users paste."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def algorithm(key: PrivateKey) -> str:
    return "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"


def client_assertion(
    key: PrivateKey | bytes,
    client_id: str,
    audience: str,
    *,
    kid: str | None = None,
    alg: str | None = None,
    lifetime: int = 300,
    issued_at: int | None = None,
    jti: str | None = None,
    without: tuple[str, ...] = (),
    **claims: object,
) -> str:
    """A signed `private_key_jwt` client assertion; `claims` override or add claims."""
    now = int(time.time()) if issued_at is None else issued_at
    payload: dict[str, object] = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime,
        "jti": jti or uuid.uuid4().hex,
    }
    payload.update(claims)
    for name in without:
        del payload[name]
    if alg is None:
        signing_key = serialization.load_pem_private_key(key, None) if isinstance(key, bytes) else key
        assert isinstance(signing_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        alg = algorithm(signing_key)
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


def token_form(assertion: str, scope: str = ALL_SCOPES, **extra: str) -> dict[str, str]:
    """The form of a client-credentials token request."""
    form = {
        "grant_type": "client_credentials",
        "scope": scope,
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": assertion,
    }
    form.update(extra)
    return form


def public_jwk(key: PrivateKey) -> dict[str, object]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    assert isinstance(jwk, dict)
    return jwk


def ath(token: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()


def dpop_proof(
    key: PrivateKey,
    method: str,
    url: str,
    *,
    nonce: str | None = None,
    access_token: str | None = None,
    issued_at: int | None = None,
    jti: str | None = None,
    typ: str = "dpop+jwt",
    jwk: dict[str, object] | None = None,
    **claims: object,
) -> str:
    """A DPoP proof (RFC 9449) for one request; `access_token` adds its `ath`."""
    payload: dict[str, object] = {
        "htm": method,
        "htu": url,
        "iat": int(time.time()) if issued_at is None else issued_at,
        "jti": jti or uuid.uuid4().hex,
    }
    if nonce is not None:
        payload["nonce"] = nonce
    if access_token is not None:
        payload["ath"] = ath(access_token)
    payload.update(claims)
    headers = {"typ": typ, "jwk": jwk if jwk is not None else public_jwk(key)}
    return jwt.encode(payload, key, algorithm=algorithm(key), headers=headers)


def request_token(http: httpx.Client, form: dict[str, str], dpop: str | None = None) -> httpx.Response:
    """POST a token request to `/oauth2/v1/token`, with a DPoP proof when given."""
    headers = {"DPoP": dpop} if dpop is not None else {}
    return http.post("/oauth2/v1/token", data=form, headers=headers)
