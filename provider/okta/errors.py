"""The client's exception tree; every message a user can see is worded here, once.

    OktaError                 anything the client raises on purpose
    ├── OktaAPIError          Okta answered with an error status (4xx/5xx) and, usually, an error body
    │   └── OktaNotFoundError the 404 case (E0000007), which callers often treat as "already gone"
    ├── OktaTransportError    no usable answer: connection refused, reset, timed out, TLS failure
    ├── OktaResponseError     an answer came, but not one the API promises (bad JSON, missing fields)
    ├── OktaAuthError         the org's token endpoint refused the OAuth service app, or failed
    └── OktaCancelled         Terraform asked the provider to stop while it was waiting

No message ever contains a request body or a header, so no secret can leak through an error.
The errors with fields are dataclasses with `eq=False`: like every exception, they compare and
hash by identity (a dataclass's field equality would make them unhashable).

Every error says whether Okta may have acted on the call before it failed (`may_have_acted`):
the client sets it from what the retries saw, whatever the last answer or failure was, so that a
caller asks Okta what is true rather than take a 429, a refused token or a stop for "nothing
happened".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

AuthKind = Literal["api_token", "access_token", "service_app"]
"""How a call was authenticated: which advice fits a 401 or 403 depends on it."""


class OktaError(Exception):
    """Base class of every error the Okta client raises on purpose."""

    # Whether Okta may have acted on the call: an attempt it got whose answer was lost, a 5xx, or an
    # answer that could not be read, before this error or as it.
    may_have_acted: bool = False

    @property
    def summary(self) -> str:
        """One line for a Terraform diagnostic's summary."""
        return str(self)

    @property
    def detail(self) -> str:
        """Everything else a user or Okta support needs."""
        return ""


def proxy_refused(status: int | str) -> str:
    """What failed when the proxy, not Okta, answered with an error (`status`): its body and reason
    phrase are never quoted, as a hostile proxy may copy the request's credentials into them."""
    return f"the proxy refused the connection ({status})"


def proxy_refusal(exc: BaseException | None) -> str | None:
    """What failed when the proxy refused to open a tunnel (`exc`, httpx's ProxyError), or None.

    httpx words it "STATUS REASON", and the reason phrase is the proxy's to choose: only the
    status is kept.
    """
    import httpx  # only ever asked after a call, when httpx is loaded: start-up stays without it

    if not isinstance(exc, httpx.ProxyError):
        return None
    status = str(exc).split(" ", 1)[0]
    return proxy_refused(status if status.isdigit() else "no status")


def attempts_line(attempts: int, elapsed: float) -> str:
    if attempts <= 1:
        return ""
    return f"Gave up after {attempts} attempts over {elapsed:.1f} s."


@dataclass(eq=False)
class OktaAPIError(OktaError):
    """Okta answered with an error status; carries the fields of Okta's error body."""

    method: str
    path: str
    status: int
    error_code: str = ""
    error_summary: str = ""
    error_causes: list[str] = field(default_factory=list)
    error_id: str = ""
    request_id: str = ""
    attempts: int = 1
    elapsed: float = 0.0
    auth: AuthKind | None = None
    # From Okta's `WWW-Authenticate` answer (RFC 6750): `error`, `error_description` and the
    # `scope` the call needs, e.g. "insufficient_scope" and "okta.apps.manage".
    auth_error: str = ""
    auth_error_description: str = ""
    required_scope: str = ""
    may_have_acted: bool = False

    @classmethod
    def from_body(cls, method: str, path: str, status: int, body: Any, **context: Any) -> OktaAPIError:
        """Build the error from a decoded (or undecodable, then None) Okta error body."""
        kind = OktaNotFoundError if status == 404 else OktaAPIError
        if not isinstance(body, dict):
            return kind(method, path, status, **context)
        causes = [
            str(cause.get("errorSummary"))
            for cause in body.get("errorCauses") or []
            if isinstance(cause, dict) and cause.get("errorSummary")
        ]
        return kind(
            method,
            path,
            status,
            error_code=str(body.get("errorCode") or ""),
            error_summary=str(body.get("errorSummary") or ""),
            error_causes=causes,
            error_id=str(body.get("errorId") or ""),
            **context,
        )

    def __str__(self) -> str:
        code = f" {self.error_code}" if self.error_code else ""
        what = self.error_summary or "no error description in the response"
        return f"Okta answered {self.status}{code} to {self.method} {self.path}: {what}"

    @property
    def summary(self) -> str:
        code = f" {self.error_code}" if self.error_code else ""
        return f"Okta API error {self.status}{code}: {self.error_summary or 'no error description'}"

    @property
    def detail(self) -> str:
        lines = [f"Request: {self.method} {self.path}"]
        lines += [f"Cause: {cause}" for cause in self.error_causes]
        if self.auth_error:
            said = f"Okta's WWW-Authenticate: {self.auth_error}"
            if self.required_scope:
                said += f" (scope {self.required_scope})"
            if self.auth_error_description:
                said += f": {self.auth_error_description}"
            lines.append(said)
        if self.error_id:
            lines.append(f"Okta error id: {self.error_id}")
        if self.request_id:
            lines.append(f"Okta request id: {self.request_id}")
        if retried := attempts_line(self.attempts, self.elapsed):
            lines.append(retried)
        return "\n".join(lines)


class OktaNotFoundError(OktaAPIError):
    """Okta answered 404: the application (or its connection) does not exist."""


@dataclass(eq=False)
class OktaTransportError(OktaError):
    """No usable answer from Okta: says which host and what failed, never the request itself.

    `may_have_acted` is False only when Okta cannot have acted on the API call: no attempt reached
    it (none connected, or a proxy refused the tunnel), Okta answered the ones that did with a 429,
    or the call never left (an invalid header, or no access token to send it with).
    """

    method: str
    host: str
    path: str
    reason: str
    attempts: int = 1
    elapsed: float = 0.0
    may_have_acted: bool = True

    def __str__(self) -> str:
        return f"Could not reach Okta at {self.host} ({self.method} {self.path}): {self.reason}"

    @property
    def summary(self) -> str:
        return f"Could not reach Okta at {self.host}"

    @property
    def detail(self) -> str:
        lines = [f"Request: {self.method} {self.path}", f"What failed: {self.reason}"]
        if retried := attempts_line(self.attempts, self.elapsed):
            lines.append(retried)
        return "\n".join(lines)


@dataclass(eq=False)
class OktaResponseError(OktaError):
    """Okta answered, but not with what its API promises: it got the request, so it may have acted."""

    method: str
    path: str
    status: int
    problem: str
    may_have_acted: bool = True

    def __str__(self) -> str:
        return f"Unexpected answer from Okta to {self.method} {self.path} ({self.status}): {self.problem}"

    @property
    def summary(self) -> str:
        return "Unexpected answer from Okta"

    @property
    def detail(self) -> str:
        return f"Request: {self.method} {self.path}\nStatus: {self.status}\nProblem: {self.problem}"


_CHECK_SERVICE_APP = (
    "Check client_id (OKTA_API_CLIENT_ID), private_key (OKTA_API_PRIVATE_KEY), private_key_id "
    "(OKTA_API_PRIVATE_KEY_ID) and scopes (OKTA_API_SCOPES)."
)
# Advice for the OAuth error codes (RFC 6749 section 5.2) that name one cause.
_TOKEN_ERROR_ADVICE = {
    "invalid_client": (
        "Okta did not accept the signed assertion as the service app's: check client_id "
        "(OKTA_API_CLIENT_ID), private_key (OKTA_API_PRIVATE_KEY) and private_key_id "
        "(OKTA_API_PRIVATE_KEY_ID) against the public key registered with the service app."
    ),
    "invalid_scope": (
        "Check scopes (OKTA_API_SCOPES): ask only for scopes granted to the service app in Okta "
        "(its Okta API Scopes tab); the provider needs okta.apps.read and okta.apps.manage."
    ),
    "unauthorized_client": (
        "The app named by client_id (OKTA_API_CLIENT_ID) may not use the client-credentials grant: "
        "it must be an API Services app with the Client Credentials grant."
    ),
}


@dataclass(eq=False)
class OktaAuthError(OktaError):
    """The org's token endpoint refused to issue an access token to the service app."""

    status: int
    error: str
    description: str
    attempts: int = 1
    elapsed: float = 0.0
    may_have_acted: bool = False

    def __str__(self) -> str:
        if self.status >= 500:
            return f"Okta's token endpoint failed ({self.status} {self.error})"
        return f"Okta refused the service app's token request ({self.status} {self.error})"

    @property
    def advice(self) -> str:
        """What to do, from the cause Okta gave: a server error is no reason to check the key."""
        if self.status >= 500:
            return (
                f"Okta's token endpoint failed ({self.status}, a server error): the service app's "
                "settings are not the cause. Try again later; https://status.okta.com lists incidents."
            )
        if self.status == 429:
            return "Okta's rate limit for its token endpoint was reached: try again in a minute."
        return _TOKEN_ERROR_ADVICE.get(self.error, _CHECK_SERVICE_APP)

    @property
    def detail(self) -> str:
        lines = [self.description]
        if retried := attempts_line(self.attempts, self.elapsed):
            lines.append(retried)
        lines.append(self.advice)
        return "\n".join(lines)


class OktaCancelled(OktaError):
    """Terraform asked the provider to stop (Ctrl-C) while a request was waiting to be retried."""

    def __init__(self, *, may_have_acted: bool = False) -> None:
        super().__init__()
        self.may_have_acted = may_have_acted

    def __str__(self) -> str:
        return "Interrupted: Terraform asked the provider to stop while it was waiting on Okta"
