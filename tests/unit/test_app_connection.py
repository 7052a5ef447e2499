"""okta_app_connection's logic with a recording fake client: validation, plan, calls made, state."""

from __future__ import annotations

from typing import Any

import pytest
from msgpack import ExtType
from tf.iface import CreateContext, DeleteContext, ImportContext, PlanContext, ReadContext, UpdateContext
from tf.types import Unknown
from tf.utils import Diagnostics

from provider.okta import (
    Connection,
    OAuthConnectionRequest,
    OktaAPIError,
    OktaAuthError,
    OktaCancelled,
    OktaError,
    OktaNotFoundError,
    OktaResponseError,
    OktaTransportError,
    TokenConnectionRequest,
)
from provider.provider import OktaProvider
from provider.resources.app_connection import AppConnection, validation_problems

REFINED_UNKNOWN = ExtType(12, b"\x81\x01\xc3")


class FakeClient:
    """Answers like Okta would and records every call."""

    def __init__(self, status: str = "DISABLED", activates_in_post: bool = True) -> None:
        self.status = status
        self.activates_in_post = activates_in_post
        self.calls: list[tuple[Any, ...]] = []
        self.fail: dict[str, Exception] = {}
        self.reported_base_url: str | None = "https://previously.configured.example/scim"
        self.read_base_url: str | None = "https://okta.example/scim"
        self.authorize_url: str | None = None

    def _maybe_fail(self, name: str) -> None:
        if name in self.fail:
            raise self.fail[name]

    def get_connection(self, app_id: str) -> Connection:
        self.calls.append(("get", app_id))
        self._maybe_fail("get")
        return Connection(status=self.status, auth_scheme="TOKEN", base_url=self.read_base_url)

    def update_connection(
        self,
        app_id: str,
        request: TokenConnectionRequest | OAuthConnectionRequest,
        *,
        activate: bool | None = None,
    ) -> Connection:
        self.calls.append(("post", app_id, request.body(), activate))
        self._maybe_fail("post")
        if activate and self.activates_in_post:
            self.status = "ENABLED"
        base = request.base_url if isinstance(request, TokenConnectionRequest) else None
        scheme = request.body()["profile"]["authScheme"]
        return Connection(
            status=self.status,
            auth_scheme=scheme,
            base_url=base or self.reported_base_url,
            authorize_url=self.authorize_url,
        )

    def verify_consent(self, app_name: str, app_id: str, code: str, state: str) -> None:
        self.calls.append(("consent", app_name, app_id, code, state))
        self._maybe_fail("consent")

    def activate_connection(self, app_id: str) -> None:
        self.calls.append(("activate", app_id))
        self._maybe_fail("activate")
        self.status = "ENABLED"

    def deactivate_connection(self, app_id: str) -> None:
        self.calls.append(("deactivate", app_id))
        self._maybe_fail("deactivate")
        self.status = "DISABLED"


def resource_with(client: FakeClient) -> AppConnection:
    provider = OktaProvider()
    provider._client = client  # type: ignore[assignment]
    return AppConnection(provider)


def token_state(action: str = "activate", status: Any = Unknown, **profile: Any) -> dict[str, Any]:
    return {
        "id": "0oa1",
        "base_url": "https://scim.example.com",
        "action": action,
        "status": status,
        "profile": {
            "auth_scheme": "TOKEN",
            "token": "secret",
            "token_wo": None,
            "token_wo_version": None,
            "client_id": None,
            "signing": None,
            "settings": None,
            **profile,
        },
    }


def oauth_state() -> dict[str, Any]:
    return {
        "id": "0oa2",
        "base_url": None,
        "action": "activate",
        "status": Unknown,
        "profile": {
            "auth_scheme": "OAUTH2",
            "token": None,
            "token_wo": None,
            "token_wo_version": None,
            "client_id": "cid",
            "signing": {"rotation_mode": "MANUAL"},
            "settings": {"admin_username": "admin@example.com", "admin_password": "pw"},
        },
    }


# --- validation -------------------------------------------------------------------------------


def paths(config: dict[str, Any]) -> list[list[str]]:
    return [path for path, _, _ in validation_problems(config)]


def test_valid_configurations_have_no_problems() -> None:
    assert paths(token_state()) == []
    assert paths(oauth_state()) == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"id": "  "}, ["id"]),
        ({"action": "enable"}, ["action"]),
        ({"base_url": "not a url"}, ["base_url"]),
    ],
)
def test_top_level_rules(change: dict[str, Any], path: list[str]) -> None:
    assert paths({**token_state(), **change}) == [path]


NOT_ONE_PATH_SEGMENT = [
    "",
    "  ",
    ".",
    "..",
    "0oa1/..",
    "../users",
    "0oa1?x",
    "0oa1#x",
    "%2e%2e",
    "0oa1\n",
    " 0oa1",
]


@pytest.mark.parametrize("app_id", NOT_ONE_PATH_SEGMENT)
def test_an_id_that_cannot_be_one_path_segment_is_refused(app_id: str) -> None:
    [(path, summary, detail)] = validation_problems({**token_state(), "id": app_id})
    assert (path, summary) == (["id"], "Invalid id")
    assert "letters and digits" in detail


@pytest.mark.parametrize(
    ("profile", "path"),
    [
        ({"auth_scheme": "BASIC"}, ["profile", "auth_scheme"]),
        ({"token": None}, ["profile", "token"]),
        ({"token": ""}, ["profile", "token"]),
        ({"client_id": "c"}, ["profile", "client_id"]),
        ({"signing": {"rotation_mode": "AUTO"}}, ["profile", "signing"]),
        ({"settings": {"admin_username": "a", "admin_password": "b"}}, ["profile", "settings"]),
    ],
)
def test_token_scheme_rules(profile: dict[str, Any], path: list[str]) -> None:
    state = token_state(**profile)
    assert paths(state) == [path]


def test_oauth_scheme_rules() -> None:
    state = oauth_state()
    state["base_url"] = "https://x"
    state["profile"]["token"] = "t"
    state["profile"]["signing"] = {"rotation_mode": "SOMETIMES"}
    assert paths(state) == [["profile", "token"], ["base_url"], ["profile", "signing", "rotation_mode"]]


def test_messages_name_the_argument() -> None:
    [(_, summary, detail)] = validation_problems({**token_state(), "action": "enable"})
    assert summary == "Invalid action"
    assert '"activate" or "deactivate"' in detail and '"enable"' in detail


@pytest.mark.parametrize(
    "base_url",
    [
        "https//scimuser:SCIM-URL-PASSWORD@scim.example.com/v2",
        "https://scimuser:SCIM-URL-PASSWORD@[scim.example.com/v2",
        "https://scimuser:SCIM-URL-PASSWORD@scim.example.com:99999/v2",
        "https://scimuser:SCIM-URL-PASSWORD@scim.example.com/v2\t",
        "scimuser:SCIM-URL-PASSWORD@scim.example.com",
    ],
)
def test_an_invalid_base_url_is_refused_without_repeating_it(base_url: str) -> None:
    [(path, summary, detail)] = validation_problems({**token_state(), "base_url": base_url})
    assert (path, summary) == (["base_url"], "Invalid base_url")
    assert "SCIM-URL-PASSWORD" not in detail and "scimuser" not in detail


def test_a_base_url_with_credentials_is_still_accepted() -> None:
    assert paths({**token_state(), "base_url": "https://scimuser:pw@scim.example.com/v2"}) == []


@pytest.mark.parametrize(
    ("change", "secret"),
    [
        ({"action": "00Tok3n/with+symbols="}, "00Tok3n"),
        ({"action": "a-very-long-value-that-is-no-action"}, "a-very-long"),
        ({"profile": {"auth_scheme": "Bearer s3cr3t"}}, "s3cr3t"),
        ({"oauth_consent": {"app_name": "https://u:pw@x", "code": "c", "state": "s"}}, "pw@x"),
    ],
)
def test_an_enumerated_value_is_quoted_back_only_when_short_and_plain(
    change: dict[str, Any], secret: str
) -> None:
    config = {**oauth_state(), **change}
    if "profile" in change:
        config["profile"] = {**oauth_state()["profile"], **change["profile"]}
    found = validation_problems(config)
    assert found, "the value must be refused"
    assert all(secret not in detail for _, _, detail in found)


@pytest.mark.parametrize("unknown", [Unknown, REFINED_UNKNOWN])
def test_unknown_values_pass_until_known(unknown: Any) -> None:
    state = token_state(auth_scheme=unknown, token=unknown)
    state.update(id=unknown, action=unknown, base_url=unknown)
    assert paths(state) == []
    oauth = oauth_state()
    oauth["profile"]["signing"] = {"rotation_mode": unknown}
    assert paths(oauth) == []


@pytest.mark.parametrize("unknown", [Unknown, REFINED_UNKNOWN])
def test_values_not_allowed_with_a_known_scheme_pass_while_unknown(unknown: Any) -> None:
    assert paths(token_state(client_id=unknown, signing=unknown, settings=unknown)) == []
    oauth = oauth_state()
    oauth["base_url"] = unknown
    oauth["profile"]["token"] = unknown
    assert paths(oauth) == []


# --- plan -------------------------------------------------------------------------------------


def plan(current: dict[str, Any] | None, planned: dict[str, Any], changed: set[str]) -> dict[str, Any]:
    resource = resource_with(FakeClient())
    return resource.plan(PlanContext(Diagnostics(), "okta_app_connection", changed), current, planned)


def test_create_plans_status_unknown_and_base_url_unknown_when_unset() -> None:
    planned = plan(None, {**token_state(status=None), "base_url": None}, set())
    assert planned["status"] is Unknown
    assert planned["base_url"] is Unknown


def test_oauth_plans_no_base_url() -> None:
    assert plan(None, {**oauth_state(), "status": None}, set())["base_url"] is None


def test_switching_from_oauth2_to_token_plans_base_url_unknown() -> None:
    prior = {**oauth_state(), "status": "ENABLED"}
    planned = plan(prior, {**token_state(status="ENABLED"), "base_url": None}, {"profile.auth_scheme"})
    assert planned["base_url"] is Unknown


def test_update_plans_status_unknown_only_when_action_changes() -> None:
    prior = token_state(status="ENABLED")
    assert plan(prior, token_state(status="ENABLED"), {"profile.token"})["status"] == "ENABLED"
    assert plan(prior, token_state("deactivate", status="ENABLED"), {"action"})["status"] is Unknown


# --- create -----------------------------------------------------------------------------------


def test_create_activate_is_one_call_when_okta_activates_in_the_post() -> None:
    client = FakeClient()
    diags = Diagnostics()
    state = resource_with(client).create(CreateContext(diags, "t"), token_state())
    assert not diags.diagnostics
    assert client.calls == [
        (
            "post",
            "0oa1",
            {"baseUrl": "https://scim.example.com", "profile": {"authScheme": "TOKEN", "token": "secret"}},
            True,
        )
    ]
    assert state is not None and state["status"] == "ENABLED" and state["action"] == "activate"


def test_create_activate_reconciles_when_okta_ignores_the_parameter() -> None:
    client = FakeClient(activates_in_post=False)
    state = resource_with(client).create(CreateContext(Diagnostics(), "t"), token_state())
    assert [call[0] for call in client.calls] == ["post", "activate"]
    assert state is not None and state["status"] == "ENABLED"


def test_create_deactivate_never_activates() -> None:
    client = FakeClient(status="ENABLED")
    state = resource_with(client).create(CreateContext(Diagnostics(), "t"), token_state("deactivate"))
    assert [call[0] for call in client.calls] == ["post", "deactivate"]
    assert client.calls[0][3] is None
    assert state is not None and state["status"] == "DISABLED"


def test_create_fills_base_url_from_okta_when_unset() -> None:
    client = FakeClient()
    planned = {**token_state(), "base_url": Unknown}
    state = resource_with(client).create(CreateContext(Diagnostics(), "t"), planned)
    assert state is not None and state["base_url"] == "https://previously.configured.example/scim"
    assert "baseUrl" not in client.calls[0][2]


def test_oauth_create_sends_the_oauth_body() -> None:
    client = FakeClient()
    resource_with(client).create(CreateContext(Diagnostics(), "t"), oauth_state())
    assert client.calls[0][2] == {
        "profile": {
            "authScheme": "OAUTH2",
            "clientId": "cid",
            "signing": {"rotationMode": "MANUAL"},
            "settings": {"adminUsername": "admin@example.com", "adminPassword": "pw"},
        }
    }


def test_create_unknown_status_is_an_error_naming_the_app() -> None:
    client = FakeClient(status="UNKNOWN", activates_in_post=False)
    diags = Diagnostics()
    assert resource_with(client).create(CreateContext(diags, "t"), token_state()) is None
    [error] = diags.diagnostics
    assert error.summary == "The application does not support provisioning connections"
    assert '"0oa1"' in error.detail


def test_partial_failure_returns_the_true_state_with_the_error() -> None:
    client = FakeClient(activates_in_post=False)
    client.fail["activate"] = OktaAPIError("POST", "/x", 403, "E0000006", "You do not have permission")
    diags = Diagnostics()
    state = resource_with(client).create(CreateContext(diags, "t"), token_state())
    assert diags.has_errors()
    assert "E0000006" in diags.diagnostics[0].summary
    assert state is not None
    assert (state["status"], state["action"]) == ("DISABLED", "deactivate")


def test_failed_post_records_nothing() -> None:
    client = FakeClient()
    client.fail["post"] = OktaAPIError("POST", "/x", 400, "E0000001", "Api validation failed")
    diags = Diagnostics()
    assert resource_with(client).create(CreateContext(diags, "t"), token_state()) is None
    assert diags.has_errors()


# --- read -------------------------------------------------------------------------------------


def test_read_derives_action_from_status_and_keeps_secrets() -> None:
    client = FakeClient(status="DISABLED")
    state = resource_with(client).read(ReadContext(Diagnostics(), "t"), token_state(status="ENABLED"))
    assert state is not None
    assert (state["status"], state["action"]) == ("DISABLED", "deactivate")
    assert state["profile"]["token"] == "secret"
    assert state["base_url"] == "https://okta.example/scim"
    assert client.calls == [("get", "0oa1")]


def test_read_of_a_deleted_app_removes_it_with_a_warning() -> None:
    client = FakeClient()
    client.fail["get"] = OktaNotFoundError("GET", "/x", 404, "E0000007", "Not found")
    diags = Diagnostics()
    assert resource_with(client).read(ReadContext(diags, "t"), token_state(status="ENABLED")) is None
    assert not diags.has_errors()
    assert diags.diagnostics[0].summary == "Application not found at Okta"


class AnswerLostClient(FakeClient):
    """Activation reaches Okta (or not), but its answer never comes back."""

    def __init__(self, *, lands: bool) -> None:
        super().__init__(activates_in_post=False)
        self.lands = lands

    def activate_connection(self, app_id: str) -> None:
        self.calls.append(("activate", app_id))
        if self.lands:
            self.status = "ENABLED"
        raise OktaTransportError("POST", "dev-1.okta.com", "/x", "ReadError: connection reset", 6, 40.0)


def test_an_activation_whose_answer_was_lost_is_confirmed_by_a_read() -> None:
    """No error and no taint when Okta did act: the next apply must not replace a live connection."""
    client = AnswerLostClient(lands=True)
    diags = Diagnostics()
    state = resource_with(client).create(CreateContext(diags, "t"), token_state())
    assert [call[0] for call in client.calls] == ["post", "activate", "get"]
    assert state is not None and (state["status"], state["action"]) == ("ENABLED", "activate")
    assert diags.diagnostics == []


def test_an_activation_lost_before_okta_acted_stays_an_error() -> None:
    client = AnswerLostClient(lands=False)
    diags = Diagnostics()
    state = resource_with(client).create(CreateContext(diags, "t"), token_state())
    assert [call[0] for call in client.calls] == ["post", "activate", "get"]
    assert state is not None and (state["status"], state["action"]) == ("DISABLED", "deactivate")
    [error] = [d for d in diags.diagnostics if d.severity == "error"]
    assert error.summary == "Could not reach Okta at dev-1.okta.com"
    assert "ReadError: connection reset" in error.detail


def test_an_activation_that_never_connected_is_not_read_back() -> None:
    client = FakeClient(activates_in_post=False)
    client.fail["activate"] = OktaTransportError(
        "POST", "dev-1.okta.com", "/x", "refused", may_have_acted=False
    )
    diags = Diagnostics()
    state = resource_with(client).create(CreateContext(diags, "t"), token_state())
    assert [call[0] for call in client.calls] == ["post", "activate"]
    assert state is not None and (state["status"], state["action"]) == ("DISABLED", "deactivate")
    assert diags.has_errors()


def test_a_refused_activation_is_not_read_back() -> None:
    client = FakeClient(activates_in_post=False)
    client.fail["activate"] = OktaAPIError("POST", "/x", 400, "E0000001", "Consent required")
    resource_with(client).create(CreateContext(Diagnostics(), "t"), token_state())
    assert [call[0] for call in client.calls] == ["post", "activate"]


class PostAnswerLostClient(FakeClient):
    """The POST reaches Okta (or not), but its answer is lost or cannot be read."""

    def __init__(self, error: OktaError, *, lands: bool, status: str = "DISABLED") -> None:
        super().__init__(status=status)
        self.error = error
        self.lands = lands

    def update_connection(
        self,
        app_id: str,
        request: TokenConnectionRequest | OAuthConnectionRequest,
        *,
        activate: bool | None = None,
    ) -> Connection:
        if self.lands:
            super().update_connection(app_id, request, activate=activate)
            if isinstance(request, TokenConnectionRequest) and request.base_url:
                self.read_base_url = request.base_url
        else:
            self.calls.append(("post", app_id, request.body(), activate))
        raise self.error


RESET = OktaTransportError("POST", "dev-1.okta.com", "/x", "ReadError: Connection reset by peer", 2, 1.0)
TRUNCATED = OktaResponseError("POST", "/x", 200, "the body is not valid JSON (Unterminated string)")
SERVER_ERROR = OktaAPIError("POST", "/x", 500, "E0000009", "Internal Server Error", may_have_acted=True)


def no_secret_in(diags: Diagnostics) -> bool:
    return all("secret" not in f"{d.summary} {d.detail}" for d in diags.diagnostics)


@pytest.mark.parametrize("error", [RESET, TRUNCATED], ids=["reset", "truncated"])
def test_a_create_whose_post_answer_was_lost_records_what_okta_reports(error: OktaError) -> None:
    """Issue 11 finding 1, issue 12: the POST activated the connection, so it must be in the state."""
    client = PostAnswerLostClient(error, lands=True)
    diags = Diagnostics()
    state = resource_with(client).create(CreateContext(diags, "t"), token_state())
    assert [call[0] for call in client.calls] == ["post", "get"]
    assert state is not None
    assert (state["status"], state["action"]) == ("ENABLED", "activate")
    assert state["base_url"] == "https://scim.example.com"
    assert state["profile"]["token"] is None, "no read confirms the token: the next apply sends it"
    [error_diag] = diags.diagnostics
    assert error_diag.severity == "error" and error_diag.summary == error.summary
    assert "the connection was read back" in error_diag.detail
    assert no_secret_in(diags)


def test_a_lost_post_that_never_landed_records_the_connection_okta_has() -> None:
    client = PostAnswerLostClient(RESET, lands=False)
    diags = Diagnostics()
    state = resource_with(client).create(CreateContext(diags, "t"), token_state())
    assert [call[0] for call in client.calls] == ["post", "get"]
    assert state is not None
    assert (state["status"], state["action"]) == ("DISABLED", "deactivate")
    assert diags.has_errors()


def test_a_lost_post_whose_read_back_fails_is_still_recorded_with_no_status() -> None:
    client = PostAnswerLostClient(RESET, lands=True)
    client.fail["get"] = RESET
    diags = Diagnostics()
    planned = {**token_state(), "authorize_url": Unknown}
    state = resource_with(client).create(CreateContext(diags, "t"), planned)
    assert state is not None, "Okta may have acted: the connection must not be dropped"
    assert state["status"] is None, "the status is not known; destroy still deactivates"
    assert state["authorize_url"] is None, "a state holds no unknown value"
    assert state["profile"]["token"] is None
    [error] = diags.diagnostics
    assert error.summary == RESET.summary and "could not be read back either" in error.detail


def test_a_post_refused_by_okta_is_not_read_back() -> None:
    client = FakeClient()
    client.fail["post"] = OktaAPIError("POST", "/x", 400, "E0000001", "Api validation failed")
    assert resource_with(client).create(CreateContext(Diagnostics(), "t"), token_state()) is None
    assert [call[0] for call in client.calls] == ["post"]


def test_a_lost_post_does_not_claim_the_consent_or_the_settings() -> None:
    client = PostAnswerLostClient(RESET, lands=True)
    diags = Diagnostics()
    planned = {**oauth_state(), "oauth_consent": CONSENT}
    state = resource_with(client).create(CreateContext(diags, "t"), planned)
    assert [call[0] for call in client.calls] == ["post", "get"], "no consent after a lost answer"
    assert state is not None
    assert state["oauth_consent"] is None and state["profile"]["settings"] is None
    assert diags.has_errors()


# The POST landed, then Okta's answers were 429s until the retries ran out, or the service app's
# token could not be renewed to send it again: the last error is not a lost answer, but an earlier
# attempt may have acted, and the client says so.
AFTER_429S = OktaAPIError("POST", "/x", 429, "E0000047", "API call exceeded rate limit", may_have_acted=True)
AFTER_REFUSED_TOKEN = OktaAuthError(400, "invalid_client", "no", may_have_acted=True)


@pytest.mark.parametrize("error", [AFTER_429S, AFTER_REFUSED_TOKEN], ids=["429s", "refused-token"])
def test_a_post_okta_may_have_acted_on_before_any_error_is_read_back(error: OktaError) -> None:
    client = PostAnswerLostClient(error, lands=True)
    diags = Diagnostics()
    state = resource_with(client).create(CreateContext(diags, "t"), token_state())
    assert [call[0] for call in client.calls] == ["post", "get"]
    assert state is not None, "Okta enabled it: it must be in the state"
    assert (state["status"], state["action"]) == ("ENABLED", "activate")
    [error_diag] = diags.diagnostics
    assert error_diag.summary == error.summary and "the connection was read back" in error_diag.detail


def test_a_stop_after_a_post_that_may_have_landed_records_it_without_asking_okta() -> None:
    """Terraform waits for the apply to return after Ctrl-C: no read, a null status."""
    client = PostAnswerLostClient(OktaCancelled(may_have_acted=True), lands=True)
    diags = Diagnostics()
    planned = {**token_state(), "authorize_url": Unknown}
    state = resource_with(client).create(CreateContext(diags, "t"), planned)
    assert [call[0] for call in client.calls] == ["post"]
    assert state is not None and state["status"] is None and state["authorize_url"] is None
    assert state["profile"]["token"] is None, "no read confirms the token: the next apply sends it"
    [error] = diags.diagnostics
    assert error.summary.startswith("Interrupted")


def test_a_stop_before_okta_could_act_records_nothing() -> None:
    client = PostAnswerLostClient(OktaCancelled(), lands=False)
    assert resource_with(client).create(CreateContext(Diagnostics(), "t"), token_state()) is None
    assert [call[0] for call in client.calls] == ["post"]


def test_a_stop_after_an_activation_that_may_have_landed_leaves_the_status_unknown() -> None:
    client = FakeClient(activates_in_post=False)
    client.fail["activate"] = OktaCancelled(may_have_acted=True)
    diags = Diagnostics()
    state = resource_with(client).create(CreateContext(diags, "t"), token_state())
    assert [call[0] for call in client.calls] == ["post", "activate"]
    assert state is not None and state["status"] is None, "DISABLED may no longer be true"
    assert diags.has_errors()


def test_an_unknown_application_at_create_is_an_error_on_id() -> None:
    client = FakeClient()
    client.fail["post"] = OktaNotFoundError("POST", "/x", 404, "E0000007", "Not found: Resource not found")
    diags = Diagnostics()
    assert resource_with(client).create(CreateContext(diags, "t"), token_state()) is None
    [error] = diags.diagnostics
    assert error.path == ["id"] and "E0000007" in error.summary


def test_a_consent_okta_cannot_place_is_an_error_on_its_app_name() -> None:
    client = FakeClient()
    client.fail["consent"] = OktaNotFoundError("POST", "/x", 404, "E0000007", "Not found: Resource not found")
    diags = Diagnostics()
    resource_with(client).create(CreateContext(diags, "t"), {**oauth_state(), "oauth_consent": CONSENT})
    [error] = [d for d in diags.diagnostics if d.severity == "error"]
    assert error.path == ["oauth_consent", "app_name"]


def test_a_base_url_removed_at_okta_is_read_as_absent() -> None:
    """So the next plan puts it back, rather than showing no change for a connection without one."""
    client = FakeClient(status="ENABLED")
    client.read_base_url = None
    state = resource_with(client).read(ReadContext(Diagnostics(), "t"), token_state(status="ENABLED"))
    assert state is not None and state["base_url"] is None


def test_an_unknown_answer_keeps_the_base_url() -> None:
    """Provisioning gone (UNKNOWN) says nothing about baseUrl: no diff to fight over."""
    from provider.resources.app_connection import refreshed_state

    current = token_state(status="ENABLED")
    state = refreshed_state(current, Connection(status="UNKNOWN", auth_scheme="UNKNOWN"))
    assert state["base_url"] == current["base_url"]


def test_read_error_keeps_the_state() -> None:
    client = FakeClient()
    client.fail["get"] = OktaAPIError(
        "GET", "/x", 401, "E0000011", "Invalid token provided", auth="api_token"
    )
    diags = Diagnostics()
    current = token_state(status="ENABLED")
    assert resource_with(client).read(ReadContext(diags, "t"), current) == current
    assert "OKTA_API_TOKEN" in diags.diagnostics[0].detail


# --- update -----------------------------------------------------------------------------------


def test_action_only_change_makes_only_the_lifecycle_call() -> None:
    client = FakeClient(status="ENABLED")
    state = resource_with(client).update(
        UpdateContext(Diagnostics(), "t"), token_state(status="ENABLED"), token_state("deactivate")
    )
    assert client.calls == [("deactivate", "0oa1")]
    assert state["status"] == "DISABLED"


def test_profile_change_posts_once_and_no_lifecycle_call_when_status_matches() -> None:
    client = FakeClient(status="ENABLED")
    state = resource_with(client).update(
        UpdateContext(Diagnostics(), "t"),
        token_state(status="ENABLED"),
        token_state(status="ENABLED", token="new"),
    )
    assert [call[0] for call in client.calls] == ["post"]
    assert client.calls[0][2]["profile"]["token"] == "new"
    assert state["status"] == "ENABLED"


def test_failed_update_keeps_the_prior_state() -> None:
    client = FakeClient(status="ENABLED")
    client.fail["post"] = OktaAPIError("POST", "/x", 400, "E0000001", "Api validation failed")
    prior = token_state(status="ENABLED")
    diags = Diagnostics()
    assert resource_with(client).update(UpdateContext(diags, "t"), prior, token_state(token="new")) == prior
    assert diags.has_errors()


def test_an_update_whose_lost_answer_a_read_confirms_succeeds() -> None:
    client = PostAnswerLostClient(RESET, lands=True, status="ENABLED")
    diags = Diagnostics()
    planned = token_state(status="ENABLED", base_url="https://scim2.example.com")
    state = resource_with(client).update(UpdateContext(diags, "t"), token_state(status="ENABLED"), planned)
    assert [call[0] for call in client.calls] == ["post", "get"]
    assert diags.diagnostics == []
    assert state == {**planned, "authorize_url": None}


def test_an_update_whose_new_token_a_read_cannot_confirm_keeps_the_old_one() -> None:
    client = PostAnswerLostClient(TRUNCATED, lands=True, status="ENABLED")
    diags = Diagnostics()
    state = resource_with(client).update(
        UpdateContext(diags, "t"), token_state(status="ENABLED"), token_state(status="ENABLED", token="new")
    )
    assert state["profile"]["token"] == "secret", "the next plan shows the token, and apply resends it"
    assert state["status"] == "ENABLED"
    assert diags.has_errors()


# --- delete -----------------------------------------------------------------------------------


def test_destroy_deactivates_an_enabled_connection() -> None:
    client = FakeClient(status="ENABLED")
    resource_with(client).delete(DeleteContext(Diagnostics(), "t"), token_state(status="ENABLED"))
    assert client.calls == [("deactivate", "0oa1")]


@pytest.mark.parametrize("status", ["DISABLED", "UNKNOWN"])
def test_destroy_of_a_connection_that_is_not_enabled_makes_no_call(status: str) -> None:
    client = FakeClient()
    diags = Diagnostics()
    resource_with(client).delete(DeleteContext(diags, "t"), token_state("deactivate", status=status))
    assert client.calls == [] and not diags.diagnostics


def test_destroy_of_a_deleted_app_is_not_an_error() -> None:
    client = FakeClient(status="ENABLED")
    client.fail["deactivate"] = OktaNotFoundError("POST", "/x", 404, "E0000007", "Not found")
    diags = Diagnostics()
    resource_with(client).delete(DeleteContext(diags, "t"), token_state(status="ENABLED"))
    assert not diags.diagnostics


# --- import -----------------------------------------------------------------------------------


def test_import_fills_what_okta_reports_and_no_secrets() -> None:
    client = FakeClient(status="ENABLED")
    state = resource_with(client).import_(ImportContext(Diagnostics(), "t"), "0oa1")
    assert state == {
        "id": "0oa1",
        "action": "activate",
        "status": "ENABLED",
        "base_url": "https://okta.example/scim",
        "authorize_url": None,
        "oauth_consent": None,
        "profile": {
            "auth_scheme": "TOKEN",
            "token": None,
            "token_wo": None,
            "token_wo_version": None,
            "client_id": None,
            "signing": None,
            "settings": None,
        },
    }


@pytest.mark.parametrize("status", ["ENABLED", "DISABLED"])
def test_reading_an_imported_state_changes_nothing(status: str) -> None:
    # The servicer answers the read that follows an import with the imported state, skipping
    # the GET: that is right only while a read of it would return it unchanged.
    client = FakeClient(status=status)
    resource = resource_with(client)
    imported = resource.import_(ImportContext(Diagnostics(), "t"), "0oa1")
    assert imported is not None
    diags = Diagnostics()
    assert resource.read(ReadContext(diags, "t"), imported) == imported
    assert diags.diagnostics == []


def test_import_of_an_unknown_app_is_an_error() -> None:
    client = FakeClient()
    client.fail["get"] = OktaNotFoundError(
        "GET", "/x", 404, "E0000007", "Not found: Resource not found: 0oa9"
    )
    diags = Diagnostics()
    assert resource_with(client).import_(ImportContext(diags, "t"), "0oa9") is None
    assert "404 E0000007" in diags.diagnostics[0].summary


@pytest.mark.parametrize("app_id", [value for value in NOT_ONE_PATH_SEGMENT if value.strip() == value])
def test_an_import_id_that_cannot_be_one_path_segment_is_refused_before_any_call(app_id: str) -> None:
    client = FakeClient()
    diags = Diagnostics()
    assert resource_with(client).import_(ImportContext(diags, "t"), app_id) is None
    assert [d.summary for d in diags.diagnostics] == ["Invalid import ID"]
    assert client.calls == []


def test_an_import_id_read_from_a_file_is_trimmed() -> None:
    client = FakeClient(status="ENABLED")
    assert resource_with(client).import_(ImportContext(Diagnostics(), "t"), "0oa1\n") is not None
    assert client.calls == [("get", "0oa1")]


def test_operations_before_configuration_give_a_clear_error() -> None:
    diags = Diagnostics()
    assert AppConnection(OktaProvider()).create(CreateContext(diags, "t"), token_state()) is None
    assert diags.diagnostics[0].summary == "The Okta provider is not configured"


def test_consent_apps_get_a_warning_with_the_consent_link() -> None:
    client = FakeClient(activates_in_post=False)
    client.authorize_url = "https://login.microsoftonline.com/consent?state=abc"
    client.fail["activate"] = OktaAPIError("POST", "/x", 400, "E0000001", "Consent required")
    diags = Diagnostics()
    resource_with(client).create(CreateContext(diags, "t"), oauth_state())
    [warning] = [d for d in diags.diagnostics if d.severity == "warning"]
    assert warning.summary == "Administrator consent needed"
    assert "https://login.microsoftonline.com/consent?state=abc" in warning.detail


def test_a_consent_sent_in_the_same_apply_gets_no_consent_warning() -> None:
    client = FakeClient(activates_in_post=False)
    client.authorize_url = "https://login.microsoftonline.com/consent?state=abc"
    diags = Diagnostics()
    resource_with(client).create(CreateContext(diags, "t"), {**oauth_state(), "oauth_consent": CONSENT})
    assert [call[0] for call in client.calls] == ["post", "consent", "activate"]
    assert diags.diagnostics == []


def test_read_and_import_take_client_id_when_okta_reports_it() -> None:
    from provider.resources.app_connection import imported_state, refreshed_state

    connection = Connection(status="ENABLED", auth_scheme="OAUTH2", client_id="0oaTarget")
    assert imported_state("0oa2", connection)["profile"]["client_id"] == "0oaTarget"
    assert refreshed_state(oauth_state(), connection)["profile"]["client_id"] == "0oaTarget"


CONSENT = {"app_name": "office365", "code": "c0de", "state": "st4te"}


def test_create_with_consent_configures_then_consents_then_activates() -> None:
    client = FakeClient()
    planned = {**oauth_state(), "oauth_consent": CONSENT}
    state = resource_with(client).create(CreateContext(Diagnostics(), "t"), planned)
    assert [call[0] for call in client.calls] == ["post", "consent", "activate"]
    assert client.calls[0][3] is None, "no activation before consent"
    assert client.calls[1] == ("consent", "office365", "0oa2", "c0de", "st4te")
    assert state is not None and state["status"] == "ENABLED"


def test_a_new_consent_alone_is_sent_without_a_post() -> None:
    client = FakeClient(status="DISABLED")
    prior = {**oauth_state(), "status": "DISABLED", "action": "deactivate", "oauth_consent": None}
    planned = {**oauth_state(), "status": "DISABLED", "oauth_consent": CONSENT}
    resource_with(client).update(UpdateContext(Diagnostics(), "t"), prior, planned)
    assert [call[0] for call in client.calls] == ["consent", "activate"]


def test_an_unchanged_consent_is_not_sent_again() -> None:
    client = FakeClient(status="ENABLED")
    prior = {**oauth_state(), "status": "ENABLED", "oauth_consent": CONSENT}
    resource_with(client).update(UpdateContext(Diagnostics(), "t"), prior, {**prior, "action": "deactivate"})
    assert [call[0] for call in client.calls] == ["deactivate"]


def test_a_refused_consent_is_left_out_of_the_state_so_the_next_apply_retries() -> None:
    client = FakeClient()
    client.fail["consent"] = OktaAPIError("POST", "/x", 400, "E0000001", "Invalid code")
    diags = Diagnostics()
    state = resource_with(client).create(
        CreateContext(diags, "t"), {**oauth_state(), "oauth_consent": CONSENT}
    )
    assert diags.has_errors() and "verifying the OAuth consent" in diags.diagnostics[0].detail
    assert state is not None and state["oauth_consent"] is None
    assert (state["status"], state["action"]) == ("DISABLED", "deactivate")
    assert [call[0] for call in client.calls] == ["post", "consent"]


def test_a_consent_whose_answer_was_lost_is_kept_and_activation_tells() -> None:
    """The code works once: resending it later would be refused, so it stays in the state."""
    client = FakeClient()
    client.fail["consent"] = OktaTransportError("POST", "dev-1.okta.com", "/x", "ReadError: reset", 1, 0.1)
    diags = Diagnostics()
    state = resource_with(client).create(
        CreateContext(diags, "t"), {**oauth_state(), "oauth_consent": CONSENT}
    )
    assert [call[0] for call in client.calls] == ["post", "consent", "activate"]
    assert state is not None and state["oauth_consent"] == CONSENT and state["status"] == "ENABLED"
    assert [(d.severity, d.summary) for d in diags.diagnostics] == [
        ("warning", "OAuth consent not confirmed")
    ]
    assert "c0de" not in diags.diagnostics[0].detail


def test_a_consent_that_never_reached_okta_is_left_out_so_the_next_apply_sends_it() -> None:
    """Every attempt failed to connect: the code is unspent, and keeping it would strand it."""
    client = FakeClient()
    client.fail["consent"] = OktaTransportError(
        "POST", "dev-1.okta.com", "/x", "ConnectError: refused", 6, 40.0, may_have_acted=False
    )
    diags = Diagnostics()
    state = resource_with(client).create(
        CreateContext(diags, "t"), {**oauth_state(), "oauth_consent": CONSENT}
    )
    assert [call[0] for call in client.calls] == ["post", "consent"]
    assert state is not None and state["oauth_consent"] is None
    assert (state["status"], state["action"]) == ("DISABLED", "deactivate")
    [error] = [d for d in diags.diagnostics if d.severity == "error"]
    assert "verifying the OAuth consent" in error.detail and "c0de" not in error.detail


def test_consent_rules() -> None:
    token = {**token_state(), "oauth_consent": CONSENT}
    assert paths(token) == [["oauth_consent"]]
    oauth = {**oauth_state(), "oauth_consent": {**CONSENT, "app_name": "salesforce"}}
    assert paths(oauth) == [["oauth_consent", "app_name"]]


# --- write-only secrets -----------------------------------------------------------------------


def wo_token_state(status: Any = Unknown, version: Any = 1, **top: Any) -> dict[str, Any]:
    """A TOKEN connection configured with token_wo, as apply sees it (the value from config)."""
    state = token_state(status=status, token=None, token_wo="wo-secret", token_wo_version=version)
    state.update(top)
    return state


def wo_oauth_state() -> dict[str, Any]:
    state = oauth_state()
    state["profile"]["settings"] = {
        "admin_username": "admin@example.com",
        "admin_password": None,
        "admin_password_wo": "wo-pw",
        "admin_password_wo_version": 1,
    }
    return state


def problems(config: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(path, summary) for path, summary, _ in validation_problems(config)]


def test_write_only_secrets_with_their_versions_are_valid() -> None:
    assert problems(wo_token_state()) == []
    assert problems(wo_oauth_state()) == []


def test_token_and_token_wo_together_are_refused_naming_both() -> None:
    state = wo_token_state()
    state["profile"]["token"] = "plain"
    [(path, summary, detail)] = validation_problems(state)
    assert (path, summary) == (["profile", "token_wo"], "Conflicting token and token_wo")
    assert "only one of token and token_wo" in detail


def test_admin_password_and_its_write_only_form_together_are_refused() -> None:
    state = wo_oauth_state()
    state["profile"]["settings"]["admin_password"] = "plain"
    assert problems(state) == [
        (["profile", "settings", "admin_password_wo"], "Conflicting admin_password and admin_password_wo")
    ]


def test_a_write_only_value_and_its_version_go_together() -> None:
    assert problems(wo_token_state(version=None)) == [
        (["profile", "token_wo_version"], "Missing token_wo_version")
    ]
    plain_with_version = token_state(token_wo_version=2)
    assert problems(plain_with_version) == [
        (["profile", "token_wo_version"], "token_wo_version without token_wo")
    ]
    oauth = wo_oauth_state()
    oauth["profile"]["settings"]["admin_password_wo_version"] = None
    assert problems(oauth) == [
        (["profile", "settings", "admin_password_wo_version"], "Missing admin_password_wo_version")
    ]


def test_a_secret_is_still_required_in_one_form_or_the_other() -> None:
    assert problems(token_state(token=None)) == [(["profile", "token"], "Missing token")]
    oauth = oauth_state()
    oauth["profile"]["settings"]["admin_password"] = None
    assert problems(oauth) == [(["profile", "settings", "admin_password"], "Missing admin_password")]


def test_write_only_rules_follow_the_scheme_and_refuse_empty_values() -> None:
    oauth = oauth_state()
    oauth["profile"].update(token_wo="t", token_wo_version=1)
    assert problems(oauth) == [
        (["profile", "token_wo"], "token_wo is not allowed with OAUTH2"),
        (["profile", "token_wo_version"], "token_wo_version is not allowed with OAUTH2"),
    ]
    empty = wo_token_state()
    empty["profile"]["token_wo"] = ""
    assert problems(empty) == [(["profile", "token_wo"], "Invalid token_wo")]


@pytest.mark.parametrize("unknown", [Unknown, REFINED_UNKNOWN])
def test_a_write_only_value_not_yet_known_counts_as_set(unknown: Any) -> None:
    state = wo_token_state()
    state["profile"]["token_wo"] = unknown
    assert problems(state) == []


def test_create_sends_the_write_only_token() -> None:
    client = FakeClient()
    resource_with(client).create(CreateContext(Diagnostics(), "t"), wo_token_state())
    assert client.calls[0][2]["profile"] == {"authScheme": "TOKEN", "token": "wo-secret"}


def test_create_sends_the_write_only_admin_password() -> None:
    client = FakeClient()
    resource_with(client).create(CreateContext(Diagnostics(), "t"), wo_oauth_state())
    assert client.calls[0][2]["profile"]["settings"] == {
        "adminUsername": "admin@example.com",
        "adminPassword": "wo-pw",
    }


def stored(state: dict[str, Any]) -> dict[str, Any]:
    """`state` as Terraform stores it: write-only values null."""
    kept = {**state, "profile": {**state["profile"], "token_wo": None}}
    return kept


def test_an_unchanged_version_sends_nothing_even_though_the_value_is_not_in_state() -> None:
    client = FakeClient(status="ENABLED")
    prior = stored(wo_token_state(status="ENABLED"))
    resource_with(client).update(
        UpdateContext(Diagnostics(), "t"), prior, wo_token_state(action="deactivate")
    )
    assert client.calls == [("deactivate", "0oa1")]


def test_a_new_version_sends_the_write_only_token_once() -> None:
    client = FakeClient(status="ENABLED")
    prior = stored(wo_token_state(status="ENABLED"))
    resource_with(client).update(UpdateContext(Diagnostics(), "t"), prior, wo_token_state(version=2))
    assert [call[0] for call in client.calls] == ["post"]
    assert client.calls[0][2]["profile"]["token"] == "wo-secret"


def test_plan_of_a_new_version_expects_what_okta_reports_again() -> None:
    prior = stored(wo_token_state(status="ENABLED", authorize_url=None))
    proposed = stored(wo_token_state(status="ENABLED", authorize_url=None, version=2))
    assert plan(prior, proposed, {"profile.token_wo_version"})["authorize_url"] is Unknown
    unchanged = stored(wo_token_state(status="ENABLED", authorize_url=None))
    assert plan(prior, unchanged, set())["authorize_url"] is None


def test_a_new_write_only_token_is_never_confirmed_by_a_read_back() -> None:
    """Finding A: the 500s may hide a POST Okta applied, but no read shows the token it holds."""
    client = PostAnswerLostClient(SERVER_ERROR, lands=False, status="ENABLED")
    prior = stored(wo_token_state(status="ENABLED"))
    diags = Diagnostics()
    state = resource_with(client).update(UpdateContext(diags, "t"), prior, wo_token_state(version=2))
    assert [call[0] for call in client.calls] == ["post", "get"]
    assert state["profile"]["token_wo_version"] == 1, "the next plan shows 1 -> 2 and sends it again"
    assert state["profile"]["token_wo"] is None
    assert diags.has_errors()


@pytest.mark.parametrize("okta_status", ["DISABLED", "ENABLED"])
def test_a_create_with_a_write_only_token_whose_post_failed_is_an_error_without_its_version(
    okta_status: str,
) -> None:
    """So Terraform taints it, and after untaint the next plan still sends the token."""
    client = PostAnswerLostClient(SERVER_ERROR, lands=False, status=okta_status)
    client.read_base_url = None
    diags = Diagnostics()
    planned = wo_token_state(action="deactivate" if okta_status == "DISABLED" else "activate", base_url=None)
    state = resource_with(client).create(CreateContext(diags, "t"), planned)
    assert state is not None and state["profile"]["token_wo_version"] is None
    assert state["status"] == okta_status
    assert diags.has_errors()


def test_a_lost_answer_with_the_same_write_only_token_is_confirmed() -> None:
    """The version did not change, so the token Okta holds is the one the state vouches for."""
    client = PostAnswerLostClient(RESET, lands=True, status="ENABLED")
    prior = stored(wo_token_state(status="ENABLED"))
    planned = wo_token_state(status="ENABLED", base_url="https://scim2.example.com")
    diags = Diagnostics()
    state = resource_with(client).update(UpdateContext(diags, "t"), prior, planned)
    assert [call[0] for call in client.calls] == ["post", "get"]
    assert diags.diagnostics == []
    assert state["base_url"] == "https://scim2.example.com" and state["profile"]["token_wo_version"] == 1


def test_a_new_write_only_admin_password_is_never_confirmed_by_a_read_back() -> None:
    client = PostAnswerLostClient(SERVER_ERROR, lands=True, status="DISABLED")
    prior = stored({**wo_oauth_state(), "status": "DISABLED", "action": "deactivate"})
    prior["profile"]["settings"] = {**prior["profile"]["settings"], "admin_password_wo": None}
    planned = {**wo_oauth_state(), "action": "deactivate"}
    planned["profile"]["settings"]["admin_password_wo_version"] = 2
    diags = Diagnostics()
    state = resource_with(client).update(UpdateContext(diags, "t"), prior, planned)
    assert state["profile"]["settings"]["admin_password_wo_version"] == 1
    assert diags.has_errors()


WO_CONSENT = {"app_name": "office365", "code": None, "code_wo": "wo-c0de", "state": "st4te"}


def test_a_consent_code_in_one_form_or_the_other() -> None:
    assert problems({**oauth_state(), "oauth_consent": WO_CONSENT}) == []
    both = {**oauth_state(), "oauth_consent": {**WO_CONSENT, "code": "c0de"}}
    assert problems(both) == [(["oauth_consent", "code_wo"], "Conflicting code and code_wo")]
    neither = {**oauth_state(), "oauth_consent": {**WO_CONSENT, "code_wo": None}}
    assert problems(neither) == [(["oauth_consent", "code"], "Missing code")]


def test_a_write_only_consent_code_is_sent() -> None:
    client = FakeClient()
    resource_with(client).create(
        CreateContext(Diagnostics(), "t"), {**oauth_state(), "oauth_consent": WO_CONSENT}
    )
    assert client.calls[1] == ("consent", "office365", "0oa2", "wo-c0de", "st4te")


def test_a_consent_sent_with_code_wo_is_not_sent_again_though_the_state_lacks_the_code() -> None:
    client = FakeClient(status="ENABLED")
    prior = {**oauth_state(), "status": "ENABLED", "oauth_consent": {**WO_CONSENT, "code_wo": None}}
    planned = {**prior, "action": "deactivate", "oauth_consent": WO_CONSENT}
    resource_with(client).update(UpdateContext(Diagnostics(), "t"), prior, planned)
    assert [call[0] for call in client.calls] == ["deactivate"]
    renewed = {**planned, "action": "activate", "oauth_consent": {**WO_CONSENT, "state": "n3w"}}
    resource_with(client).update(UpdateContext(Diagnostics(), "t"), prior, renewed)
    assert client.calls[1][0] == "consent"


@pytest.mark.parametrize("status", [None, "DISABLED"])
def test_update_plans_status_unknown_when_the_state_has_not_the_actions_status(status: str | None) -> None:
    # A call interrupted by Ctrl-C leaves status null: the apply that follows learns it from Okta,
    # and a known planned status would make Terraform refuse the result as inconsistent.
    current = token_state(status=status)
    planned = plan(current, {**current, "base_url": "https://scim.example.com/v3"}, {"base_url"})
    assert planned["status"] is Unknown
