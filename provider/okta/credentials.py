"""The three ways to authenticate to Okta, as plain values (nothing here imports an HTTP stack).

Each writes its own `__repr__`, which never shows the secret (`repr=False` to the dataclass).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SCOPES = ("okta.apps.manage", "okta.apps.read")


@dataclass(frozen=True, repr=False)
class ApiToken:
    """An Okta API token (SSWS)."""

    token: str

    def __repr__(self) -> str:
        return "ApiToken(<redacted>)"


@dataclass(frozen=True, repr=False)
class AccessTokenCredentials:
    """An OAuth 2.0 access token obtained elsewhere."""

    token: str

    def __repr__(self) -> str:
        return "AccessTokenCredentials(<redacted>)"


@dataclass(frozen=True, repr=False)
class ServiceAppCredentials:
    """An OAuth 2.0 service app: its client id and the private key registered with it."""

    client_id: str
    private_key_pem: str
    key_id: str | None = None
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    def __repr__(self) -> str:
        return f"ServiceAppCredentials(client_id={self.client_id!r}, private_key=<redacted>)"


Credentials = ApiToken | AccessTokenCredentials | ServiceAppCredentials
