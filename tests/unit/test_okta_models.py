"""Request bodies are exactly the spec's (no nulls, no foreign fields); responses parse leniently."""

from __future__ import annotations

import pytest

from provider.okta import Connection, OAuthConnectionRequest, TokenConnectionRequest


def test_token_body_leaves_unset_fields_out() -> None:
    assert TokenConnectionRequest().body() == {"profile": {"authScheme": "TOKEN"}}
    assert TokenConnectionRequest(token="t", base_url="https://x").body() == {
        "baseUrl": "https://x",
        "profile": {"authScheme": "TOKEN", "token": "t"},
    }


def test_oauth_body_has_only_oauth_fields() -> None:
    assert OAuthConnectionRequest().body() == {"profile": {"authScheme": "OAUTH2"}}
    body = OAuthConnectionRequest(
        client_id="c", rotation_mode="MANUAL", admin_username="u", admin_password="p"
    ).body()
    assert body == {
        "profile": {
            "authScheme": "OAUTH2",
            "clientId": "c",
            "signing": {"rotationMode": "MANUAL"},
            "settings": {"adminUsername": "u", "adminPassword": "p"},
        }
    }
    assert "baseUrl" not in body


def test_response_parsing_is_lenient_about_extra_fields() -> None:
    connection = Connection.from_json(
        {
            "authScheme": "SOMETHING_NEW",
            "status": "ENABLED",
            "profile": {"authScheme": "OAUTH2", "clientId": "c", "signing": {"rotationMode": "AUTO"}},
            "_links": {"authorize": {"href": "https://consent"}},
            "unexpected": [1, 2],
        }
    )
    assert connection == Connection(
        status="ENABLED",
        auth_scheme="OAUTH2",
        client_id="c",
        rotation_mode="AUTO",
        authorize_url="https://consent",
    )


def test_status_defaults_to_disabled_as_the_spec_says() -> None:
    assert Connection.from_json({"profile": {"authScheme": "TOKEN"}}).status == "DISABLED"


@pytest.mark.parametrize(
    "body", [None, [], {"status": "ENABLED"}, {"profile": {}}, {"profile": {"authScheme": 1}}]
)
def test_missing_required_fields_are_rejected(body: object) -> None:
    with pytest.raises(ValueError):
        Connection.from_json(body)
