"""okta_app_connection's stored states: its upgrade steps and the adoption of okta/okta's states."""

from __future__ import annotations

from provider.plugin.upgrade import upgrade_state
from provider.resources.app_connection import AppConnection
from provider.resources.app_connection_states import adopt_okta_okta


def test_every_version_of_app_connection_below_its_schema_has_a_step() -> None:
    steps = getattr(AppConnection, "upgrade_steps", {})
    assert [v for v in range(AppConnection.get_schema().version or 0) if v not in steps] == []


OKTA_OKTA_OAUTH = {
    "action": "activate",
    "base_url": "",
    "id": "0oa1",
    "profile": {
        "auth_scheme": "OAUTH2",
        "client_id": "c",
        "settings": None,
        "signing": {"rotation_mode": "MANUAL"},
        "token": None,
    },
    "status": "ENABLED",
}


def test_app_connection_adopts_an_okta_okta_state() -> None:
    state = upgrade_state("okta_app_connection", AppConnection, 0, OKTA_OKTA_OAUTH)
    assert state["base_url"] is None  # okta/okta stored the absent URL as ""
    assert state["profile"]["signing"] is None  # okta/okta never sent it: the next apply does
    assert state["profile"]["client_id"] == "c"
    assert (state["authorize_url"], state["oauth_consent"]) == (None, None)
    assert OKTA_OKTA_OAUTH["profile"]["signing"] == {"rotation_mode": "MANUAL"}  # not modified


# What the schema gained after these states were written: the write-only token, null in any state.
ADDED_TO_PROFILE = {"token_wo": None, "token_wo_version": None}


def test_app_connection_keeps_its_own_states_as_they_are() -> None:
    own = {**OKTA_OKTA_OAUTH, "base_url": None, "authorize_url": None, "oauth_consent": None}
    assert adopt_okta_okta(own) is own
    upgraded = upgrade_state("okta_app_connection", AppConnection, 0, own)
    assert upgraded == {**own, "profile": {**own["profile"], **ADDED_TO_PROFILE}}


def test_an_okta_okta_token_state_carries_over_as_it_is() -> None:
    token_state = {
        **OKTA_OKTA_OAUTH,
        "base_url": "https://scim.example.com",
        "profile": {**OKTA_OKTA_OAUTH["profile"], "auth_scheme": "TOKEN", "token": "t", "signing": None},
    }
    state = upgrade_state("okta_app_connection", AppConnection, 0, token_state)
    profile = {**token_state["profile"], **ADDED_TO_PROFILE}
    assert state == {**token_state, "profile": profile, "authorize_url": None, "oauth_consent": None}
