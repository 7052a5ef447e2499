"""The advice under an Okta API error: it follows the authentication in use and Okta's stated cause."""

from __future__ import annotations

import pytest
from tf.utils import Diagnostics

from provider.diagnostics import add_okta_error, okta_api_advice
from provider.okta import OktaAPIError
from provider.okta.errors import AuthKind


def forbidden(auth: AuthKind, method: str = "POST", **challenge: str) -> OktaAPIError:
    return OktaAPIError(
        method, "/api/v1/apps/0oa1/connections/default", 403, "E0000006", auth=auth, **challenge
    )


@pytest.mark.parametrize("auth", ["service_app", "access_token"])
def test_a_missing_scope_is_named_not_blamed_on_an_api_token(auth: AuthKind) -> None:
    advice = okta_api_advice(
        forbidden(auth, auth_error="insufficient_scope", required_scope="okta.apps.manage")
    )
    assert "lacks the scope okta.apps.manage" in advice
    assert "insufficient_scope" in advice
    assert "API token" not in advice
    fix = "scopes (OKTA_API_SCOPES)" if auth == "service_app" else "access_token (OKTA_ACCESS_TOKEN)"
    assert fix in advice


@pytest.mark.parametrize(("method", "scope"), [("GET", "okta.apps.read"), ("POST", "okta.apps.manage")])
def test_a_challenge_without_the_scope_names_the_one_the_call_needs(method: str, scope: str) -> None:
    advice = okta_api_advice(forbidden("service_app", method, auth_error="insufficient_scope"))
    assert f"lacks the scope {scope}," in advice


@pytest.mark.parametrize(
    ("status", "auth", "named", "not_named"),
    [
        (401, "api_token", "api_token (OKTA_API_TOKEN)", "scope"),
        (401, "access_token", "access_token (OKTA_ACCESS_TOKEN)", "api_token"),
        (401, "service_app", "service app (client_id)", "api_token"),
        (403, "api_token", "The API token's administrator", "scope"),
        (403, "access_token", "admin role", "API token"),
        (403, "service_app", "has the scopes but lacks the permission", "API token"),
    ],
)
def test_refusals_are_explained_for_the_authentication_in_use(
    status: int, auth: AuthKind, named: str, not_named: str
) -> None:
    advice = okta_api_advice(OktaAPIError("GET", "/api/v1/apps/0oa1/connections/default", status, auth=auth))
    assert named in advice
    assert not_named not in advice


def test_other_errors_get_no_advice_and_the_diagnostic_carries_the_advice() -> None:
    assert okta_api_advice(OktaAPIError("GET", "/x", 400, "E0000001", auth="api_token")) == ""
    assert okta_api_advice(OktaAPIError("GET", "/x", 403, "E0000006")) == ""  # authentication unknown
    diags = Diagnostics()
    add_okta_error(diags, forbidden("service_app", auth_error="insufficient_scope"), 'creating "0oa1"')
    [error] = diags.diagnostics
    assert error.summary == "Okta API error 403 E0000006: no error description"
    assert error.detail.startswith('While creating "0oa1".\nRequest: POST /api/v1/apps/0oa1')
    assert error.detail.endswith(okta_api_advice(forbidden("service_app", auth_error="insufficient_scope")))


def test_a_refused_consent_is_advised_as_one_not_as_a_missing_permission() -> None:
    refused = OktaAPIError(
        "POST", "/api/v1/apps/office365/0oa1/oauth2/callback", 403, "E0000006", auth="api_token"
    )
    diags = Diagnostics()
    add_okta_error(diags, refused, 'verifying the OAuth consent of application "0oa1"', consent=True)
    detail = diags.diagnostics[0].detail
    assert "Open authorize_url again to get a new code and state" in detail
    assert "administrator lacks the permission" not in detail
    assert "Open authorize_url" not in okta_api_advice(refused)


def test_an_activation_refused_while_consent_is_pending_is_advised_as_such() -> None:
    refused = OktaAPIError(
        "POST", "/api/v1/apps/0oa1/connections/default/lifecycle/activate", 403, auth="api_token"
    )
    diags = Diagnostics()
    add_okta_error(
        diags, refused, 'activating the provisioning connection of application "0oa1"', awaiting_consent=True
    )
    detail = diags.diagnostics[0].detail
    assert "awaits an administrator's consent" in detail and "add an oauth_consent block" in detail
    assert "administrator lacks the permission" not in detail
    assert "awaits an administrator's consent" not in okta_api_advice(refused)
