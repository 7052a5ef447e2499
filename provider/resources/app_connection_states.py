"""Stored okta_app_connection states that need more than fitting to the schema.

The schema is at version 0 and has no upgrade steps yet. States written by the official
okta/okta provider (v6.5 and later, schema version 0 too) arrive here after `terraform state
replace-provider`; `adopt_okta_okta` makes them say what that provider really did at Okta.
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]


def adopt_okta_okta(state: State) -> State:
    """A state of the official provider made truthful; any other state is returned as it is.

    Every state this provider writes has `authorize_url`; okta/okta's never does. That provider
    never sent `profile.signing` to Okta, so the state drops it and the first apply sends it; and
    it stored the absent base URL of OAuth connections as "", which is no URL at all.
    """
    if "authorize_url" in state:
        return state
    adopted = dict(state)
    if adopted.get("base_url") == "":
        adopted["base_url"] = None
    profile = adopted.get("profile")
    if isinstance(profile, dict) and profile.get("signing") is not None:
        adopted["profile"] = {**profile, "signing": None}
    return adopted
