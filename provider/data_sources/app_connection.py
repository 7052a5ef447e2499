"""Data source okta_app_connection: read an application's provisioning connection by its ID."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tf.schema import Attribute, Schema
from tf.types import String

from provider.data_sources.by_application import ByApplicationId
from provider.plugin.types import Object

if TYPE_CHECKING:
    from provider.okta.client import OktaClient

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


class AppConnectionData(ByApplicationId):
    """Maps `GET .../connections/default` onto the data source's attributes."""

    reading = "the provisioning connection"
    name = "app_connection"
    schema = SCHEMA

    def fetch(self, client: OktaClient, app_id: str) -> dict[str, Any]:
        connection = client.get_connection(app_id)
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
