"""Authentication to Okta, as httpx.Auth flows: API token, access token, OAuth 2.0 service app.

PyJWT and cryptography are imported only by the service-app flow, which needs them. The
service app gets an access token with the client-credentials grant and a `private_key_jwt`
assertion, caches it until shortly before it expires, shares it across threads (one request for
many operations), fetches a new one once when Okta says the token is invalid, and proves
possession with DPoP when the org demands it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
import uuid
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from provider.okta.credentials import DEFAULT_SCOPES
from provider.okta.errors import AuthKind, OktaAuthError, OktaTransportError, proxy_refusal, proxy_refused
from provider.okta.keys import load_private_key

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_AUTH_PARAM = re.compile(r'([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))')


def challenge_params(www_authenticate: str) -> dict[str, str]:
    """The parameters of a `WWW-Authenticate` challenge, e.g. Okta's answer to a missing scope:
    `Bearer realm="...", scope="okta.apps.manage", error="insufficient_scope", error_description="..."`.
    """
    return {
        name.lower(): re.sub(r"\\(.)", r"\1", quoted) if quoted else bare
        for name, quoted, bare in _AUTH_PARAM.findall(www_authenticate)
    }


class SSWSAuth(httpx.Auth):
    """Okta API-token authentication: `Authorization: SSWS <token>`."""

    kind: ClassVar[AuthKind] = "api_token"

    def __init__(self, token: str) -> None:
        self._header = f"SSWS {token}"

    def __repr__(self) -> str:
        return "SSWSAuth(<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class BearerAuth(httpx.Auth):
    """A ready-made OAuth 2.0 access token: `Authorization: Bearer <token>`."""

    kind: ClassVar[AuthKind] = "access_token"

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class DPoPKey:
    """An ephemeral P-256 key proving possession of a DPoP-bound token (RFC 9449)."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        self._key = ec.generate_private_key(ec.SECP256R1())
        numbers = self._key.public_key().public_numbers()
        self.jwk = {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
        }

    def proof(
        self, method: str, url: str, *, nonce: str | None = None, access_token: str | None = None
    ) -> str:
        claims: dict[str, Any] = {
            "htm": method,
            "htu": url,
            "iat": int(time.time()),
            "jti": str(uuid.uuid4()),
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            claims["ath"] = _b64url(hashlib.sha256(access_token.encode()).digest())
        import jwt

        return jwt.encode(claims, self._key, algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": self.jwk})


@dataclass(frozen=True)
class AccessToken:
    value: str
    token_type: str  # "Bearer" or "DPoP"
    refresh_at: float  # time.monotonic() after which a new token is fetched


class ServiceAppAuth(httpx.Auth):
    """OAuth 2.0 client credentials with a private_key_jwt assertion, shared by all threads."""

    kind: ClassVar[AuthKind] = "service_app"

    def __init__(
        self,
        org_url: str,
        client_id: str,
        private_key_pem: str,
        *,
        key_id: str | None = None,
        scopes: Sequence[str] = DEFAULT_SCOPES,
        token_http: httpx.Client,
    ) -> None:
        self._token_url = f"{org_url}/oauth2/v1/token"
        self._client_id = client_id
        self._key, self._algorithm = load_private_key(private_key_pem)
        self._key_id = key_id
        self._scopes = " ".join(scopes)
        self._http = token_http
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self._dpop: DPoPKey | None = None
        self._nonce: str | None = None
        self.tokens_fetched = 0

    def __repr__(self) -> str:
        return f"ServiceAppAuth(client_id={self._client_id!r})"

    def _assertion(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self._client_id,
            "sub": self._client_id,
            "aud": self._token_url,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        headers = {"kid": self._key_id} if self._key_id else None
        import jwt

        return jwt.encode(claims, self._key, algorithm=self._algorithm, headers=headers)

    def _token_request(self) -> httpx.Request:
        """A token request with a new assertion (and DPoP proof): each `jti` may be used only once."""
        form = {
            "grant_type": "client_credentials",
            "scope": self._scopes,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self._assertion(),
        }
        headers = {"Accept": "application/json"}
        if self._dpop is not None:
            headers["DPoP"] = self._dpop.proof("POST", self._token_url, nonce=self._nonce)
        renew = {"okta_renew": self._token_request}
        return self._http.build_request("POST", self._token_url, data=form, headers=headers, extensions=renew)

    def _request_token(self, nonces_taken: int = 0) -> AccessToken:
        """Fetch a token; a `use_dpop_nonce` answer with a nonce not yet tried is followed, twice
        at most (the first challenge, and a nonce Okta rotated while the request was retried)."""
        try:
            response = self._http.send(self._token_request())
        except httpx.TransportError as exc:
            # The API call waiting for this token is not sent (the client knows of any earlier try).
            reason = proxy_refusal(exc.__cause__) or str(exc)  # a refused tunnel, retried
            raise OktaTransportError(
                "POST", self._http.base_url.host or "", "/oauth2/v1/token", reason, may_have_acted=False
            ) from None
        if response.status_code == 407:
            # Okta never asks for proxy credentials: the proxy answered the request itself.
            raise OktaTransportError(
                "POST",
                self._http.base_url.host or "",
                "/oauth2/v1/token",
                proxy_refused(407),
                may_have_acted=False,
            )
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            error = str(body.get("error", "")) if isinstance(body, dict) else ""
            offered = response.headers.get("DPoP-Nonce")
            if error == "use_dpop_nonce" and offered and offered != self._nonce and nonces_taken < 2:
                self._dpop = self._dpop or DPoPKey()
                self._nonce = offered
                return self._request_token(nonces_taken + 1)
            description = str(body.get("error_description", "")) if isinstance(body, dict) else ""
            raise OktaAuthError(
                response.status_code,
                error or "no error code",
                description or "no description",
                attempts=response.extensions.get("okta_attempts", 1),
                elapsed=response.extensions.get("okta_elapsed", 0.0),
            )
        self.tokens_fetched += 1
        lifetime = float(body.get("expires_in") or 3600)
        return AccessToken(
            value=str(body["access_token"]),
            token_type=str(body.get("token_type") or "Bearer"),
            refresh_at=time.monotonic() + lifetime - min(60.0, lifetime / 10),
        )

    def _current(self, stale: AccessToken | None = None) -> AccessToken:
        """The cached token, fetched first when absent, expiring, or the one Okta just refused."""
        with self._lock:
            token = self._token
            if token is None or token is stale or time.monotonic() >= token.refresh_at:
                self._nonce = None
                token = self._token = self._request_token()
            return token

    def _sign(self, request: httpx.Request, token: AccessToken) -> None:
        if token.token_type.lower() == "dpop" and self._dpop is not None:
            dpop = self._dpop
            url = str(request.url.copy_with(query=None, fragment=None))

            def prove() -> httpx.Request:  # a new proof for every attempt: each jti is single-use
                request.headers["DPoP"] = dpop.proof(request.method, url, access_token=token.value)
                return request

            request.headers["Authorization"] = f"DPoP {token.value}"
            request.extensions["okta_renew"] = prove
            prove()
        else:
            request.headers["Authorization"] = f"Bearer {token.value}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._current()
        self._sign(request, token)
        response = yield request
        if response.status_code == 401 and "invalid_token" in response.headers.get("WWW-Authenticate", ""):
            self._sign(request, self._current(stale=token))
            yield request
