"""Okta errors as Terraform diagnostics: the wording users see, written once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tf.utils import Diagnostics

from provider.okta import OktaAPIError, OktaError
from provider.okta.errors import AuthKind
from provider.provider import NotConfigured, OktaProvider

if TYPE_CHECKING:
    from provider.okta.client import OktaClient

# A 401 or 403 without a more precise cause, by the authentication the provider used.
_REFUSED: dict[AuthKind, str] = {
    "api_token": "Check the provider's api_token (OKTA_API_TOKEN): Okta did not accept it.",
    "access_token": (
        "Check the provider's access_token (OKTA_ACCESS_TOKEN): Okta did not accept it; it may have expired."
    ),
    "service_app": "Okta did not accept the access token it issued to the service app (client_id).",
}
_FORBIDDEN: dict[AuthKind, str] = {
    "api_token": (
        "The API token's administrator lacks the permission: an API token acts with the admin roles "
        "of the administrator who created it, and this call needs one that may manage this application."
    ),
    "access_token": (
        "The access token's principal lacks the permission: it needs an admin role that may manage "
        "this application."
    ),
    "service_app": (
        "The service app has the scopes but lacks the permission: assign it an admin role that may "
        "manage this application (Okta Admin Console, the app's Admin roles tab)."
    ),
}
# The scope each call needs (Okta's API reference), for a challenge that does not name it.
_READ_SCOPE, _MANAGE_SCOPE = "okta.apps.read", "okta.apps.manage"


def _insufficient_scope(exc: OktaAPIError) -> str:
    scope = exc.required_scope or (_READ_SCOPE if exc.method == "GET" else _MANAGE_SCOPE)
    said = f"The access token lacks the scope {scope}, which this call needs (Okta: insufficient_scope). "
    if exc.auth == "access_token":
        return said + f"Use an access_token (OKTA_ACCESS_TOKEN) granted {scope}."
    return (
        said + f"Add {scope} to scopes (OKTA_API_SCOPES), or leave scopes unset to ask for okta.apps.read "
        "and okta.apps.manage; the service app must be granted it in Okta (its Okta API Scopes tab)."
    )


def okta_api_advice(exc: OktaAPIError) -> str:
    """What to do about an API error, from the authentication in use and the cause Okta gave;
    empty when there is nothing to add to Okta's own words."""
    if exc.auth_error == "insufficient_scope":
        return _insufficient_scope(exc)
    advice = {401: _REFUSED, 403: _FORBIDDEN}.get(exc.status)
    return "" if advice is None or exc.auth is None else advice[exc.auth]


def add_okta_error(diags: Diagnostics, exc: OktaError, doing: str, path: list[str] | None = None) -> None:
    """Add an error for `exc`, saying what the provider was doing (`doing`) when it happened;
    `path` points at the argument it is about, when one is."""
    detail = [f"While {doing}."]
    if exc.detail:
        detail.append(exc.detail)
    if isinstance(exc, OktaAPIError) and (advice := okta_api_advice(exc)):
        detail.append(advice)
    diags.add_error(exc.summary, "\n".join(detail), path=path)


def configured_client(provider: OktaProvider, diags: Diagnostics) -> OktaClient | None:
    """The provider's client, or None with an error when configuration has not succeeded."""
    try:
        return provider.client
    except NotConfigured:
        diags.add_error(
            "The Okta provider is not configured",
            "Terraform called the provider before its configuration succeeded; see the provider "
            "errors above.",
        )
        return None
