"""Application features (`/api/v1/apps/{appId}/features/{name}`): the two calls and the model.

Okta has no way to create or delete a feature; it is read and replaced. Capabilities are kept
as Okta's nested JSON, in the spec's spelling: answers spell the username format
`userNameFormat` (the spec: `usernameFormat`) and the guide sends `timeZone` (the spec:
`timezone`), so both are read, and a `null` schedule reads as absent. Requests are sent in
the spelling Okta itself answers with and shows in its request examples (`userNameFormat`,
`timeZone`), which a server that writes them surely reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from provider.okta.errors import OktaAPIError, OktaResponseError
from provider.okta.ids import path_segment

if TYPE_CHECKING:
    from provider.okta.client import OktaClient

USER_PROVISIONING = "USER_PROVISIONING"
INBOUND_PROVISIONING = "INBOUND_PROVISIONING"
FEATURE_NAMES = (USER_PROVISIONING, INBOUND_PROVISIONING)
NOT_ENABLED_CAUSE = "Provisioning is not enabled for the app instance"

Capabilities = dict[str, Any]

# Spellings read from answers -> the spec's; and the spec's -> what requests send.
_READ_AS = {"userNameFormat": "usernameFormat", "timeZone": "timezone"}
_SENT_AS = {"usernameFormat": "userNameFormat", "timezone": "timeZone"}


def feature_path(app_id: str, name: str) -> str:
    """The feature's path, each id exactly one path segment whatever it contains."""
    return f"/api/v1/apps/{path_segment(app_id)}/features/{path_segment(name)}"


def provisioning_not_enabled(exc: OktaAPIError) -> bool:
    """Whether Okta refused a features call because the app's connection is not enabled."""
    return (
        exc.status == 400
        and exc.error_code == "E0000001"
        and any(cause.rstrip(".") == NOT_ENABLED_CAUSE for cause in exc.error_causes)
    )


def _respelled(value: Any, names: dict[str, str], *, drop_null: bool) -> Any:
    if not isinstance(value, dict):
        return value
    return {
        names.get(key, key): _respelled(item, names, drop_null=drop_null)
        for key, item in value.items()
        if not (drop_null and item is None)
    }


@dataclass(frozen=True)
class Feature:
    """What Okta reports about one feature."""

    name: str
    status: str | None
    description: str | None
    capabilities: Capabilities

    @classmethod
    def from_json(cls, body: Any) -> Feature:
        """Parse leniently: unknown fields are ignored; a missing `name` raises ValueError."""
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise ValueError("the required field name is missing")
        capabilities = body.get("capabilities")
        status, description = body.get("status"), body.get("description")
        return cls(
            name=body["name"],
            status=status if isinstance(status, str) else None,
            description=description if isinstance(description, str) else None,
            capabilities=_respelled(capabilities, _READ_AS, drop_null=True)
            if isinstance(capabilities, dict)
            else {},
        )


def request_body(capabilities: Capabilities) -> Capabilities:
    """The PUT body for `capabilities` (spec spelling), as sent: Okta's wire spelling."""
    body: Capabilities = _respelled(capabilities, _SENT_AS, drop_null=False)
    return body


def get_feature(client: OktaClient, app_id: str, name: str) -> Feature:
    """GET one feature; OktaNotFoundError for an unknown application."""
    return _feature(client, "GET", feature_path(app_id, name))


def update_feature(client: OktaClient, app_id: str, name: str, capabilities: Capabilities) -> Feature:
    """PUT the whole capabilities object of one feature."""
    return _feature(client, "PUT", feature_path(app_id, name), request_body(capabilities))


def _feature(client: OktaClient, method: str, path: str, body: Capabilities | None = None) -> Feature:
    response = client.call(method, path, body)
    try:
        return Feature.from_json(json.loads(response.content))
    except (ValueError, UnicodeDecodeError) as exc:
        raise OktaResponseError(method, path, response.status_code, str(exc)) from None
