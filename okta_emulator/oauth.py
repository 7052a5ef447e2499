"""OAuth 2.0 service apps: Okta's `/oauth2/v1/token` and the access tokens it issues.

`AuthorizationServer` keeps the registered service apps (client id, public key, granted
scopes), the access tokens it issued or was given, and the `jti`s already used. It grants
tokens for the `client_credentials` grant with a `private_key_jwt` client assertion (RFC 7523),
optionally bound to a DPoP key (RFC 9449), and checks the tokens API requests present. HTTP
framing is left to `okta_emulator.server`; failures are raised as `OAuthError` (token endpoint)
or `AccessDenied` (API). Tokens are looked up by their SHA-256; only the granted ones are also
kept as they are, so tests can check that they never leak.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

TOKEN_PATH = "/oauth2/v1/token"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCOPE_READ = "okta.apps.read"
SCOPE_MANAGE = "okta.apps.manage"
MAX_ASSERTION_LIFETIME_SECONDS = 3600
DPOP_PROOF_MAX_AGE_SECONDS = 60
CLOCK_SKEW_SECONDS = 60
PUBLIC_FORM_FIELDS = frozenset({"grant_type", "scope", "client_assertion_type", "client_id"})

INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'
INVALID_DPOP_PROOF_CHALLENGE = 'DPoP error="invalid_dpop_proof"'

_READ_SCOPES = frozenset({SCOPE_READ, SCOPE_MANAGE})
_MANAGE_SCOPES = frozenset({SCOPE_MANAGE})
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

PublicKey = RSAPublicKey | EllipticCurvePublicKey


class OAuthError(Exception):
    """A token-endpoint failure, answered as `{"error": ..., "error_description": ...}`."""

    def __init__(
        self, status: int, error: str, description: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.headers = dict(headers or {})

    def payload(self) -> dict[str, str]:
        """The JSON error body."""
        return {"error": self.error, "error_description": self.description}


class AccessDenied(Exception):
    """An API request's access token is unknown, expired, wrongly presented or lacks a scope.

    `status` is 401 or 403; `challenge` is the `WWW-Authenticate` value to answer with.
    """

    def __init__(self, status: int, challenge: str) -> None:
        super().__init__(challenge)
        self.status = status
        self.challenge = challenge


def _invalid_client(description: str) -> OAuthError:
    return OAuthError(401, "invalid_client", description)


def _invalid_request(description: str) -> OAuthError:
    return OAuthError(400, "invalid_request", description)


def _invalid_proof(description: str) -> OAuthError:
    return OAuthError(400, "invalid_dpop_proof", description)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64url(value: int, length: int | None = None) -> str:
    size = length if length is not None else max((value.bit_length() + 7) // 8, 1)
    return _b64url(value.to_bytes(size, "big"))


def load_public_key(pem: bytes | str) -> PublicKey:
    """Read a PEM public key; raises ValueError unless it is RSA or EC P-256."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise ValueError("public key must be a PEM-encoded RSA or EC P-256 public key") from exc
    if not isinstance(key, RSAPublicKey | EllipticCurvePublicKey):
        raise ValueError("public key must be RSA or EC P-256")
    algorithm_for(key)
    return key


def algorithm_for(key: object) -> str:
    """The JWS algorithm a key signs with: RS256 for RSA, ES256 for EC P-256."""
    if isinstance(key, RSAPublicKey):
        return "RS256"
    if isinstance(key, EllipticCurvePublicKey) and isinstance(key.curve, SECP256R1):
        return "ES256"
    raise ValueError("public key must be RSA or EC P-256")


def jwk_thumbprint(key: PublicKey) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public key, base64url-encoded."""
    members: dict[str, str]
    if isinstance(key, RSAPublicKey):
        numbers = key.public_numbers()
        members = {"e": _int_b64url(numbers.e), "kty": "RSA", "n": _int_b64url(numbers.n)}
    else:
        point = key.public_numbers()
        members = {"crv": "P-256", "kty": "EC", "x": _int_b64url(point.x, 32), "y": _int_b64url(point.y, 32)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def access_token_hash(token: str) -> str:
    """The `ath` a DPoP proof carries for an access token: base64url(SHA-256(token))."""
    return _b64url(hashlib.sha256(token.encode()).digest())


def decode_form(body: bytes) -> dict[str, str]:
    """Parse an `application/x-www-form-urlencoded` body; a repeated field is an error."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _invalid_request("The request body is not well-formed.") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise _invalid_request(f"The '{name}' parameter is repeated.")
        form[name] = value
    return form


def parse_token_request(body: bytes, content_type: str | None) -> dict[str, str]:
    """The fields of a token request, which must be form-encoded."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != _FORM_CONTENT_TYPE:
        raise _invalid_request(f"The token request must be sent as {_FORM_CONTENT_TYPE}.")
    return decode_form(body)


def _check_scopes(scopes: Sequence[str]) -> frozenset[str]:
    if isinstance(scopes, str):
        raise ValueError("scopes must be a sequence of scope names, not one string")
    for scope in scopes:
        if not scope or scope.split() != [scope]:
            raise ValueError(f"scope names must be non-empty and without spaces, got {scope!r}")
    return frozenset(scopes)


@dataclass(frozen=True)
class ServiceApp:
    """A registered OAuth service app; its public key verifies its client assertions."""

    client_id: str
    public_key: PublicKey = field(repr=False)
    scopes: frozenset[str]
    key_id: str | None

    @property
    def algorithm(self) -> str:
        """RS256 or ES256, after the key's type."""
        return algorithm_for(self.public_key)


@dataclass(frozen=True)
class _AccessToken:
    scopes: frozenset[str]
    expires_at: float
    jkt: str | None


@dataclass(frozen=True)
class _Proof:
    jkt: str
    jti: str
    nonce: object


class _JtiCache:
    """`jti`s seen, each remembered until the JWT carrying it has expired anyway."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def remember(self, jti: str, until: float, now: float) -> bool:
        """Record a `jti`; False when it was already seen (a replay)."""
        if len(self._until) > 1024:
            self._until = {key: expiry for key, expiry in self._until.items() if expiry > now}
        if jti in self._until:
            return False
        self._until[jti] = until
        return True


class AuthorizationServer:
    """Okta's org authorization server as far as service apps use it; thread-safe.

    `require_dpop` makes token requests need a DPoP proof carrying the current nonce, and
    the tokens then granted need a proof on every API call. Tokens granted live
    `token_ttl_seconds`.
    """

    def __init__(self, token_ttl_seconds: int = 3600, require_dpop: bool = False) -> None:
        _check_ttl(token_ttl_seconds)
        self._lock = threading.Lock()
        self._token_ttl_seconds = token_ttl_seconds
        self.require_dpop = require_dpop
        self._apps: dict[str, ServiceApp] = {}
        self._tokens: dict[str, _AccessToken] = {}
        self._assertion_jtis = _JtiCache()
        self._proof_jtis = _JtiCache()
        self._nonce = secrets.token_urlsafe(24)
        self._issued: list[str] = []

    @property
    def token_ttl_seconds(self) -> int:
        """Lifetime of the access tokens the token endpoint grants."""
        return self._token_ttl_seconds

    @token_ttl_seconds.setter
    def token_ttl_seconds(self, value: int) -> None:
        _check_ttl(value)
        self._token_ttl_seconds = value

    @property
    def tokens_issued(self) -> int:
        """How many access tokens the token endpoint has granted."""
        with self._lock:
            return len(self._issued)

    def issued_token_values(self) -> list[str]:
        """Every access token the token endpoint granted, oldest first (to check for leaks)."""
        with self._lock:
            return list(self._issued)

    @property
    def dpop_nonce(self) -> str:
        """The nonce DPoP proofs sent to the token endpoint must carry."""
        with self._lock:
            return self._nonce

    def rotate_dpop_nonce(self) -> str:
        """Replace the DPoP nonce (as Okta does from time to time) and return the new one."""
        with self._lock:
            self._nonce = secrets.token_urlsafe(24)
            return self._nonce

    def add_service_app(
        self,
        client_id: str,
        public_key_pem: bytes | str,
        scopes: Sequence[str],
        key_id: str | None = None,
    ) -> ServiceApp:
        """Register a service app, replacing one with the same client id.

        `key_id`, when given, must be the `kid` header of the app's client assertions.
        Raises ValueError for an empty id, a key that is not RSA or EC P-256 PEM, or a
        malformed scope.
        """
        if not client_id or client_id.split() != [client_id]:
            raise ValueError("client id must be non-empty and without spaces")
        if key_id is not None and not key_id:
            raise ValueError("key id must not be empty")
        app = ServiceApp(client_id, load_public_key(public_key_pem), _check_scopes(scopes), key_id)
        with self._lock:
            self._apps[client_id] = app
        return app

    def add_access_token(self, token: str, scopes: Sequence[str], ttl_seconds: int = 3600) -> None:
        """Accept a pre-issued (Bearer) access token for `ttl_seconds`."""
        if not token or token.split() != [token]:
            raise ValueError("access token must be non-empty and without spaces")
        _check_ttl(ttl_seconds)
        record = _AccessToken(_check_scopes(scopes), time.time() + ttl_seconds, None)
        with self._lock:
            self._tokens[_token_key(token)] = record

    def expire_access_tokens(self) -> None:
        """Make every access token granted or added so far expired."""
        now = time.time()
        with self._lock:
            self._tokens = {
                key: _AccessToken(record.scopes, min(record.expires_at, now - 1), record.jkt)
                for key, record in self._tokens.items()
            }

    def issue_token(
        self, form: Mapping[str, str], dpop_proofs: Sequence[str], token_url: str
    ) -> dict[str, object]:
        """Answer a token request: the token response, or an `OAuthError`."""
        grant_type = form.get("grant_type")
        if not grant_type:
            raise _invalid_request("The 'grant_type' parameter is required.")
        if grant_type != "client_credentials":
            raise OAuthError(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            )
        assertion_type = form.get("client_assertion_type")
        assertion = form.get("client_assertion")
        if assertion_type is None and assertion is None:
            raise _invalid_client("Client authentication failed: no client assertion was sent.")
        if assertion_type != CLIENT_ASSERTION_TYPE:
            raise _invalid_request(f"The 'client_assertion_type' must be {CLIENT_ASSERTION_TYPE}.")
        if not assertion:
            raise _invalid_request("The 'client_assertion' parameter is required.")
        jkt = self._token_request_proof(dpop_proofs, token_url) if self.require_dpop else None
        app = self._authenticate_client(assertion, form.get("client_id"), token_url)
        requested = list(dict.fromkeys(form.get("scope", "").split()))
        if not requested:
            raise OAuthError(400, "invalid_scope", "The 'scope' parameter is required.")
        excess = [scope for scope in requested if scope not in app.scopes]
        if excess:
            raise OAuthError(
                400, "invalid_scope", f"The client is not granted the scopes: {' '.join(excess)}."
            )
        token = secrets.token_urlsafe(32)
        with self._lock:
            ttl = self._token_ttl_seconds
            self._tokens[_token_key(token)] = _AccessToken(frozenset(requested), time.time() + ttl, jkt)
            self._issued.append(token)
        return {
            "token_type": "DPoP" if jkt is not None else "Bearer",
            "expires_in": ttl,
            "access_token": token,
            "scope": " ".join(requested),
        }

    def authorize(self, scheme: str, token: str, dpop_proofs: Sequence[str], method: str, url: str) -> None:
        """Check an API request's `Authorization: <scheme> <token>`; raises `AccessDenied`.

        GET and HEAD need `okta.apps.read` or `okta.apps.manage`, other methods
        `okta.apps.manage`. A DPoP-bound token must come with scheme `DPoP` and a proof for
        this request (`url` without query) signed by the bound key.
        """
        now = time.time()
        with self._lock:
            record = self._tokens.get(_token_key(token))
        if record is None or record.expires_at <= now:
            raise AccessDenied(401, INVALID_TOKEN_CHALLENGE)
        if record.jkt is None:
            if scheme != "Bearer":
                raise AccessDenied(401, INVALID_TOKEN_CHALLENGE)
        else:
            if scheme != "DPoP" or not dpop_proofs:
                raise AccessDenied(401, INVALID_DPOP_PROOF_CHALLENGE)
            try:
                proof = self._verify_proof(dpop_proofs, method, url, access_token=token)
            except OAuthError as exc:
                raise AccessDenied(401, INVALID_DPOP_PROOF_CHALLENGE) from exc
            if proof.jkt != record.jkt or not self._remember_proof(proof.jti, now):
                raise AccessDenied(401, INVALID_DPOP_PROOF_CHALLENGE)
        needed = _READ_SCOPES if method in ("GET", "HEAD") else _MANAGE_SCOPES
        if not record.scopes & needed:
            raise AccessDenied(403, f'{scheme} error="insufficient_scope"')

    def _token_request_proof(self, dpop_proofs: Sequence[str], token_url: str) -> str:
        """The thumbprint of the key a token request's DPoP proof binds the token to."""
        if not dpop_proofs:
            raise self._nonce_challenge()
        proof = self._verify_proof(dpop_proofs, "POST", token_url, access_token=None)
        if proof.nonce != self.dpop_nonce:
            raise self._nonce_challenge()
        if not self._remember_proof(proof.jti, time.time()):
            raise _invalid_proof("The DPoP proof's jti has already been used.")
        return proof.jkt

    def _nonce_challenge(self) -> OAuthError:
        return OAuthError(
            400,
            "use_dpop_nonce",
            "Authorization server requires nonce in DPoP proof.",
            {"DPoP-Nonce": self.dpop_nonce},
        )

    def _remember_proof(self, jti: str, now: float) -> bool:
        with self._lock:
            return self._proof_jtis.remember(jti, now + DPOP_PROOF_MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS, now)

    @staticmethod
    def _verify_proof(dpop_proofs: Sequence[str], method: str, url: str, access_token: str | None) -> _Proof:
        """Check a DPoP proof's form, signature and claims; the caller checks nonce and replay."""
        if len(dpop_proofs) != 1:
            raise _invalid_proof("Exactly one DPoP header is required.")
        (proof,) = dpop_proofs
        try:
            header = jwt.get_unverified_header(proof)
        except jwt.PyJWTError as exc:
            raise _invalid_proof("The DPoP proof is not a valid JWT.") from exc
        if header.get("typ") != "dpop+jwt":
            raise _invalid_proof("The DPoP proof's typ header must be dpop+jwt.")
        jwk = header.get("jwk")
        if not isinstance(jwk, dict) or _PRIVATE_JWK_MEMBERS & jwk.keys():
            raise _invalid_proof("The DPoP proof's jwk header must be a public key.")
        algorithm = header.get("alg")
        try:
            key: Any = jwt.PyJWK(jwk, algorithm=str(algorithm)).key
            if algorithm_for(key) != algorithm:
                raise ValueError("algorithm does not fit the key")
        except (jwt.PyJWTError, ValueError, TypeError, KeyError) as exc:
            raise _invalid_proof("The DPoP proof must be signed RS256 or ES256 by its jwk.") from exc
        try:
            claims = jwt.decode(
                proof,
                key,
                algorithms=[str(algorithm)],
                options={"require": ["jti", "htm", "htu", "iat"], "verify_aud": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            raise _invalid_proof(f"The DPoP proof is invalid: {exc}") from exc
        if claims["htm"] != method:
            raise _invalid_proof("The DPoP proof's htm does not match the request method.")
        if claims["htu"] != url:
            raise _invalid_proof("The DPoP proof's htu does not match the request URL.")
        iat = claims["iat"]
        if not isinstance(iat, int | float) or abs(time.time() - iat) > DPOP_PROOF_MAX_AGE_SECONDS:
            raise _invalid_proof("The DPoP proof's iat is not within the accepted window.")
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise _invalid_proof("The DPoP proof's jti must be a non-empty string.")
        if access_token is not None and claims.get("ath") != access_token_hash(access_token):
            raise _invalid_proof("The DPoP proof's ath does not match the access token.")
        return _Proof(jkt=jwk_thumbprint(key), jti=jti, nonce=claims.get("nonce"))

    def _authenticate_client(self, assertion: str, client_id: str | None, token_url: str) -> ServiceApp:
        """Verify a client assertion and return the service app it authenticates."""
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise _invalid_client("The client_assertion is not a valid JWT.") from exc
        issuer = unverified.get("iss")
        with self._lock:
            app = self._apps.get(issuer) if isinstance(issuer, str) else None
        if app is None:
            raise _invalid_client("The client_assertion's iss is not the client_id of a registered client.")
        if client_id is not None and client_id != app.client_id:
            raise _invalid_client("The client_id parameter does not match the client_assertion's iss.")
        if app.key_id is not None and header.get("kid") != app.key_id:
            raise _invalid_client("The client_assertion's kid does not match the client's key.")
        claims = _decode_assertion(assertion, app, token_url)
        if claims["sub"] != app.client_id:
            raise _invalid_client("The client_assertion's sub must equal its iss.")
        iat, exp, jti = claims["iat"], claims["exp"], claims["jti"]
        now = time.time()
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            raise _invalid_client("The client_assertion's iat and exp must be numbers.")
        if iat > now + CLOCK_SKEW_SECONDS:
            raise _invalid_client("The client_assertion's iat is in the future.")
        if exp - iat > MAX_ASSERTION_LIFETIME_SECONDS:
            raise _invalid_client("The client_assertion's exp is more than one hour after its iat.")
        if not isinstance(jti, str) or not jti:
            raise _invalid_client("The client_assertion's jti must be a non-empty string.")
        with self._lock:
            fresh = self._assertion_jtis.remember(f"{app.client_id} {jti}", float(exp), now)
        if not fresh:
            raise _invalid_client("The client_assertion's jti has already been used.")
        return app


def _decode_assertion(assertion: str, app: ServiceApp, token_url: str) -> dict[str, Any]:
    try:
        return jwt.decode(
            assertion,
            app.public_key,
            algorithms=[app.algorithm],
            audience=token_url,
            issuer=app.client_id,
            options={
                "require": ["iss", "sub", "aud", "exp", "iat", "jti"],
                "verify_iat": False,
                "strict_aud": True,
            },
        )
    except jwt.ExpiredSignatureError as exc:
        raise _invalid_client("The client_assertion has expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise _invalid_client(f"The client_assertion's aud must be {token_url}.") from exc
    except jwt.InvalidSignatureError as exc:
        raise _invalid_client("The client_assertion's signature is invalid.") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise _invalid_client(f"The client_assertion has no {exc.claim} claim.") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise _invalid_client(f"The client_assertion must be signed {app.algorithm}.") from exc
    except jwt.PyJWTError as exc:
        raise _invalid_client(f"The client_assertion is invalid: {exc}") from exc


def _token_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_ttl(seconds: int) -> None:
    if seconds < 1:
        raise ValueError(f"token lifetime must be at least 1 second, got {seconds}")
