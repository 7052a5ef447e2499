"""Data source okta_app_connection_jwks: the public keys of a connection (Org2Org OAuth).

Org2Org OAuth users register these keys on the hub org's service app.
"""

from __future__ import annotations

import json
from typing import Any

from tf.iface import ReadDataContext
from tf.schema import Attribute, Schema
from tf.types import List, String
from tf.utils import Diagnostics

from provider.data_sources.app_connection import checked_app_id
from provider.diagnostics import add_not_configured, add_okta_error
from provider.okta import OktaError
from provider.plugin.types import Object
from provider.provider import NotConfigured, OktaProvider

KEY_FIELDS = ("kid", "kty", "alg", "use", "e", "n", "status")

SCHEMA = Schema(
    version=0,
    description="Reads the JSON Web Key Set of an application's provisioning connection "
    "(`GET /api/v1/apps/{appId}/connections/default/jwks`), for Org2Org OAuth: register these "
    "keys on the hub org's service app.",
    attributes=[
        Attribute("id", String(), required=True, description="The ID of the application."),
        Attribute(
            "keys",
            List(Object({name: String() for name in KEY_FIELDS})),
            computed=True,
            description="The keys: `kid`, `kty`, `alg`, `use`, `e`, `n` and `status` of each.",
        ),
        Attribute(
            "jwks_json",
            String(),
            computed=True,
            description='The key set as a JSON document, `{"keys": [...]}`, with every field Okta returned.',
        ),
    ],
)


class AppConnectionJwksData:
    def __init__(self, provider: OktaProvider) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "app_connection_jwks"

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
            keys = self.provider.client.get_jwks(app_id)
        except NotConfigured as exc:
            add_not_configured(diags, exc)
            return None
        except OktaError as exc:
            add_okta_error(diags, exc, f'reading the key set of application "{app_id}"')
            return None
        return {
            "id": app_id,
            "keys": [{name: _text(key.get(name)) for name in KEY_FIELDS} for key in keys],
            "jwks_json": json.dumps({"keys": keys}, sort_keys=True),
        }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
