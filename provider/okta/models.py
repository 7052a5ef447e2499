"""Request bodies and parsed responses of the default provisioning connection endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TokenConnectionRequest:
    """The TOKEN body of the update POST (Org2Org, Zscaler)."""

    token: str | None = None
    base_url: str | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body exactly as the spec defines it: unset fields left out, never null."""
        profile: dict[str, Any] = {"authScheme": "TOKEN"}
        if self.token is not None:
            profile["token"] = self.token
        body: dict[str, Any] = {"profile": profile}
        if self.base_url is not None:
            body["baseUrl"] = self.base_url
        return body


@dataclass(frozen=True)
class OAuthConnectionRequest:
    """The OAUTH2 body of the update POST (Org2Org, Office 365, Google, Slack, Zoom)."""

    client_id: str | None = None
    rotation_mode: str | None = None
    admin_username: str | None = None
    admin_password: str | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body exactly as the spec defines it: unset fields left out, never null."""
        profile: dict[str, Any] = {"authScheme": "OAUTH2"}
        if self.client_id is not None:
            profile["clientId"] = self.client_id
        if self.rotation_mode is not None:
            profile["signing"] = {"rotationMode": self.rotation_mode}
        if self.admin_username is not None or self.admin_password is not None:
            profile["settings"] = {"adminUsername": self.admin_username, "adminPassword": self.admin_password}
        return {"profile": profile}


ConnectionRequest = TokenConnectionRequest | OAuthConnectionRequest


@dataclass(frozen=True)
class Connection:
    """What Okta reports about a connection (it never reports secrets)."""

    status: str
    auth_scheme: str
    base_url: str | None = None
    client_id: str | None = None
    rotation_mode: str | None = None
    authorize_url: str | None = None

    @classmethod
    def from_json(cls, body: Any) -> Connection:
        """Parse leniently: unknown fields are ignored; a missing required field raises ValueError."""
        if not isinstance(body, dict):
            raise ValueError("the body is not a JSON object")
        profile = body.get("profile")
        if not isinstance(profile, dict) or not isinstance(profile.get("authScheme"), str):
            raise ValueError("the required field profile.authScheme is missing")
        status = body.get("status", "DISABLED")
        if not isinstance(status, str):
            raise ValueError("the field status is not a string")
        signing = profile.get("signing")
        rotation_mode = signing.get("rotationMode") if isinstance(signing, dict) else None
        links = body.get("_links")
        authorize = links.get("authorize") if isinstance(links, dict) else None
        authorize_url = authorize.get("href") if isinstance(authorize, dict) else None
        base_url = body.get("baseUrl")
        client_id = profile.get("clientId")
        return cls(
            status=status,
            auth_scheme=profile["authScheme"],
            base_url=base_url if isinstance(base_url, str) else None,
            client_id=client_id if isinstance(client_id, str) else None,
            rotation_mode=rotation_mode if isinstance(rotation_mode, str) else None,
            authorize_url=authorize_url if isinstance(authorize_url, str) else None,
        )
