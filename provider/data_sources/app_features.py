"""Data source okta_app_features: read one provisioning feature of an application."""

from __future__ import annotations

from typing import Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema
from tf.types import String
from tf.utils import Diagnostics

from provider.diagnostics import add_feature_error, configured_client
from provider.okta import OktaError
from provider.okta.features import get_feature
from provider.resources.app_features import app_id_problem, feature_state, name_problem
from provider.resources.app_features_capabilities import CAPABILITIES, object_type
from provider.session import Session

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


class AppFeaturesData:
    """Maps `GET .../features/{name}` onto the data source's attributes."""

    def __init__(self, provider: Session) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "app_features"

    @classmethod
    def get_schema(cls) -> Schema:
        return SCHEMA

    def validate(self, diags: Diagnostics, type_name: str, config: dict[str, Any]) -> None:
        for problem in (app_id_problem(config.get("app_id")), name_problem(config.get("name"))):
            if problem is not None:
                diags.add_error(problem[1], problem[2], path=problem[0])

    def read(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        diags = ctx.diagnostics
        self.validate(diags, "", config)
        client = configured_client(self.provider, diags)
        if diags.has_errors() or client is None:
            return None
        app_id, name = config["app_id"], config["name"]
        try:
            feature = get_feature(client, app_id, name)
        except OktaError as exc:
            add_feature_error(diags, exc, f'reading feature {name} of application "{app_id}"', app_id)
            return None
        return feature_state(app_id, feature)
