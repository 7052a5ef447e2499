"""Data source okta_app_features: read one provisioning feature of an application."""

from __future__ import annotations

from typing import Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema
from tf.types import String

from provider.declared_type import DeclaredType
from provider.diagnostics import configured_client
from provider.resources.app_features import feature_id_problems, fetched_state
from provider.resources.app_features_capabilities import CAPABILITIES, object_type

SCHEMA = Schema(
    version=0,
    description="Reads a provisioning feature of an Okta application (`GET "
    "/api/v1/apps/{appId}/features/{name}`), with all its settings as Okta reports them.",
    attributes=[
        Attribute("id", String(), computed=True, description="`{app_id}/{name}`."),
        Attribute("app_id", String(), required=True, description="The ID of the application."),
        Attribute(
            "name", String(), required=True, description="`USER_PROVISIONING` or `INBOUND_PROVISIONING`."
        ),
        Attribute("status", String(), computed=True, description="The feature's status."),
        Attribute("description", String(), computed=True, description="Okta's description of the feature."),
        Attribute(
            "capabilities",
            object_type(CAPABILITIES),
            computed=True,
            description="The settings, named as in the `okta_app_features` resource: `create` and "
            "`update` for `USER_PROVISIONING`, `import_settings` and `import_rules` for "
            "`INBOUND_PROVISIONING` (the others are null). A schedule Okta has none of is null.",
        ),
    ],
)


class AppFeaturesData(DeclaredType):
    """Maps `GET .../features/{name}` onto the data source's attributes."""

    name = "app_features"
    schema = SCHEMA
    problems = staticmethod(feature_id_problems)

    def read(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        diags = ctx.diagnostics
        self.validate(diags, "", config)
        client = configured_client(self.provider, diags)
        if diags.has_errors() or client is None:
            return None
        return fetched_state(client, diags, config["app_id"], config["name"], "reading")
