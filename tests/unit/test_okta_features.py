"""The features calls of the Okta client against httpx.MockTransport: paths, spellings, errors."""

from __future__ import annotations

import json

import httpx
import pytest

from provider.okta import ApiToken, ClientOptions, OktaAPIError, OktaResponseError, RetryPolicy
from provider.okta.client import OktaClient
from provider.okta.features import (
    Feature,
    get_feature,
    provisioning_not_enabled,
    request_body,
    update_feature,
)

INBOUND_ANSWER = {
    "name": "INBOUND_PROVISIONING",
    "status": "ENABLED",
    "description": "In-bound provisioning settings for provisioning users from an application to Okta",
    "capabilities": {
        "importSettings": {
            "username": {"userNameFormat": "EMAIL"},
            "schedule": {
                "status": "ENABLED",
                "fullImport": {"expression": "0 1 * * *", "timeZone": "UTC"},
                "incrementalImport": None,
            },
        },
        "importRules": {"userCreateAndMatch": {"exactMatchCriteria": "USERNAME", "allowPartialMatch": True}},
    },
}


def client_answering(
    seen: list[httpx.Request], status: int = 200, body: object = INBOUND_ANSWER
) -> OktaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    options = ClientOptions(retry=RetryPolicy(max_retries=0))
    return OktaClient(
        "https://dev-1.okta.com", ApiToken("t0k"), transport=httpx.MockTransport(handler), options=options
    )


def test_ids_reach_okta_as_one_path_segment_each() -> None:
    seen: list[httpx.Request] = []

    get_feature(client_answering(seen), "0oa/../x y", "INBOUND_PROVISIONING")
    get_feature(client_answering(seen), "..", "USER_PROVISIONING")

    assert seen[0].url.raw_path == b"/api/v1/apps/0oa%2F%2E%2E%2Fx%20y/features/INBOUND_PROVISIONING"
    assert seen[1].url.raw_path == b"/api/v1/apps/%2E%2E/features/USER_PROVISIONING"


def test_both_spellings_are_read_and_a_null_schedule_is_absent() -> None:
    feature = get_feature(client_answering([]), "0oa1", "INBOUND_PROVISIONING")

    settings = feature.capabilities["importSettings"]
    assert settings["username"] == {"usernameFormat": "EMAIL"}
    assert settings["schedule"] == {
        "status": "ENABLED",
        "fullImport": {"expression": "0 1 * * *", "timezone": "UTC"},
    }
    assert feature.status == "ENABLED"
    assert Feature.from_json(
        {**INBOUND_ANSWER, "capabilities": {"importSettings": {"username": {"usernameFormat": "CUSTOM"}}}}
    ).capabilities["importSettings"]["username"] == {"usernameFormat": "CUSTOM"}


def test_put_sends_the_whole_object_in_okta_s_wire_spelling() -> None:
    seen: list[httpx.Request] = []
    capabilities = {
        "importSettings": {
            "username": {"usernameFormat": "EMAIL"},
            "schedule": {"fullImport": {"expression": "x", "timezone": "UTC"}},
        }
    }

    update_feature(client_answering(seen), "0oa1", "INBOUND_PROVISIONING", capabilities)

    assert seen[0].method == "PUT"
    assert seen[0].headers["Content-Type"] == "application/json"
    assert json.loads(seen[0].content) == {
        "importSettings": {
            "username": {"userNameFormat": "EMAIL"},
            "schedule": {"fullImport": {"expression": "x", "timeZone": "UTC"}},
        }
    }
    assert request_body({"importSettings": {"schedule": {"fullImport": None}}}) == {
        "importSettings": {"schedule": {"fullImport": None}}
    }


def test_the_connection_not_enabled_answer_is_recognised() -> None:
    body = {
        "errorCode": "E0000001",
        "errorSummary": "Api validation failed: feature",
        "errorCauses": [{"errorSummary": "Provisioning is not enabled for the app instance."}],
    }
    with pytest.raises(OktaAPIError) as raised:
        get_feature(client_answering([], 400, body), "0oa1", "USER_PROVISIONING")
    assert provisioning_not_enabled(raised.value)
    other = OktaAPIError("GET", "/x", 400, "E0000001", "Api validation failed", ["name: required"])
    assert not provisioning_not_enabled(other)


def test_an_answer_without_a_name_is_a_response_error() -> None:
    with pytest.raises(OktaResponseError, match="name"):
        get_feature(client_answering([], 200, {"status": "ENABLED"}), "0oa1", "USER_PROVISIONING")
