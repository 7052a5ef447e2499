"""Data source okta_app_connection: read an application's provisioning connection by its ID."""

from __future__ import annotations

from typing import Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema
from tf.types import String
from tf.utils import Diagnostics

from provider.diagnostics import add_not_configured, add_okta_error
from provider.okta import OktaError
from provider.plugin.types import Object
from provider.provider import NotConfigured, OktaProvider

SCHEMA = Schema(
    version=0,
    description="Reads the default provisioning connection of an Okta application, as Okta reports it "
    "(Okta never returns secrets).",
    attributes=[
        Attribute("id", String(), required=True, description="The ID of the application."),
        Attribute(
            "status",
            String(),
            computed=True,
            description="`ENABLED`, `DISABLED`, or `UNKNOWN` for an application without provisioning.",
        ),
        Attribute("auth_scheme", String(), computed=True, description="`TOKEN`, `OAUTH2` or `UNKNOWN`."),
        Attribute("base_url", String(), computed=True, description="The base URL, for `TOKEN` connections."),
        Attribute(
            "authorize_url",
            String(),
            computed=True,
            description="For OAuth consent apps (Google, Office 365, Slack, Zoom) not yet consented: the "
            "URL an administrator opens to grant consent.",
        ),
        Attribute(
            "profile",
            Object(
                {
                    "auth_scheme": String(),
                    "client_id": String(),
                    "signing": Object({"rotation_mode": String()}),
                }
            ),
            computed=True,
            description="The connection's profile: `auth_scheme`, `client_id` (when Okta reports it) and "
            "`signing.rotation_mode` (Org2Org OAuth).",
        ),
    ],
)


def checked_app_id(diags: Diagnostics, config: dict[str, Any]) -> str | None:
    app_id = config.get("id")
    if isinstance(app_id, str) and not app_id.strip():
        diags.add_error(
            "Invalid id", "id must be an Okta application ID, such as 0oa1b2c3d4e5f6g7h8i9.", path=["id"]
        )
        return None
    return app_id if isinstance(app_id, str) else None


class AppConnectionData:
    """Maps `GET .../connections/default` onto the data source's attributes."""

    def __init__(self, provider: OktaProvider) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "app_connection"

    @classmethod
    def get_schema(cls) -> Schema:
        return SCHEMA

    def validate(self, diags: Diagnostics, type_name: str, config: dict[str, Any]) -> None:
        checked_app_id(diags, config)

    def read(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        diags = ctx.diagnostics
        app_id = checked_app_id(diags, config)
        if app_id is None:
            return None
        try:
            connection = self.provider.client.get_connection(app_id)
        except NotConfigured as exc:
            add_not_configured(diags, exc)
            return None
        except OktaError as exc:
            add_okta_error(diags, exc, f'reading the provisioning connection of application "{app_id}"')
            return None
        signing = {"rotation_mode": connection.rotation_mode} if connection.rotation_mode else None
        return {
            "id": app_id,
            "status": connection.status,
            "auth_scheme": connection.auth_scheme,
            "base_url": connection.base_url,
            "authorize_url": connection.authorize_url,
            "profile": {
                "auth_scheme": connection.auth_scheme,
                "client_id": connection.client_id,
                "signing": signing,
            },
        }
