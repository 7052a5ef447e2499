"""Data source okta_app_connection_jwks: the public keys of a connection (Org2Org OAuth).

Org2Org OAuth users register these keys on the hub org's service app.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tf.schema import Attribute, Schema
from tf.types import List, String

from provider.data_sources.by_application import ByApplicationId
from provider.plugin.types import Object

if TYPE_CHECKING:
    from provider.okta.client import OktaClient

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


class AppConnectionJwksData(ByApplicationId):
    """Maps `GET .../connections/default/jwks` onto the data source's attributes."""

    reading = "the key set"
    name = "app_connection_jwks"
    schema = SCHEMA

    def fetch(self, client: OktaClient, app_id: str) -> dict[str, Any]:
        keys = client.get_jwks(app_id)
        return {
            "id": app_id,
            "keys": [{name: _text(key.get(name)) for name in KEY_FIELDS} for key in keys],
            "jwks_json": json.dumps({"keys": keys}, sort_keys=True),
        }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
